"""Nothing published disappears: withdrawn → 410 tombstone, merged → 301, renamed → 301, deleted
→ 410. Each path through real HTTP requests against the preloaded archive."""

from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction

from archive.models import Author, Claim, Document, Quote, Stance, Topic

pytestmark = pytest.mark.django_db

REASON = "Test reason: the wording could not be confirmed against the original."


def withdraw(pk, reason=REASON):
    quote = Quote.objects.get(pk=pk)
    quote.withdraw(reason)
    quote.save()
    return quote


def merge(pk, into):
    quote = Quote.objects.get(pk=pk)
    quote.merge_into(Quote.objects.get(pk=into))
    quote.save()
    return quote


def rename(obj, slug):
    obj.slug = slug
    obj.save()
    return obj


# Withdrawing


def test_a_withdrawn_quote_answers_410_with_its_reason_and_citation(client):
    quote = withdraw(201)
    response = client.get("/quotes/201/")
    assert response.status_code == 410
    page = response.content.decode()
    assert REASON in page
    assert quote.speaker.name in page
    assert quote.document.title in page


def test_a_withdrawn_quote_leaves_the_lists_feeds_and_sitemap(client):
    places = ["/quotes/?speaker=bukharin", "/feeds/authors/bukharin/", "/sitemap-quotes.xml"]
    for url in places:
        assert "/quotes/201/" in client.get(url).content.decode(), url
    withdraw(201)
    for url in places:
        response = client.get(url)
        assert response.status_code == 200
        assert "/quotes/201/" not in response.content.decode(), url
        assert "/quotes/202/" in response.content.decode(), url


# Merging


def test_a_merged_quote_answers_301_to_the_quote_that_remains(client):
    merge(202, into=203)
    response = client.get("/quotes/202/")
    assert response.status_code == 301
    assert response["Location"] == "/quotes/203/"
    assert client.get("/quotes/203/").status_code == 200


def test_a_merged_quotes_citation_files_answer_301_to_the_remaining_quotes(client):
    merge(202, into=203)
    for fmt in ["bib", "ris", "json"]:
        response = client.get(f"/quotes/202/cite.{fmt}")
        assert response.status_code == 301
        assert response["Location"] == f"/quotes/203/cite.{fmt}"


def test_a_chain_of_merges_resolves_to_the_last_quote(client):
    merge(202, into=203)
    merge(203, into=204)
    for old in [202, 203]:
        response = client.get(f"/quotes/{old}/")
        assert response.status_code == 301
        assert response["Location"] == "/quotes/204/"
        response = client.get(f"/quotes/{old}/cite.bib")
        assert response["Location"] == "/quotes/204/cite.bib"
    assert client.get("/quotes/204/").status_code == 200


# Changing slugs

RENAMABLE = [
    (Author, "lenin", "/authors/"),
    (Document, "boettke-soviet-admissions", "/documents/"),
    (Claim, "stalinism-continued-leninism", "/claims/"),
    (Topic, "nep", "/topics/"),
]
RENAMABLE_IDS = [model.__name__.lower() for model, _slug, _prefix in RENAMABLE]


@pytest.mark.parametrize(("model", "slug", "prefix"), RENAMABLE, ids=RENAMABLE_IDS)
def test_a_changed_slug_answers_301_to_the_new_one(client, model, slug, prefix):
    obj = model.objects.get(slug=slug)
    revisions = obj.history.count()
    rename(obj, "test-renamed")
    assert obj.history.count() == revisions + 1
    assert obj.history.first().slug == "test-renamed"
    response = client.get(f"{prefix}{slug}/")
    assert response.status_code == 301
    assert response["Location"] == f"{prefix}test-renamed/"
    assert client.get(f"{prefix}test-renamed/").status_code == 200


@pytest.mark.parametrize(("model", "slug", "prefix"), RENAMABLE, ids=RENAMABLE_IDS)
def test_every_earlier_slug_keeps_redirecting_after_a_second_change(client, model, slug, prefix):
    obj = rename(model.objects.get(slug=slug), "test-renamed")
    rename(obj, "test-renamed-again")
    for old in [slug, "test-renamed"]:
        response = client.get(f"{prefix}{old}/")
        assert response.status_code == 301, old
        assert response["Location"] == f"{prefix}test-renamed-again/"
    assert client.get(f"{prefix}test-renamed-again/").status_code == 200


def test_a_slug_that_never_existed_is_still_404(client):
    assert client.get("/authors/test-never-was/").status_code == 404


