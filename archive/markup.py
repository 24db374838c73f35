"""A document's full text as HTML, with every located quote marked where it stands."""

from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe


def paragraphs(text):
    """(start, end) of each paragraph: runs of text separated by blank lines."""
    spans = []
    position = 0
    for block in text.split("\n\n"):
        stripped = block.strip("\n")
        if stripped.strip():
            start = position + block.index(stripped)
            spans.append((start, start + len(stripped)))
        position += len(block) + 2
    return spans


def mark_quotes(text, quotes):
    """Escape the text and wrap each quote in <mark id="q-<id>">, paragraph by paragraph.

    A quote that runs across paragraphs is marked in each of them; only the first piece carries
    the id. Quotes must not overlap (the fixtures are checked for that); a quote that overlaps
    an earlier one is left unmarked rather than breaking the markup.
    """
    located = sorted(
        (q for q in quotes if q.start_offset is not None), key=lambda q: q.start_offset
    )
    kept = []
    reached = 0
    for quote in located:
        if quote.start_offset >= reached:
            kept.append(quote)
            reached = quote.end_offset
    html = []
    for start, end in paragraphs(text):
        pieces = []
        cursor = start
        for quote in kept:
            if quote.end_offset <= start or quote.start_offset >= end:
                continue
            piece_start, piece_end = max(quote.start_offset, start), min(quote.end_offset, end)
            pieces.append(escape(text[cursor:piece_start]))
            opening = piece_start == quote.start_offset
            pieces.append(
                format_html(
                    '<mark{} class="quote-mark"><a href="{}" title="{}">{}</a></mark>',
                    format_html(' id="q-{}"', quote.pk) if opening else "",
                    quote.get_absolute_url(),
                    f"Quote {quote.pk}: {quote.speaker.name}",
                    text[piece_start:piece_end],
                )
            )
            cursor = piece_end
        pieces.append(escape(text[cursor:end]))
        body = "".join(str(piece) for piece in pieces).replace("\n", "<br>\n")
        html.append(f"<p>{body}</p>")
    return mark_safe("\n".join(html))
