"""Every model is in the admin; the quote queryset's verbs do what they say."""

import pytest

from archive.models import Quote
from archive.templatetags.cards import quote_card

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", ["author", "document", "quote", "topic", "claim", "stance"])
def test_every_model_has_an_admin_list_and_form(admin_client, model):
    assert admin_client.get(f"/admin/archive/{model}/").status_code == 200
    assert admin_client.get(f"/admin/archive/{model}/add/").status_code == 200


def test_the_admin_is_closed_to_anonymous_readers(client):
    response = client.get("/admin/archive/quote/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_a_quote_opens_in_the_admin(admin_client):
    quote = Quote.objects.get(pk=201)
    response = admin_client.get(f"/admin/archive/quote/{quote.pk}/change/")
    assert response.status_code == 200
    assert quote.speaker.name in response.content.decode()


def test_published_leaves_out_drafts_withdrawn_and_unlocated_quotes():
    published = Quote.objects.published()
    total = published.count()
    Quote.objects.filter(pk=201).update(status="draft")
    Quote.objects.filter(pk=202).update(status="withdrawn", withdrawn_reason="Test.")
    Quote.objects.filter(pk=203).update(start_offset=None, end_offset=None)
    assert Quote.objects.published().count() == total - 3
    assert not Quote.objects.published().filter(pk__in=[201, 202, 203]).exists()


def test_said_between_takes_quotes_whose_date_overlaps_the_years():
    in_1931 = Quote.objects.said_between(1931, 1931)
    assert in_1931.filter(speaker__slug="stalin").exists()
    assert all(q.said_start.year <= 1931 <= q.said_end.year for q in in_1931)
    assert not Quote.objects.said_between(1931, 1931).filter(said_start__isnull=True).exists()
    assert Quote.objects.said_between(None, 1850).filter(speaker__slug="marx").exists()


def test_with_speaker_fetches_speaker_and_document_in_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = [(q.speaker.name, q.document.title) for q in Quote.objects.with_speaker()[:20]]
    assert len(rows) == 20


def test_for_cards_reads_what_a_quote_card_shows_in_one_query(django_assert_num_queries):
    quotes = Quote.objects.published().order_by("id")[:20]
    with django_assert_num_queries(1):
        cards = [quote_card(quote) for quote in quotes.for_cards()]
    assert cards == [quote_card(quote) for quote in quotes.with_speaker()]