# Deleting


def test_a_deleted_authors_old_and_last_addresses_answer_410(client, admin_client):
    author = Author.objects.create(name="Test Person", sort_name="Person, Test", slug="test-first")
    rename(author, "test-last")
    assert client.get("/authors/test-first/")["Location"] == "/authors/test-last/"
    response = admin_client.post(f"/admin/archive/author/{author.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Author.objects.filter(pk=author.pk).exists()
    for url in ["/authors/test-first/", "/authors/test-last/"]:
        response = client.get(url)
        assert response.status_code == 410, url
        assert "Test Person" in response.content.decode()


# The database refuses impossible states


def refused_by_database(pk, **fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        Quote.objects.filter(pk=pk).update(**fields)
    return True


def test_the_database_refuses_a_merge_without_a_target():
    assert refused_by_database(202, status="merged", merged_into=None)


def test_the_database_refuses_a_merge_into_the_quote_itself():
    assert refused_by_database(202, status="merged", merged_into=202)


def test_the_database_refuses_a_withdrawal_without_a_reason():
    assert refused_by_database(202, status="withdrawn", withdrawn_reason="")


def test_a_target_without_the_merged_status_is_refused_too():
    assert refused_by_database(202, status="published", merged_into=203)


def test_merging_a_quote_into_itself_is_refused_before_saving():
    quote = Quote.objects.get(pk=202)
    with pytest.raises(ValidationError):
        quote.merge_into(quote)
    assert Quote.objects.get(pk=202).status == "published"


# Loading the fixtures again


def test_loading_the_archive_again_keeps_every_curated_edit():
    counts = [model.objects.count() for model in (Author, Document, Claim, Topic, Quote, Stance)]
    withdraw(201)
    merge(202, into=203)
    rename(Author.objects.get(slug="lenin"), "test-lenin")
    rename(Document.objects.get(slug="boettke-soviet-admissions"), "test-admissions")
    rename(Claim.objects.get(slug="stalinism-continued-leninism"), "test-claim")
    rename(Topic.objects.get(slug="nep"), "test-nep")
    out = StringIO()
    call_command("load_archive", stdout=out)
    assert "fixtures not loaded" in out.getvalue()
    after = [model.objects.count() for model in (Author, Document, Claim, Topic, Quote, Stance)]
    assert after == counts
    assert Quote.objects.get(pk=201).withdrawn_reason == REASON
    assert Quote.objects.get(pk=202).merged_into_id == 203
    assert Author.objects.filter(slug="test-lenin").exists()
    assert Document.objects.filter(slug="test-admissions").exists()
    assert Claim.objects.filter(slug="test-claim").exists()
    assert Topic.objects.filter(slug="test-nep").exists()
    assert not Author.objects.filter(slug="lenin").exists()


@pytest.mark.django_db
def test_a_feed_at_an_old_slug_redirects_to_the_feed_at_the_new_one(client):
    author = Author.objects.get(slug="bukharin")
    author.slug = "nikolai-bukharin"
    author.save()
    response = client.get("/feeds/authors/bukharin/")
    assert response.status_code == 301
    assert response["Location"] == "/feeds/authors/nikolai-bukharin/"
    assert client.get("/feeds/authors/nikolai-bukharin/").status_code == 200


@pytest.mark.django_db
def test_a_withdrawn_quotes_citation_files_answer_410_with_the_reason(client):
    quote = Quote.objects.get(pk=207)
    quote.withdraw("Misread in the source.")
    quote.save()
    for fmt in ["bib", "ris", "json"]:
        response = client.get(f"/quotes/207/cite.{fmt}")
        assert response.status_code == 410
        assert "Misread in the source." in response.content.decode()
        assert "/quotes/207/" in response.content.decode()


# Addresses written out


@pytest.mark.parametrize(
    "model, name, key",
    [
        (Quote, "quote-detail", "pk"),
        (Author, "author-detail", "slug"),
        (Document, "document-detail", "slug"),
        (Claim, "claim-detail", "slug"),
        (Topic, "topic-detail", "slug"),
    ],
)
def test_every_model_s_written_out_address_is_the_one_the_urlconf_serves(client, model, name, key):
    from django.urls import reverse

    objects = Quote.objects.published() if model is Quote else model.objects.all()
    assert objects.exists()
    for obj in objects[:20]:
        url = obj.get_absolute_url()
        assert url == reverse(name, args=[getattr(obj, key)])
        assert client.get(url).status_code == 200
