"""The home page and the plain pages that quote links point to."""

import pytest

from archive.models import Author, Claim, Document, Quote, Topic

pytestmark = pytest.mark.django_db


def test_home_page_says_what_the_archive_holds(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f"An archive of {Quote.objects.published().count()} verbatim excerpts" in html
    assert 'href="/topics/nep/"' in html
    assert 'href="/claims/stalinism-continued-leninism/"' in html
    assert '<html lang="en">' in html
    assert 'href="#content"' in html


def test_home_page_query_count_does_not_grow_with_the_archive(
    client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        client.get("/")


def test_a_quote_page_shows_speaker_document_and_original_source(client):
    quote = Quote.objects.filter(speaker__slug="lenin").exclude(original_source="").first()
    response = client.get(f"/quotes/{quote.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/authors/lenin/"' in html
    assert f'href="/documents/{quote.document.slug}/#q-{quote.pk}"' in html
    assert "As quoted" in html or "as quoted" in html


def test_an_unknown_quote_answers_404(client):
    assert client.get("/quotes/999999/").status_code == 404


@pytest.mark.parametrize(
    "model, prefix",
    [(Author, "authors"), (Document, "documents"), (Claim, "claims"), (Topic, "topics")],
)
def test_every_detail_page_answers(client, model, prefix):
    for obj in model.objects.all():
        assert client.get(f"/{prefix}/{obj.slug}/").status_code == 200, obj.slug


def test_every_quote_page_answers(client):
    for pk in Quote.objects.values_list("pk", flat=True):
        assert client.get(f"/quotes/{pk}/").status_code == 200, pk


def test_quote_text_is_escaped(client):
    quote = Quote.objects.order_by("pk").first()
    document = quote.document
    document.text += "\n\n<script>alert(1)</script>"
    document.save()
    Quote.objects.filter(pk=quote.pk).update(text="<script>alert(1)</script>")
    from django.core.management import call_command

    call_command("verify_quotes", str(quote.pk))
    html = client.get(f"/quotes/{quote.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
