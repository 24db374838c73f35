"""How a quote is cited: formatted references, export files and structured data.

Every function takes a Quote (with speaker and document loaded; document.authors prefetched
saves a query) and the absolute permanent URL of its page, `https://…/quotes/<id>/`.

What a citation of a quote says, in every format:

- The author is the speaker: the person who said the words, not the document's author.
- The title is the quote's opening words (TITLE_WORDS of them, "…" when shortened): a quote
  has no title of its own, and its opening words are how readers recognise it.
- The date is when the words were said, at the precision the sources give; a range of dates is
  cited by its years ("1988–1989").
- The quote is cited as found: "Quoted in" the document (its authors, title, publication and
  date), or just "In" the document when the speaker wrote it.
- Then the archive, "Who Said What", the permanent URL and the date it was accessed (today).
"""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from archive.models import Author, DatePrecision, Document

SITE_NAME = "Who Said What"
TITLE_WORDS = 12
DESCRIPTION_WORDS = 40

# Documents whose publication is a periodical, whose name is set in italics. Other
# publications ("Paper for the international conference …", a forum's name) stay roman.
PERIODICALS = {Document.Kind.ARTICLE, Document.Kind.INTERVIEW}

MONTHS = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip
MLA_MONTHS = [
    "Jan.", "Feb.", "Mar.", "Apr.", "May", "June",
    "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec.",
]  # fmt: skip


# Pieces of a formatted citation. A citation is built as a list of strings, some of them
# marked as titles or links, and rendered both as HTML and as plain text.


class Cite(str):
    """A title set in italics: <cite> in HTML."""


class Quoted(str):
    """A title in quotation marks; a comma or period after it goes inside the marks."""


class Link(str):
    """A URL: a link in HTML."""


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


@dataclass(frozen=True)
class Export:
    """A downloadable citation file: /quotes/<id>/cite.<extension>."""

    render: Callable
    content_type: str
    extension: str


# Words, names and dates.


def collapse(text):
    """The text on one line, with runs of whitespace made single spaces."""
    return " ".join(text.split())


def opening_words(text, count=TITLE_WORDS):
    """The quote's first `count` words, with "…" when there are more: the quote's title."""
    words = text.split()
    if len(words) <= count:
        return " ".join(words)
    return " ".join(words[:count]).rstrip(",;:–—-") + "…"


def close(text, mark):
    """The text followed by `mark` ("," or "."), unless its own punctuation already ends it."""
    if not text or text[-1] in "?!" or (mark == "." and text[-1] in ".…"):
        return text
    return text + mark


def split_name(author):
    """(family, given) for a person whose sort name is "Family, Given"; None for others."""
    if author.kind != Author.Kind.PERSON or ", " not in author.sort_name:
        return None
    family, given = author.sort_name.split(", ", 1)
    return family, given


def inverted_name(author):
    """ "Lenin, V. I." for a person; a pseudonym or organisation as it is ("Sheep...")."""
    return author.sort_name if split_name(author) else author.name


def initials(given):
    """APA's initials of given names: "Peter J." → "P. J."."""
    return " ".join(word if word.endswith(".") else word[0] + "." for word in given.split())


def apa_name(author, inverted):
    """A name as APA writes it: "Boettke, P. J." (inverted) or "P. J. Boettke"."""
    parts = split_name(author)
    if not parts:
        return author.name
    family, given = parts
    return f"{family}, {initials(given)}" if inverted else f"{initials(given)} {family}"


def join_names(names, conjunction="and"):
    """ "A", "A and B", "A, B, and C"."""
    if len(names) < 3:
        return f" {conjunction} ".join(names)
    return ", ".join(names[:-1]) + f", {conjunction} " + names[-1]


def human_date(start, end, precision, style):
    """A date as the style writes it, as precisely as it is known; "" when unknown.

    Styles: "chicago" (February 19, 1921), "mla" (19 Feb. 1921), "apa" (1921, February 19).
    A range is given by its years.
    """
    if start is None:
        return ""
    if precision == DatePrecision.RANGE:
        last = (end or start).year
        return str(start.year) if last == start.year else f"{start.year}–{last}"
    if precision == DatePrecision.YEAR:
        return str(start.year)
    month = (MLA_MONTHS if style == "mla" else MONTHS)[start.month - 1]
    if precision == DatePrecision.MONTH:
        return f"{start.year}, {month}" if style == "apa" else f"{month} {start.year}"
    if style == "apa":
        return f"{start.year}, {month} {start.day}"
    if style == "mla":
        return f"{start.day} {month} {start.year}"
    return f"{month} {start.day}, {start.year}"


