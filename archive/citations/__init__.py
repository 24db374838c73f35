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
- A citation of one revision (an optional `revision`, a `Revision(number, day)`) names it
  after the archive, "revision 2 of November 21, 2026", and its URL is the revision's,
  `https://…/quotes/<id>/v/<n>/`; the quote's values are those the revision recorded.
"""

from archive.citations.exports import EXPORTS, Export
from archive.citations.facts import Revision
from archive.citations.structured import json_ld, json_ld_script, meta_tags
from archive.citations.styles import Citations, Formatted, formatted

__all__ = [
    "EXPORTS",
    "Citations",
    "Export",
    "Formatted",
    "Revision",
    "formatted",
    "json_ld",
    "json_ld_script",
    "meta_tags",
]
