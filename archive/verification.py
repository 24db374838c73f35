"""Find a quote's exact place in its document's text.

A quote is verbatim: the only differences tolerated between the quote and the document are
runs of whitespace, typographic versus straight quote marks, and elision marks ("…", "...",
". . .", optionally in square brackets) standing for a stretch of the document that was left
out. Nothing else is forgiven: not case, not dashes, not spelling.

This module has no Django imports, so it can be used on plain strings.
"""

import functools
import re
from dataclasses import dataclass

CONTEXT_CHARS = 32  # length of the TextQuoteSelector prefix and suffix
MAX_ELISION_GAP = 4000  # characters an elision may stand for

_QUOTE_MARKS = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
    }
)
_ELISION = re.compile(r"\[?\s*(?:\u2026|\.\s?\.\s?\.)\s*\]?")


@dataclass(frozen=True)
class Location:
    start: int
    end: int
    prefix: str
    suffix: str


def normalize(text):
    """Return (normalized text, original index of each normalized character).

    Whitespace runs become one space and typographic quote marks become straight ones.
    """
    chars = []
    positions = []
    in_space = False
    for index, char in enumerate(text):
        if char.isspace():
            if not in_space and chars:
                chars.append(" ")
                positions.append(index)
            in_space = True
            continue
        in_space = False
        chars.append(char.translate(_QUOTE_MARKS))
        positions.append(index)
    if chars and chars[-1] == " ":
        chars.pop()
        positions.pop()
    return "".join(chars), positions


@functools.lru_cache(maxsize=4)
def normalized_document(text):
    """normalize(text), kept for the last few documents: verifying a document's quotes one
    after another normalizes its text once, not once per quote (a 30 kB text takes ~15 ms).
    The positions it returns are shared: never change them."""
    return normalize(text)


def segments(quote_text):
    """The pieces of a quote between its elision marks, normalized, empty ones dropped."""
    pieces = _ELISION.split(quote_text)
    result = []
    for piece in pieces:
        normalized, _ = normalize(piece)
        normalized = normalized.strip()
        if normalized:
            result.append(normalized)
    return result


def locate(quote_text, document_text):
    """Return the Location of quote_text inside document_text, or None."""
    parts = segments(quote_text)
    if not parts:
        return None
    haystack, positions = normalized_document(document_text)
    first = parts[0]
    search_from = 0
    while True:
        begin = haystack.find(first, search_from)
        if begin < 0:
            return None
        end = begin + len(first)
        for part in parts[1:]:
            found = haystack.find(part, end, end + MAX_ELISION_GAP + len(part))
            if found < 0:
                break
            end = found + len(part)
        else:
            start = positions[begin]
            stop = positions[end - 1] + 1
            return Location(
                start=start,
                end=stop,
                prefix=document_text[max(0, start - CONTEXT_CHARS) : start],
                suffix=document_text[stop : stop + CONTEXT_CHARS],
            )
        search_from = begin + 1


def nearest_passage(quote_text, document_text, width=None):
    """The stretch of document_text most like quote_text, to show a curator what went wrong."""
    haystack, _ = normalized_document(document_text)
    needle = " ".join(segments(quote_text))
    width = width or min(len(needle) + 40, 400)
    words = needle.split(" ")
    votes = {}
    for size in (6, 4, 2):
        for i in range(0, max(1, len(words) - size + 1)):
            shingle = " ".join(words[i : i + size])
            if len(shingle) < 8:
                continue
            at = haystack.find(shingle)
            while at >= 0:
                anchor = max(0, at - len(" ".join(words[:i])) - 1)
                bucket = anchor // 50
                votes[bucket] = votes.get(bucket, 0) + size
                at = haystack.find(shingle, at + 1)
        if votes:
            break
    if not votes:
        return ""
    best = max(votes, key=lambda bucket: (votes[bucket], -bucket)) * 50
    return haystack[best : best + width]
