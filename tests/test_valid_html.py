"""Every kind of page is valid HTML5 with unique ids: a strict HTML5 parser finds no error."""

import re
from collections import Counter

import html5lib
import pytest

from archive.models import Quote

pytestmark = pytest.mark.django_db

PAGES = [
    ("/", 200),
    ("/quotes/", 200),
    ("/quotes/?q=wages&topic=stalinism&sort=relevance", 200),
    ("/quotes/?speaker=nobody&said_from=x&page=abc", 200),
    ("/quotes/207/", 200),
    ("/quotes/410/", 200),
    ("/authors/", 200),
    ("/authors/nikolai-shmelev/", 200),
    ("/documents/", 200),
    ("/documents/boettke-soviet-admissions/", 200),
    ("/documents/pofo-stalins-anti-egalitarian-labour-reforms/", 200),
    ("/claims/", 200),
    ("/claims/stalinism-continued-leninism/", 200),
    ("/topics/", 200),
    ("/topics/nep/", 200),
    ("/quotes/999999/", 404),
]


@pytest.mark.parametrize("url, status", PAGES)
def test_the_page_is_valid_html5_with_unique_ids(client, url, status):
    response = client.get(url)
    assert response.status_code == status
    html = response.content.decode()
    html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(html)
    duplicated = [i for i, n in Counter(re.findall(r'\sid="([^"]+)"', html)).items() if n > 1]
    assert duplicated == []


def test_the_withdrawn_tombstone_is_valid_html5(client):
    Quote.objects.filter(pk=207).update(status="withdrawn", withdrawn_reason="Test reason.")
    response = client.get("/quotes/207/")
    assert response.status_code == 410
    html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(response.content.decode())
