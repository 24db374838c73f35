"""The database itself rejects rows that break the archive's rules."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from archive.models import Author, Claim, Document, Quote, Stance, Topic

pytestmark = pytest.mark.django_db


def rejected(**kwargs):
    """Assert that creating the row fails in the database, not only in Python."""
    model = kwargs.pop("model")
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.create(**kwargs)
    return True


@pytest.fixture
def author():
    return Author.objects.create(name="Test Speaker", sort_name="Speaker, Test", slug="test-spk")


@pytest.fixture
def document():
    return Document.objects.create(
        title="Test document", slug="test-doc", kind="article", text="Some words to quote."
    )


@pytest.fixture
def quote(author, document):
    return Quote.objects.create(text="Some words", speaker=author, document=document)


def test_slugs_are_unique_for_every_kind_of_page(author, document):
    Topic.objects.create(name="T", slug="test-topic")
    Claim.objects.create(text="C.", slug="test-claim")
    assert rejected(model=Topic, name="Other", slug="test-topic")
    assert rejected(model=Claim, text="Other.", slug="test-claim")
    assert rejected(model=Author, name="Other", sort_name="Other", slug="test-spk")
    assert rejected(model=Document, title="Other", slug="test-doc", kind="article", text="x")


def test_quote_text_may_not_be_empty(author, document):
    assert rejected(model=Quote, text="", speaker=author, document=document)


def test_date_said_may_not_start_after_it_ends(author, document):
    assert rejected(
        model=Quote,
        text="Some words",
        speaker=author,
        document=document,
        said_start=datetime.date(1921, 3, 1),
        said_end=datetime.date(1921, 2, 1),
        said_precision="range",
    )


def test_date_said_needs_its_precision(author, document):
    assert rejected(
        model=Quote,
        text="Some words",
        speaker=author,
        document=document,
        said_start=datetime.date(1921, 3, 1),
        said_end=datetime.date(1921, 3, 1),
    )


def test_offsets_must_be_in_order(quote):
    with pytest.raises(IntegrityError), transaction.atomic():
        Quote.objects.filter(pk=quote.pk).update(start_offset=10, end_offset=5)


def test_a_withdrawn_quote_needs_a_reason(quote):
    with pytest.raises(IntegrityError), transaction.atomic():
        Quote.objects.filter(pk=quote.pk).update(status="withdrawn")
    Quote.objects.filter(pk=quote.pk).update(status="withdrawn", withdrawn_reason="Misread.")


def test_one_stance_per_quote_and_claim(quote):
    claim = Claim.objects.create(text="C.", slug="test-claim")
    Stance.objects.create(quote=quote, claim=claim, position="supports")
    assert rejected(model=Stance, quote=quote, claim=claim, position="opposes")


def test_document_text_may_not_be_empty():
    assert rejected(model=Document, title="Empty", slug="empty-doc", kind="article", text="")


def test_a_topic_period_runs_forwards():
    assert rejected(model=Topic, name="Backwards", slug="backwards", start_year=1930, end_year=1920)


def test_an_author_dies_after_being_born():
    assert rejected(
        model=Author, name="X", sort_name="X", slug="x-backwards", birth_year=1900, death_year=1800
    )
