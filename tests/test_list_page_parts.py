"""A facet's links, written by `toggler` with the unchanged part of the query encoded once,
are the links the `toggle` tag writes."""

import pytest
from django.test import RequestFactory

from archive.templatetags.query import toggle, toggler

QUERIES = [
    "",
    "q=lenin",
    "page=3",
    "q=lenin&page=2&sort=said",
    "topic=nep&q=wage+scales",
    "topic=nep&topic=stalinism&q=a%26b",
    "speaker=lenin&topic=nep&speaker=bukharin",
    "claim=continuity&position=supports&q=terror",
    "claim=continuity&q=terror",
    "kind=article&attribution=verified&page=9&said_from=1921",
    "topic=&q=",
    "q=%22a+phrase%22+-word&document=doc%C3%BC",
]
VALUES = {
    "topic": ["nep", "stalinism", "war-communism", "ünïcode & more", 7],
    "speaker": ["lenin", "bukharin", "trotsky"],
    "claim": ["continuity", "rupture"],
    "document": ["doc", "docü"],
    "kind": ["article", "speech"],
    "attribution": ["verified", "secondary"],
    "position": ["supports", "opposes"],
}


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("name", list(VALUES))
def test_a_facets_links_are_the_toggle_tags_links(query, name):
    request = RequestFactory().get("/quotes/?" + query)
    link = toggler({"request": request}, name)
    asked = [*VALUES[name], *request.GET.getlist(name)]  # new values and selected ones
    assert asked
    for value in asked:
        fresh = RequestFactory().get("/quotes/?" + query)  # toggle's own reading of the query
        assert link(value) == toggle({"request": fresh}, name, value), value


@pytest.mark.parametrize("language", ["en-gb", "fr", "de"])
def test_a_dates_label_names_its_month_as_the_date_filter_does_in_the_active_language(language):
    from datetime import date

    from django.utils import dateformat, translation

    from archive.models import DatePrecision, partial_label

    start, end = date(1921, 2, 19), date(1921, 3, 1)
    with translation.override(language):
        day, month = dateformat.format(start, "j F Y"), dateformat.format(start, "F Y")
        assert partial_label(start, None, DatePrecision.DAY) == day
        assert partial_label(start, None, DatePrecision.MONTH) == month
        assert partial_label(start, None, DatePrecision.YEAR) == "1921"
        assert partial_label(start, end, DatePrecision.RANGE) == (
            f"{day} – {dateformat.format(end, 'j F Y')}"
        )
    if language != "en-gb":
        assert day != "19 February 1921", "the month's name is the language's own"


def test_a_cards_attribution_reads_as_the_models_display_value():
    from datetime import date

    from archive.models import Author, Document, Quote
    from archive.templatetags.cards import quote_card

    speaker, document = Author(name="N", slug="n"), Document(title="D", slug="d")
    for value in [*Quote.Attribution.values, "not-a-choice"]:
        quote = Quote(pk=1, text="T", attribution=value, said_start=date(1921, 2, 19))
        quote.speaker, quote.document = speaker, document
        expected = f'attribution-{value}">{quote.get_attribution_display()}</span>'
        assert expected in quote_card(quote), value
