"""archive/cards.py: a page of quote cards read by id in one statement, as the ORM reads them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from archive import search
from archive.cards import read_cards
from archive.filters import FoundPage, QuoteFilter
from archive.models import CARD_FIELDS, Quote
from archive.templatetags.cards import quote_card

pytestmark = pytest.mark.django_db


def card_values(quote):
    """Every field a card reads, its speaker's and its document's, and their types."""
    values = {name: getattr(quote, name) for name in ["pk", "speaker_id", "document_id"]}
    values.update({name: getattr(quote, name) for name in CARD_FIELDS[""]})
    for relation in ["speaker", "document"]:
        related = getattr(quote, relation)
        values.update(
            {f"{relation}.{name}": getattr(related, name) for name in CARD_FIELDS[relation]}
        )
        values[f"{relation}.pk"] = related.pk
    return {name: (value, type(value)) for name, value in values.items()}


@pytest.fixture
def mixed_ids():
    """Published quotes, dated and undated, in no particular order, with a quote readers may
    not see (a draft) and an id no quote has."""
    published = Quote.objects.published()
    dated = list(
        published.filter(said_start__isnull=False).order_by("-id").values_list("pk", flat=True)[:6]
    )
    undated = list(published.filter(said_start__isnull=True).values_list("pk", flat=True)[:2])
    draft = Quote.objects.filter(pk=dated[0])
    draft.update(status=Quote.Status.DRAFT)
    assert dated and undated
    ids = [dated[2], undated[0], dated[4], dated[0], 999_999, dated[5], dated[1], *undated[1:]]
    assert ids != sorted(ids) and ids != sorted(ids, reverse=True)
    return ids


def test_it_reads_what_the_orm_reads_in_the_order_asked_leaving_out_what_readers_may_not_see(
    mixed_ids,
):
    orm = Quote.objects.published().for_cards().in_bulk(mixed_ids)
    expected = [orm[pk] for pk in mixed_ids if pk in orm]
    assert len(expected) == len(mixed_ids) - 2  # the draft and the missing id
    with CaptureQueriesContext(connection) as queries:
        read = read_cards(mixed_ids)
        cards = [quote_card(quote) for quote in read]  # every field a card shows
    assert len(queries) == 1
    assert [quote.pk for quote in read] == [quote.pk for quote in expected]
    assert [card_values(quote) for quote in read] == [card_values(quote) for quote in expected]
    assert cards == [quote_card(quote) for quote in expected]
    assert all(not quote._state.adding and quote._state.db == "default" for quote in read)


def test_a_field_no_card_shows_is_deferred_and_read_when_asked_for(mixed_ids):
    quote = read_cards(mixed_ids)[0]
    assert "text" not in quote.get_deferred_fields()
    assert "prefix" in quote.get_deferred_fields()
    assert quote.prefix == Quote.objects.get(pk=quote.pk).prefix


def test_no_ids_reads_nothing():
    with CaptureQueriesContext(connection) as queries:
        assert read_cards([]) == []
    assert len(queries) == 0


@pytest.mark.parametrize("words", ["Stalin", "wages Lenin", '"new economic policy"'])
def test_it_reads_the_searchs_marked_text_as_the_orm_does(words):
    found = list(
        search.search_quotes(Quote.objects.published(), words).values_list("pk", flat=True)[:10]
    )
    assert found
    column = search.marked_text_column(words)
    read = read_cards(found, column)
    orm = search.with_marked_text(Quote.objects.published().for_cards(), words).in_bulk(found)
    if column is None:  # SQLite marks the text in Python (search.add_headlines)
        assert connection.vendor != "postgresql"
        assert not any(hasattr(quote, "marked_text") for quote in read)
    else:
        assert [quote.marked_text for quote in read] == [orm[pk].marked_text for pk in found]
        assert any(search.MARK_START in quote.marked_text for quote in read)
    headlines = [quote.headline for quote in search.add_headlines(read, words)]
    assert headlines == [
        quote.headline for quote in search.add_headlines([orm[pk] for pk in found], words)
    ]


def test_a_quote_no_longer_found_in_its_document_is_left_out_as_published_leaves_it_out():
    ids = list(Quote.objects.published().order_by("id").values_list("pk", flat=True)[:3])
    Quote.objects.filter(pk=ids[1]).update(start_offset=None, end_offset=None)
    assert [quote.pk for quote in read_cards(ids)] == [ids[0], ids[2]]
    assert set(Quote.objects.published().filter(pk__in=ids).values_list("pk", flat=True)) == {
        ids[0],
        ids[2],
    }


@pytest.mark.parametrize("raw", ["1", "2", "999"])
@pytest.mark.parametrize("words", ["the", "wages Lenin", '"new economic policy"'])
def test_a_searchs_page_reads_its_cards_in_the_statement_that_finds_them_as_read_cards_does(
    words, raw
):
    column = search.marked_text_column(words)
    asked = FoundPage(raw, 3, marked_text=column)
    with CaptureQueriesContext(connection) as queries:
        _, total, found = QuoteFilter({"q": words}, queryset=Quote.objects.published()).counts(
            limit=10_000, page=asked
        )
    assert len(queries) == 1
    assert found is asked and found.ids
    if words == "the":
        assert total > 3
    if raw != "1" and total > 3:
        assert found.start > 0  # a page after the first (the last, for 999)
    expected = read_cards(found.ids, column)
    assert [quote.pk for quote in found.cards] == list(found.ids)
    assert [card_values(quote) for quote in found.cards] == [
        card_values(quote) for quote in expected
    ]
    assert [quote_card(quote) for quote in found.cards] == [quote_card(quote) for quote in expected]
    if column is not None:
        assert [quote.marked_text for quote in found.cards] == [
            quote.marked_text for quote in expected
        ]
    else:
        assert connection.vendor != "postgresql"


def test_a_search_with_more_matches_than_it_counts_reads_no_cards_with_them():
    asked = FoundPage("1", 3)
    _, total, found = QuoteFilter({"q": "the"}, queryset=Quote.objects.published()).counts(
        limit=2, page=asked
    )
    assert total == 3 and found is None and asked.cards == []
