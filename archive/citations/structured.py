"""Structured data for a quote's page: meta tags for reference managers and JSON-LD."""

import json

from django.utils.html import format_html
from django.utils.safestring import mark_safe

from archive.citations.facts import (
    DESCRIPTION_WORDS,
    SITE_NAME,
    inverted_name,
    opening_words,
    single_date,
)
from archive.models import Author

# Meta tags and structured data.


def meta_tags(quote, permanent_url):
    """(attribute, name, content) of the page's meta tags, in order.

    For reference managers (Highwire Press tags, read by Zotero and Google Scholar) the cited
    work is the quote: citation_title is its opening words, the one citation_author is the
    speaker ("Lenin, V. I."), citation_date is when it was said (YYYY/MM/DD, YYYY/MM or YYYY;
    a range gives its first year; left out when unknown). For link previews, og:title is
    "Speaker: “opening words…”" and og:description the quote's first DESCRIPTION_WORDS words.
    """
    title = opening_words(quote.text)
    tags = [
        ("name", "citation_title", title),
        ("name", "citation_author", inverted_name(quote.speaker)),
    ]
    if quote.said_start:
        tags.append(("name", "citation_date", single_date(quote).replace("-", "/")))
    tags += [
        ("name", "citation_public_url", permanent_url),
        ("property", "og:title", f"{quote.speaker.name}: “{title}”"),
        ("property", "og:description", opening_words(quote.text, DESCRIPTION_WORDS)),
        ("property", "og:url", permanent_url),
        ("property", "og:site_name", SITE_NAME),
        ("property", "og:type", "article"),
    ]
    return tags


def schema_agent(author):
    """A schema.org Person or Organization; pseudonymous posters are persons."""
    kind = "Organization" if author.kind == Author.Kind.ORGANISATION else "Person"
    return {"@type": kind, "name": author.name}


def json_ld(quote, permanent_url, document_url, revision=None):
    """The quote as a schema.org Quotation (a dict).

    dateCreated is quote.said_iso: a partial date ("1921", "1921-02") or, for a range, an
    ISO 8601 interval ("1988-05-01/1988-08-31"); left out when unknown. isPartOf is the
    document the quote was found in, with its page on this site as url. A revision
    (facts.Revision) adds its number as "version"; permanent_url is then its address.
    """
    document = quote.document
    part_of = {
        "@type": "CreativeWork",
        "name": document.title,
        "url": document_url,
        "author": [schema_agent(author) for author in document.authors.all()],
    }
    if document.published_iso:
        part_of["datePublished"] = document.published_iso
    data = {
        "@context": "https://schema.org",
        "@type": "Quotation",
        "@id": permanent_url,
        "url": permanent_url,
        "text": quote.text,
        "creator": schema_agent(quote.speaker),
    }
    if quote.said_iso:
        data["dateCreated"] = quote.said_iso
    if revision:
        data["version"] = str(revision.number)
    data["isPartOf"] = part_of
    if quote.original_source:
        data["citation"] = quote.original_source
    return data


# "<", ">" and "&" written as JSON escapes, so that no "</script>" or "<!--" in a quote can end
# or change the script element; U+2028 and U+2029 escaped for older JavaScript parsers.
JSON_SCRIPT_ESCAPES = {
    ord("<"): "\\u003c",
    ord(">"): "\\u003e",
    ord("&"): "\\u0026",
    ord("\u2028"): "\\u2028",
    ord("\u2029"): "\\u2029",
}


def json_ld_script(quote, permanent_url, document_url, revision=None):
    """The whole <script type="application/ld+json"> element, safe to put in a page."""
    data = json_ld(quote, permanent_url, document_url, revision)
    data = json.dumps(data, ensure_ascii=False, indent=2)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(data.translate(JSON_SCRIPT_ESCAPES)),
    )
