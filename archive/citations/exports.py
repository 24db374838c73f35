"""Downloadable citation files: BibTeX, RIS and CSL-JSON."""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from archive.citations.facts import (
    SITE_NAME,
    close,
    collapse,
    facts,
    inverted_name,
    revision_label,
    single_date,
    split_name,
)
from archive.citations.styles import chicago_found_in, render_text
from archive.models import DatePrecision


@dataclass(frozen=True)
class Export:
    """A downloadable citation file: /quotes/<id>/cite.<extension>."""

    render: Callable
    content_type: str
    extension: str


# Export files.


def export_note(quote, f):
    """Plain text for an export's note: the revision cited, if one is, where the quote was
    found and its original source."""
    note = render_text(chicago_found_in(f))
    if f.revision:
        label = revision_label(f.revision)
        note = f"{label[0].upper()}{label[1:]}. {note}"
    if quote.original_source:
        note += " Original source: " + close(collapse(quote.original_source), ".")
    if quote.via:
        note += " Relayed: " + close(collapse(quote.via), ".")
    return note


def entry_key(quote, revision=None):
    """ "quote207"; "quote207v2" for revision 2."""
    return f"quote{quote.pk}" + (f"v{revision.number}" if revision else "")


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


def render_bibtex(quote, permanent_url, accessed=None, revision=None):
    """A biblatex @misc entry keyed quote<id>; date is biblatex's (partial or range) ISO date.

    A revision is keyed quote<id>v<n>, with version = {<n>} and the note naming it.
    """
    f = facts(quote, permanent_url, accessed, revision)
    fields = [
        ("author", bibtex_name(quote.speaker)),
        ("title", bibtex_escape(f.title)),
    ]
    if quote.said_start:
        fields += [("date", quote.said_iso), ("year", str(quote.said_start.year))]
    fields += [
        ("howpublished", bibtex_escape(SITE_NAME)),
    ]
    if revision:
        fields.append(("version", str(revision.number)))
    fields += [
        ("url", permanent_url),
        ("urldate", f.accessed.isoformat()),
        ("note", bibtex_escape(export_note(quote, f))),
        ("abstract", bibtex_escape(quote.text)),
    ]
    lines = [f"@misc{{{entry_key(quote, revision)},"]
    lines += [f"  {name} = {{{value}}}," for name, value in fields]
    return "\n".join(lines) + "\n}\n"


def ris_date(quote):
    """RIS's DA: "1921/02/19/", "1921/02//", "1921///"; a range gives its first year."""
    iso = single_date(quote)
    parts = iso.split("-") + ["", ""]
    return "/".join(parts[:3]) + "/"


def render_ris(quote, permanent_url, accessed=None, revision=None):
    """An RIS record of type GEN; every value on one line. A revision is named in ET."""
    f = facts(quote, permanent_url, accessed, revision)
    tags = [("TY", "GEN"), ("AU", inverted_name(quote.speaker)), ("TI", f.title)]
    if quote.said_start:
        tags += [("PY", str(quote.said_start.year)), ("DA", ris_date(quote))]
    tags += [
        ("T2", quote.document.title),
    ]
    if revision:
        tags.append(("ET", revision_label(revision)))
    tags += [
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


def csl_item(quote, permanent_url, accessed=None, revision=None):
    """The quote as a CSL-JSON item of type "document", found in its document.

    A revision is item quote<id>v<n>, with its number as "version" and the note naming it.
    """
    f = facts(quote, permanent_url, accessed, revision)
    item = {
        "id": entry_key(quote, revision),
        "type": "document",
        "title": f.title,
        "author": [csl_name(quote.speaker)],
    }
    if quote.said_start:
        item["issued"] = csl_issued(quote)
    if revision:
        item["version"] = str(revision.number)
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


def render_csl_json(quote, permanent_url, accessed=None, revision=None):
    """A CSL-JSON array of one item."""
    item = csl_item(quote, permanent_url, accessed, revision)
    return json.dumps([item], ensure_ascii=False, indent=2) + "\n"


EXPORTS = {
    "bib": Export(render_bibtex, "application/x-bibtex; charset=utf-8", "bib"),
    "ris": Export(render_ris, "application/x-research-info-systems; charset=utf-8", "ris"),
    "json": Export(render_csl_json, "application/vnd.citationstyles.csl+json", "json"),
}