def single_date(quote):
    """One partial ISO date for the quote (a range gives its first year); "" when unknown."""
    if quote.said_start is None:
        return ""
    if quote.said_precision == DatePrecision.RANGE:
        return str(quote.said_start.year)
    return quote.said_iso


# Facts every style needs.


@dataclass(frozen=True)
class Facts:
    speaker: Author
    title: str
    document: Document
    document_authors: list
    own_words: bool
    said_repeats_document: bool
    url: str
    accessed: date


def facts(quote, url, accessed=None):
    """What the citations say about a quote, worked out once."""
    document = quote.document
    authors = list(document.authors.all())
    own_words = quote.speaker_id in {author.pk for author in authors}
    return Facts(
        speaker=quote.speaker,
        title=opening_words(quote.text),
        document=document,
        document_authors=authors,
        own_words=own_words,
        said_repeats_document=own_words and quote.said_iso == document.published_iso,
        url=url,
        accessed=accessed or timezone.localdate(),
    )


def said_date(quote, style):
    return human_date(quote.said_start, quote.said_end, quote.said_precision, style)


def published_date(document, style):
    published = document.published_on
    return human_date(published, published, document.published_precision, style)


def accessed_date(day, style):
    return human_date(day, day, DatePrecision.DAY, "mla" if style == "mla" else "chicago")


def publication(document):
    """The document's publication, in italics if it is a periodical."""
    if not document.publication:
        return None
    return Cite(document.publication) if document.kind in PERIODICALS else document.publication


def document_title(document):
    """A book's title in italics; any other document's title in quotation marks."""
    return Cite(document.title) if document.kind == Document.Kind.BOOK else Quoted(document.title)


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
        sentence(SITE_NAME),
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
        sentence(Cite(SITE_NAME), Link(f.url)),
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
        sentence(SITE_NAME),
    )
    return parts + [f" Retrieved {accessed_date(f.accessed, 'apa')}, from ", Link(f.url)]


STYLES = [
    ("chicago", "Chicago", chicago_parts),
    ("mla", "MLA", mla_parts),
    ("apa", "APA", apa_parts),
]


def formatted(quote, permanent_url, accessed=None):
    """The quote's citations in Chicago, MLA and APA style, and its meta tags."""
    f = facts(quote, permanent_url, accessed)
    styles = {}
    for key, label, build in STYLES:
        parts = build(quote, f)
        styles[key] = Formatted(key, label, render_html(parts), render_text(parts))
    return Citations(**styles, meta_tags=meta_tags(quote, permanent_url))


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


def json_ld(quote, permanent_url, document_url):
    """The quote as a schema.org Quotation (a dict).

    dateCreated is quote.said_iso: a partial date ("1921", "1921-02") or, for a range, an
    ISO 8601 interval ("1988-05-01/1988-08-31"); left out when unknown. isPartOf is the
    document the quote was found in, with its page on this site as url.
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


def json_ld_script(quote, permanent_url, document_url):
    """The whole <script type="application/ld+json"> element, safe to put in a page."""
    data = json.dumps(json_ld(quote, permanent_url, document_url), ensure_ascii=False, indent=2)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(data.translate(JSON_SCRIPT_ESCAPES)),
    )


# Export files.


def export_note(quote, f):
    """Plain text for an export's note: where the quote was found and its original source."""
    note = render_text(chicago_found_in(f))
    if quote.original_source:
        note += " Original source: " + close(collapse(quote.original_source), ".")
    if quote.via:
        note += " Relayed: " + close(collapse(quote.via), ".")
    return note


def entry_key(quote):
    return f"quote{quote.pk}"


# BibTeX's special characters, written so that LaTeX prints them as they are.
BIBTEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "#": r"\#",
    "_": r"\_",
    "$": r"\$",
    "^": r"\^{}",
    "~": r"\~{}",
}
BIBTEX_SPECIAL = re.compile("|".join(re.escape(character) for character in BIBTEX_ESCAPES))


def bibtex_escape(text):
    """One line of text with BibTeX's special characters escaped; UTF-8 otherwise as it is."""
    return BIBTEX_SPECIAL.sub(lambda match: BIBTEX_ESCAPES[match.group()], collapse(text))


