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
