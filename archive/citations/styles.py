"""Formatted citations of a quote in Chicago, MLA and APA style, as HTML and as plain text."""

from dataclasses import dataclass

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from archive.citations.facts import (
    SITE_NAME,
    Cite,
    Link,
    Quoted,
    accessed_date,
    apa_name,
    close,
    document_title,
    facts,
    inverted_name,
    join_names,
    publication,
    published_date,
    revision_label,
    said_date,
)
from archive.citations.structured import meta_tags


@dataclass(frozen=True)
class Formatted:
    """One formatted citation: `html` for the page, `text` for the copy button."""

    key: str
    label: str
    html: SafeString
    text: str

    def __html__(self):
        return self.html

    def __str__(self):
        return self.html


@dataclass(frozen=True)
class Citations:
    """The quote's citations in each style, and the meta tags reference managers read."""

    chicago: Formatted
    mla: Formatted
    apa: Formatted
    meta_tags: list

    def __iter__(self):
        return iter((self.chicago, self.mla, self.apa))


# Rendering: a citation is a list of sentences, a sentence a list of elements joined by
# commas and ended by a period; an element is a string or a list of strings whose last one
# takes the punctuation.


def punctuate(element, mark):
    """The element's parts, with the mark after it (inside quotation marks, if it has them)."""
    *lead, last = element if isinstance(element, list) else [element]
    if isinstance(last, Quoted):
        return [*lead, "“", close(last, mark), "”"]
    if isinstance(last, Cite | Link):
        return [*lead, last, close(last, mark)[len(last) :]]
    return [*lead, close(last, mark)]


def sentence(*elements):
    """Elements (empty ones left out) joined by commas and ended with a period."""
    elements = [element for element in elements if element]
    parts = []
    for index, element in enumerate(elements):
        last = index == len(elements) - 1
        parts += punctuate(element, "." if last else ",")
        if not last:
            parts.append(" ")
    return parts


def join_sentences(*sentences):
    """Sentences (empty ones left out) separated by spaces."""
    parts = []
    for part in [part for part in sentences if part]:
        parts += ([" "] if parts else []) + part
    return parts


def render_html(parts):
    """HTML of a citation: every string escaped, titles in <cite>, URLs linked."""
    html = []
    for part in parts:
        if isinstance(part, Cite):
            html.append(format_html("<cite>{}</cite>", part))
        elif isinstance(part, Link):
            html.append(format_html('<a href="{}">{}</a>', part, part))
        else:
            html.append(escape(part))
    return mark_safe("".join(html))


def render_text(parts):
    return "".join(parts)


# The three styles.


def chicago_found_in(f):
    """Chicago's sentence naming the document: "Quoted in Peter J. Boettke, “…,” …, 1990."."""
    document = f.document
    title = document_title(document)
    if f.own_words:
        found = [["In ", title]]
    elif f.document_authors:
        found = ["Quoted in " + join_names([author.name for author in f.document_authors]), title]
    else:
        found = [["Quoted in ", title]]
    return sentence(*found, publication(document), published_date(document, "chicago"))


def chicago_parts(quote, f):
    """Chicago (17th ed.), bibliography form.

    Lenin, V. I. “The greatest danger ….” February 19, 1921. Quoted in Peter J. Boettke,
    “Soviet Admissions: …,” The Freeman …, February 1, 1990. Who Said What. Accessed <today>.
    https://…/quotes/207/.
    """
    return join_sentences(
        sentence(inverted_name(f.speaker)),
        sentence(Quoted(f.title)),
        sentence("" if f.said_repeats_document else said_date(quote, "chicago")),
        chicago_found_in(f),
        sentence(SITE_NAME, revision_label(f.revision)),
        sentence("Accessed " + accessed_date(f.accessed, "chicago")),
        sentence(Link(f.url)),
    )


def mla_parts(quote, f):
    """MLA (9th ed.). The URL keeps its https:// so that it can be followed as it is.

    Lenin, V. I. “The greatest danger ….” 19 Feb. 1921. Quoted in “Soviet Admissions: …,” by
    Peter J. Boettke, The Freeman …, 1 Feb. 1990. Who Said What, https://…/quotes/207/.
    Accessed <today>.
    """
    document = f.document
    title = document_title(document)
    if f.own_words:
        found = [title]
    else:
        names = [author.name for author in f.document_authors]
        found = [["Quoted in ", title], "by " + join_names(names) if names else ""]
    return join_sentences(
        sentence(inverted_name(f.speaker)),
        sentence(Quoted(f.title)),
        sentence("" if f.said_repeats_document else said_date(quote, "mla")),
        sentence(*found, publication(document), published_date(document, "mla")),
        sentence(Cite(SITE_NAME), revision_label(f.revision, "mla"), Link(f.url)),
        sentence("Accessed " + accessed_date(f.accessed, "mla")),
    )


def apa_parts(quote, f):
    """APA (7th ed.). Titles are kept as the sources write them, not made sentence case.

    Lenin, V. I. (1921, February 19). The greatest danger … [Quotation]. Quoted in
    P. J. Boettke (1990, February 1), Soviet Admissions: …, The Freeman …. Who Said What.
    Retrieved <today>, from https://…/quotes/207/
    """
    document = f.document
    published = published_date(document, "apa") or "n.d."
    if f.own_words:
        lead = "In " + document.title
        if not f.said_repeats_document:
            lead += f" ({published})"
        found = [lead]
    else:
        names = join_names([apa_name(author, False) for author in f.document_authors], "&")
        found = [f"Quoted in {names or document.title} ({published})"]
        if names:
            found.append(document.title)
    parts = join_sentences(
        sentence(apa_name(f.speaker, True)),
        sentence(f"({said_date(quote, 'apa') or 'n.d.'})"),
        sentence([Cite(f.title), " [Quotation]"]),
        sentence(*found, publication(document)),
        sentence(SITE_NAME, revision_label(f.revision)),
    )
    return parts + [f" Retrieved {accessed_date(f.accessed, 'apa')}, from ", Link(f.url)]


STYLES = [
    ("chicago", "Chicago", chicago_parts),
    ("mla", "MLA", mla_parts),
    ("apa", "APA", apa_parts),
]


def formatted(quote, permanent_url, accessed=None, revision=None):
    """The quote's citations in Chicago, MLA and APA style, and its meta tags.

    With a `revision` (facts.Revision), the citations cite that revision, whose address
    permanent_url then is: "… Who Said What, revision 2 of November 21, 2026. …".
    """
    f = facts(quote, permanent_url, accessed, revision)
    styles = {}
    for key, label, build in STYLES:
        parts = build(quote, f)
        styles[key] = Formatted(key, label, render_html(parts), render_text(parts))
    return Citations(**styles, meta_tags=meta_tags(quote, permanent_url))
