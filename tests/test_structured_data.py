"""What machines read on a quote page (/quotes/<id>/): the canonical link, the schema.org
Quotation in JSON-LD, the citation_* and og:* meta tags, and the "Cite this quote" section."""

import json
from html.parser import HTMLParser

import pytest

from archive import citations
from archive.models import Author, Quote

pytestmark = pytest.mark.django_db

HOSTILE = '</script><script>alert(1)</script> "quoted" & <!-- it'


class PageReader(HTMLParser):
    """Collects a page's links, meta tags and script elements, as a crawler would."""

    def __init__(self, html):
        super().__init__()
        self.links, self.metas, self.scripts = [], [], []
        self._script = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link":
            self.links.append(attrs)
        elif tag == "meta":
            self.metas.append(attrs)
        elif tag == "script":
            self._script = {"attrs": attrs, "text": ""}
            self.scripts.append(self._script)

    def handle_data(self, data):
        if self._script is not None:
            self._script["text"] += data

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None

    def json_ld(self):
        return [
            json.loads(script["text"])
            for script in self.scripts
            if script["attrs"].get("type") == "application/ld+json"
        ]

    def meta(self, key):
        """Contents of the meta tags with this name or property, in order."""
        return [
            meta["content"]
            for meta in self.metas
            if key in (meta.get("name"), meta.get("property"))
        ]


def read_page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), PageReader(response.content.decode())


def test_it_links_the_canonical_permanent_url(client):
    _, page = read_page(client, "/quotes/207/")
    canonical = [link["href"] for link in page.links if link.get("rel") == "canonical"]
    assert canonical == ["http://testserver/quotes/207/"]


def test_it_describes_a_relayed_quote_as_a_schema_org_quotation(client):
    _, page = read_page(client, "/quotes/207/")
    [data] = page.json_ld()
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Quotation"
    assert data["@id"] == data["url"] == "http://testserver/quotes/207/"
    assert data["text"] == Quote.objects.get(pk=207).text
    assert data["creator"] == {"@type": "Person", "name": "V. I. Lenin"}
    assert data["dateCreated"] == "1921-02-19"
    assert data["isPartOf"] == {
        "@type": "CreativeWork",
        "name": "Soviet Admissions: Communism Doesn’t Work",
        "url": "http://testserver/documents/boettke-soviet-admissions/",
        "author": [{"@type": "Person", "name": "Peter J. Boettke"}],
        "datePublished": "1990-02-01",
    }
    assert data["citation"] == ("Letter to G. M. Krzhizhanovsky, Collected Works, vol. 35, p. 475.")


def test_it_gives_partial_dates_and_leaves_out_what_is_unknown(client):
    [data] = read_page(client, "/quotes/215/")[1].json_ld()
    assert data["dateCreated"] == "1987-06"
    [data] = read_page(client, "/quotes/210/")[1].json_ld()
    assert data["dateCreated"] == "1988-05-01/1988-08-31"
    _, page = read_page(client, "/quotes/410/")
    [data] = page.json_ld()
    assert "dateCreated" not in data
    assert "citation" not in data
    assert data["creator"] == {"@type": "Person", "name": "Sheep..."}
    assert data["isPartOf"]["author"] == []
    assert page.meta("citation_date") == []


def test_it_calls_an_organisation_an_organization(client):
    Author.objects.filter(slug="sheep").update(kind=Author.Kind.ORGANISATION)
    [data] = read_page(client, "/quotes/410/")[1].json_ld()
    assert data["creator"] == {"@type": "Organization", "name": "Sheep..."}


def test_it_has_the_meta_tags_reference_managers_and_link_previews_read(client):
    _, page = read_page(client, "/quotes/207/")
    opening = "The greatest danger is that the work of planning the state economy…"
    assert page.meta("citation_title") == [opening]
    assert page.meta("citation_author") == ["Lenin, V. I."]
    assert page.meta("citation_date") == ["1921/02/19"]
    assert page.meta("citation_public_url") == ["http://testserver/quotes/207/"]
    assert page.meta("og:title") == [f"V. I. Lenin: “{opening}”"]
    assert page.meta("og:description")[0].startswith("The greatest danger is that")
    assert page.meta("og:url") == ["http://testserver/quotes/207/"]
    assert page.meta("og:site_name") == ["Who Said What"]
    assert page.meta("og:type") == ["article"]


def test_it_shows_the_citations_as_text_and_loads_the_copy_script_from_a_file(client):
    html, page = read_page(client, "/quotes/207/")
    assert 'id="cite-heading">Cite this quote</h2>' in html
    assert "Lenin, V. I. “The greatest danger is that" in html
    assert 'href="/quotes/207/cite.bib"' in html
    assert 'href="/quotes/207/cite.ris"' in html
    assert 'href="/quotes/207/cite.json"' in html
    assert 'role="status"' in html
    section = html[html.index('<section class="cite-this"') :]
    section = section[: section.index("</section>")]
    assert "<button" not in section  # the copy buttons come with the script, never dead
    sources = [script["attrs"].get("src") for script in page.scripts]
    assert "/static/js/copy-citation.js" in sources
    for script in page.scripts:
        assert script["attrs"].get("src") or script["attrs"]["type"] == "application/ld+json"


def test_it_keeps_hostile_quote_text_inert(client):
    Quote.objects.filter(pk=207).update(text=HOSTILE)
    Author.objects.filter(slug="lenin").update(name='V. I. "<b>Lenin</b>"')
    html, page = read_page(client, "/quotes/207/")
    assert "<script>alert" not in html
    assert "<b>Lenin" not in html
    [data] = page.json_ld()
    assert data["text"] == HOSTILE
    assert data["creator"]["name"] == 'V. I. "<b>Lenin</b>"'
    assert page.meta("og:title") == ['V. I. "<b>Lenin</b>": “' + HOSTILE + "”"]
    assert page.meta("og:description") == [HOSTILE]


def test_the_json_ld_script_escapes_markup_characters():
    quote = Quote.objects.with_speaker().get(pk=207)
    quote.text = HOSTILE
    script = citations.json_ld_script(quote, "https://example.org/quotes/207/", "https://x/")
    assert script.startswith('<script type="application/ld+json">')
    assert script.count("<") == 2  # the element's own start and end tags
    assert "\\u003c/script\\u003e\\u003cscript\\u003ealert(1)" in script
    assert "\\u0026" in script