def bibtex_name(author):
    """ "Lenin, V. I." for a person; other names braced so BibTeX does not split them."""
    name = bibtex_escape(inverted_name(author))
    return name if split_name(author) else "{" + name + "}"


def render_bibtex(quote, permanent_url, accessed=None):
    """A biblatex @misc entry keyed quote<id>; date is biblatex's (partial or range) ISO date."""
    f = facts(quote, permanent_url, accessed)
    fields = [
        ("author", bibtex_name(quote.speaker)),
        ("title", bibtex_escape(f.title)),
    ]
    if quote.said_start:
        fields += [("date", quote.said_iso), ("year", str(quote.said_start.year))]
    fields += [
        ("howpublished", bibtex_escape(SITE_NAME)),
        ("url", permanent_url),
        ("urldate", f.accessed.isoformat()),
        ("note", bibtex_escape(export_note(quote, f))),
        ("abstract", bibtex_escape(quote.text)),
    ]
    lines = [f"@misc{{{entry_key(quote)},"]
    lines += [f"  {name} = {{{value}}}," for name, value in fields]
    return "\n".join(lines) + "\n}\n"


def ris_date(quote):
    """RIS's DA: "1921/02/19/", "1921/02//", "1921///"; a range gives its first year."""
    iso = single_date(quote)
    parts = iso.split("-") + ["", ""]
    return "/".join(parts[:3]) + "/"


def render_ris(quote, permanent_url, accessed=None):
    """An RIS record of type GEN; every value on one line."""
    f = facts(quote, permanent_url, accessed)
    tags = [("TY", "GEN"), ("AU", inverted_name(quote.speaker)), ("TI", f.title)]
    if quote.said_start:
        tags += [("PY", str(quote.said_start.year)), ("DA", ris_date(quote))]
    tags += [
        ("T2", quote.document.title),
        ("PB", SITE_NAME),
        ("UR", permanent_url),
        ("Y2", f.accessed.strftime("%Y/%m/%d/")),
        ("AB", quote.text),
        ("N1", export_note(quote, f)),
    ]
    lines = [f"{tag}  - {collapse(value)}" for tag, value in tags]
    return "\r\n".join([*lines, "ER  - ", ""])


def csl_name(author):
    """CSL-JSON name: {"family", "given"} for a person, {"literal"} for others."""
    parts = split_name(author)
    if not parts:
        return {"literal": author.name}
    family, given = parts
    return {"family": family, "given": given}


def date_parts(day, precision):
    if precision == DatePrecision.YEAR:
        return [day.year]
    if precision == DatePrecision.MONTH:
        return [day.year, day.month]
    return [day.year, day.month, day.day]


def csl_issued(quote):
    """CSL-JSON date of a quote at its precision; a range, as everywhere, by its years."""
    if quote.said_precision == DatePrecision.RANGE:
        first, last = quote.said_start.year, (quote.said_end or quote.said_start).year
        return {"date-parts": [[first]] if first == last else [[first], [last]]}
    return {"date-parts": [date_parts(quote.said_start, quote.said_precision)]}


def csl_item(quote, permanent_url, accessed=None):
    """The quote as a CSL-JSON item of type "document", found in its document."""
    f = facts(quote, permanent_url, accessed)
    item = {
        "id": entry_key(quote),
        "type": "document",
        "title": f.title,
        "author": [csl_name(quote.speaker)],
    }
    if quote.said_start:
        item["issued"] = csl_issued(quote)
    item.update(
        {
            "container-title": quote.document.title,
            "archive": SITE_NAME,
            "URL": permanent_url,
            "accessed": {"date-parts": [date_parts(f.accessed, DatePrecision.DAY)]},
            "abstract": quote.text,
            "note": export_note(quote, f),
        }
    )
    return item


def render_csl_json(quote, permanent_url, accessed=None):
    """A CSL-JSON array of one item."""
    item = csl_item(quote, permanent_url, accessed)
    return json.dumps([item], ensure_ascii=False, indent=2) + "\n"


EXPORTS = {
    "bib": Export(render_bibtex, "application/x-bibtex; charset=utf-8", "bib"),
    "ris": Export(render_ris, "application/x-research-info-systems; charset=utf-8", "ris"),
    "json": Export(render_csl_json, "application/vnd.citationstyles.csl+json", "json"),
}
