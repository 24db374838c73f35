"""`{% quote_card quote %}`: the card that shows a quote in every list of quotes.

List pages show up to 30 cards. Written with format_html_quickly a card takes ~30 µs
(format_html: ~55 µs, the same string); as an included template it took ~150 µs (a variable
lookup, escaping and localizing for each of its 14 fields), the largest part of rendering a
list page. The markup is the same, byte for byte.
"""

from django import template
from django.utils.safestring import mark_safe

from archive.escaping import format_html_quickly
from archive.filters import facet_label

register = template.Library()

CARD = """<article class="quote-card">
  <blockquote cite="{url}"><p>{text}</p></blockquote>
  <p class="quote-meta">
    <a href="{speaker_url}" class="speaker">{speaker}</a>{said}
    · found in <a href="{document_url}#q-{pk}"><cite>{title}</cite></a>
    · <span class="attribution attribution-{attribution}">{attribution_label}</span>
    · <a href="{url}" class="permalink">Quote {pk}</a>
  </p>
</article>
"""
UNDATED = mark_safe(', <span class="undated">date not given</span>')


@register.simple_tag
def quote_card(quote):
    """The quote's text (or its search headline, already escaped and marked), speaker, date
    said, document, attribution and permanent link. The quote needs its speaker and document;
    a field shown here that Quote.objects.for_cards() does not read costs a query per card."""
    if quote.said_start:
        said = format_html_quickly(
            ', <time datetime="{}">{}</time>', quote.said_start.isoformat(), quote.said_label()
        )
    else:
        said = UNDATED
    return format_html_quickly(
        CARD,
        url=quote.get_absolute_url(),
        text=quote.headline or quote.text,
        speaker_url=quote.speaker.get_absolute_url(),
        speaker=quote.speaker.name,
        said=said,
        document_url=quote.document.get_absolute_url(),
        pk=quote.pk,
        title=quote.document.title,
        attribution=quote.attribution,
        # As the facets name it: get_attribution_display() builds the choices' dict each call.
        attribution_label=facet_label("attribution", quote.attribution),
    )
