"""Texts and names holding HTML or script render inert everywhere they appear."""

import json
import re

import pytest

from archive.models import Author, Document, Quote

pytestmark = pytest.mark.django_db
SCRIPT = '<script>alert("x")</script>'
IMAGE = '<img src=x onerror="alert(1)">'


@pytest.fixture
def hostile():
    """A quote, its speaker and its document (text and title) carrying markup, the quote still
    verbatim."""
    document = Document.objects.get(slug="boettke-soviet-admissions")
    document.text = f"{document.text}\n\nThey wrote {SCRIPT} and {IMAGE} here."
    document.title = f"{document.title} {IMAGE}"
    document.save()
    Author.objects.filter(slug="peter-boettke").update(name=f"Peter {IMAGE} Boettke")
    quote = Quote.objects.get(pk=249)
    quote.text = f"They wrote {SCRIPT} and {IMAGE} here."
    quote.relocate()
    quote.save()
    assert quote.is_located
    return quote


def assert_inert(html):
    assert SCRIPT not in html and "<img src=x" not in html


@pytest.mark.parametrize(
    "url",
    [
        "/quotes/",
        "/quotes/?q=alert",
        "/quotes/249/",
        "/quotes/?speaker=peter-boettke",
        "/authors/peter-boettke/",
        "/documents/boettke-soviet-admissions/",
        "/feeds/quotes/",
        "/feeds/authors/peter-boettke/",
    ],
)
def test_reader_pages_and_feeds_escape_it(client, hostile, url):
    response = client.get(url)
    assert response.status_code == 200
    assert_inert(response.content.decode())


def test_the_json_ld_keeps_it_as_data(client, hostile):
    html = client.get("/quotes/249/").content.decode()
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert "<" not in block
    assert json.loads(block)["text"] == hostile.text


@pytest.mark.parametrize(
    "url",
    [
        "/admin/archive/quote/",
        "/admin/archive/quote/249/change/",
        "/admin/archive/quote/249/history/",
        "/admin/archive/author/",
        "/admin/archive/document/",
        "/admin/archive/document/{document}/change/",
    ],
)
def test_the_admin_escapes_it(admin_client, hostile, url):
    response = admin_client.get(url.format(document=hostile.document_id))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<img src=x" not in html
    assert '<script>alert("x")' not in html
