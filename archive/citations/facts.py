"""The shared pieces of a citation: names, dates, titles and the facts every format needs."""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

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


# Revisions.


@dataclass(frozen=True)
class Revision:
    """Which revision of a quote a citation names: its number and the day it was recorded.

    A citation of a revision cites the quote as it read then, at its revision URL
    /quotes/<id>/v/<n>/, and says so: "revision 2 of November 21, 2026".
    """

    number: int
    day: date


def revision_label(revision, style="chicago"):
    """ "revision 2 of November 21, 2026" (MLA: "… of 21 Nov. 2026"); "" for no revision."""
    if revision is None:
        return ""
    return f"revision {revision.number} of {accessed_date(revision.day, style)}"


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
    revision: Revision | None = None


def facts(quote, url, accessed=None, revision=None):
    """What the citations say about a quote (or one revision of it), worked out once."""
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
        revision=revision,
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
