"""Counting that stays bounded as the archive grows (issue 5): the quote list counts at most
COUNT_LIMIT quotes per request, the archive's own counts are kept per version of it, and
long pages (home, claims, an author) show a bounded number of items.

The limits are lowered here so that the real archive's 240 quotes cross them.
"""

import re

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from archive import filters, tallies, views
from archive.filters import FACETS, FoundPage, QuoteFilter
from archive.models import Claim, Document, Quote, Stance

pytestmark = pytest.mark.django_db


def html_of(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def result_ids(html):
    return [int(pk) for pk in re.findall(r'<a href="/quotes/(\d+)/" class="permalink">', html)]


def facet_section(html, heading):
    return re.search(rf"<h3>{heading}</h3>(.*?)</section>", html, re.S).group(1)


@pytest.mark.parametrize(
    "params",
    [
        {},  # the whole archive: what archive/tallies.py counts, once per version
        {"q": "the"},
        {"q": "wages"},
        {"topic": ["stalinism"]},
        {"topic": ["stalinism", "nep"], "kind": "article"},
        {"speaker": ["peter-boettke"], "attribution": "verified"},
        {"claim": "stalinism-continued-leninism", "position": "supports"},
        {"q": "Stalin", "said_from": "1920", "said_to": "1940"},
        {"document": "boettke-soviet-admissions", "topic": ["nep"]},
        {"speaker": ["lenin"], "kind": "forum-thread"},  # nothing matches
    ],
)
def test_bounded_counts_equal_exact_counts_below_the_limit(params):
    published = Quote.objects.published()
    bounded, total, found = QuoteFilter(params, queryset=published).counts(limit=10_000)
    exact, exact_total, _ = QuoteFilter(params, queryset=published).counts(limit=None)
    assert bounded == exact
    results = QuoteFilter(params, queryset=published).qs
    assert total == exact_total == results.count()
    filterset = QuoteFilter(params, queryset=published)  # found in the order of relevance
    ranked = filterset.ordered(filterset.qs, rank="q" in params)
    assert found == list(ranked.values_list("pk", flat=True))
    for name in FACETS:
        for item in bounded[name]:
            selected = {name: [item["value"]]} if name in ("topic", "speaker") else {}
            selected = selected or {name: item["value"]}
            if item["selected"] or name == "claim":
                continue
            narrowed = QuoteFilter({**params, **selected}, queryset=published).qs.count()
            assert item["count"] == narrowed, (name, item)


@pytest.mark.parametrize(
    "raw", ["1", "2", "4", "abc", "", "2.0", "0", "-3", "999", "9" * 30, " 3 "]
)
@pytest.mark.parametrize("params", [{"q": "the"}, {"q": "wages", "topic": ["nep"]}, {"q": "zzzq"}])
def test_a_page_of_the_quotes_found_is_the_page_a_paginator_gives_of_all_of_them(params, raw):
    published = Quote.objects.published()
    _, total, every = QuoteFilter(params, queryset=published).counts(limit=10_000)
    for size in [1, 3, 7]:  # 1 divides every total: a last page exactly full
        _, page_total, found = QuoteFilter(params, queryset=published).counts(
            limit=10_000, page=FoundPage(raw, size)
        )
        expected = Paginator(every, size).get_page(raw)
        page = Paginator(found, size).get_page(raw)  # len(found): the number found
        assert page_total == total
        assert page.number == expected.number
        assert list(page.object_list) == list(expected.object_list)
        assert len(found.ids) == len(expected.object_list) <= size  # only the page was read


def test_a_search_sends_only_its_page_of_matches_from_the_database():
    published = Quote.objects.published()
    with CaptureQueriesContext(connection) as captured:
        _, total, found = QuoteFilter({"q": "the"}, queryset=published).counts(
            limit=10_000, page=FoundPage("2", 25)
        )
    assert total > 50 and len(found.ids) == 25 and found.start == 25
    with connection.cursor() as cursor:  # the same statement returns 25 found rows, not all
        cursor.execute(captured.captured_queries[0]["sql"])
        assert sum(1 for row in cursor.fetchall() if row[0] == "found") == 25
    with pytest.raises(IndexError):
        found[0:25]  # another page was not read: an error, never an empty page


def test_the_pages_of_a_search_list_its_matches_in_relevance_order_once_each(client):
    filterset = QuoteFilter({"q": "the"}, queryset=Quote.objects.published())
    ranked = list(filterset.ordered(filterset.qs, rank=True).values_list("pk", flat=True))
    pages = -(-len(ranked) // views.QUOTES_PER_PAGE)
    assert pages >= 3
    listed = []
    for number in range(1, pages + 1):
        listed += result_ids(html_of(client, f"/quotes/?q=the&page={number}"))
    assert listed == ranked
    last = html_of(client, "/quotes/?q=the&page=99")
    assert f"There is no page “99”; showing page {pages} of {pages}." in last
    assert result_ids(last) == ranked[(pages - 1) * views.QUOTES_PER_PAGE :]
    assert result_ids(html_of(client, "/quotes/?q=the&page=x")) == ranked[: views.QUOTES_PER_PAGE]


def test_a_facet_counts_its_values_with_the_other_filters_kept(client):
    html = html_of(client, "/quotes/?speaker=peter-boettke&topic=nep")
    topics = facet_section(html, "Topic")
    for topic in ["stalinism", "nep"]:
        n = Quote.objects.published().filter(speaker__slug="peter-boettke", topics__slug=topic)
        name = {"stalinism": "Stalinism", "nep": "New Economic Policy (NEP)"}[topic]
        assert f'{name} <span class="count">({n.count()})</span>' in topics


@pytest.mark.parametrize("url", ["/quotes/?q=wages", "/quotes/?q=the&sort=said"])
def test_a_search_reads_its_matches_once_to_list_them_and_count_their_facets(client, url):
    searching = "@@" if connection.vendor == "postgresql" else "REGEXP"
    with CaptureQueriesContext(connection) as captured:
        html = html_of(client, url)
    searches = [query["sql"] for query in captured.captured_queries if searching in query["sql"]]
    assert len(searches) == 1, searches
    if connection.vendor == "postgresql":  # from the arrays on the quote rows (migration 0008)
        assert "unnest(topic_ids)" in searches[0] and "unnest(claim_ids)" in searches[0]
    else:
        assert "archive_quote_topics" in searches[0] and "archive_stance" in searches[0]
    assert result_ids(html)
    assert '<span class="count">' in html.split('<aside class="facets"', 1)[1]


def test_a_search_with_more_matches_than_the_limit_counts_no_facet():
    published = Quote.objects.published()
    facets, total, found = QuoteFilter({"q": "the"}, queryset=published).counts(limit=5)
    assert (total, found) == (6, None)
    assert facets == dict.fromkeys(FACETS)


def test_more_matches_than_the_limit_say_more_than_and_are_sorted_by_date(client, monkeypatch):
    monkeypatch.setattr(views, "COUNT_LIMIT", 5)
    matching = Quote.objects.published().filter(text__icontains="the").count()
    assert matching > 5
    html = html_of(client, "/quotes/?q=the")
    assert "More than 5 quotes matching “the”" in html
    assert "too many to rank by relevance: they are sorted by date said" in html
    assert result_ids(html) == result_ids(html_of(client, "/quotes/?q=the&sort=said"))
    facets = html.split('<aside class="facets"', 1)[1]
    assert '<span class="count">' not in facets
    assert "Too many quotes match to count them here" in facets


def test_few_matches_are_counted_exactly_and_ranked(client, monkeypatch):
    monkeypatch.setattr(views, "COUNT_LIMIT", 5)
    html = html_of(client, "/quotes/?q=Acton")
    n = len(result_ids(html))
    assert 1 <= n <= 5
    assert f"{n} quote{'s' if n != 1 else ''} matching “Acton”" in html
    assert "too many to rank" not in html
    assert '<option value="relevance" selected>' in html


def test_a_filter_too_wide_to_count_keeps_its_choice_first_without_counts(client, monkeypatch):
    monkeypatch.setattr(views, "COUNT_LIMIT", 10)
    # One quote, but the speaker facet counts every quote on Stalinism: more than 10.
    html = html_of(client, "/quotes/?speaker=lord-acton&topic=stalinism")
    speakers = facet_section(html, "Speaker")
    assert '<span class="count">' not in speakers
    assert speakers.split("</li>")[0].count("Lord Acton") == 1, "the selected speaker comes first"
    assert 'class="selected"' in speakers.split("</li>")[0]
    topics = facet_section(html, "Topic")
    assert re.search(r'Stalinism <span class="count">\(\d+\)</span>', topics)


def test_the_archive_counts_are_kept_until_the_archive_changes(client):
    tallies.forget()
    with CaptureQueriesContext(connection) as first:
        html_of(client, "/")
    with CaptureQueriesContext(connection) as second:
        html_of(client, "/claims/")
    assert len(second) < len(first)
    assert not any("COUNT(" in query["sql"] and "archive_quote_topics" in query["sql"]
                   for query in second.captured_queries)  # fmt: skip
    before = Quote.objects.published().count()
    quote = Quote.objects.published().get(pk=207)
    quote.withdraw("Test.")
    quote.save()
    assert f"An archive of {before - 1} verbatim excerpts" in html_of(client, "/")


def test_the_home_page_lists_the_most_quoted_claims_and_links_them_all(client, monkeypatch):
    monkeypatch.setattr(views, "HOME_CLAIMS", 3)
    html = html_of(client, "/")
    section = re.search(r'id="claims-heading".*?</section>', html, re.S).group(0)
    counts = [int(n) for n in re.findall(r'<span class="count">(\d+) quote', section)]
    assert len(counts) == 3 and counts == sorted(counts, reverse=True)
    most = max(Claim.objects.all(), key=lambda claim: claim.stances.count())
    assert f'href="/claims/{most.slug}/"' in section
    assert f"All {Claim.objects.count()} claims →" in section


def test_the_claim_list_comes_in_pages(client, monkeypatch):
    monkeypatch.setattr(views, "ROWS_PER_PAGE", 5)
    first, second = html_of(client, "/claims/"), html_of(client, "/claims/?page=2")
    links = re.compile(r'<li><a href="(/claims/[^"]+/)"')
    assert len(links.findall(first)) == 5
    assert set(links.findall(first)).isdisjoint(links.findall(second))
    assert 'rel="next"' in first


def test_an_author_page_shares_a_fixed_number_of_quotes_among_topics(client, monkeypatch):
    monkeypatch.setattr(views, "AUTHOR_CARDS", 4)
    monkeypatch.setattr(views, "AUTHOR_CLAIMS_SHOWN", 1)
    html = html_of(client, "/authors/peter-boettke/")
    topics = len(re.findall(r'<h3 id="topic-', html))
    assert topics > 4, "more topics than cards: some topics show only their link"
    assert html.count('class="quote-card"') == 4
    claims = Stance.objects.filter(quote__speaker__slug="peter-boettke").values("claim").distinct()
    assert claims.count() > 1
    assert f"And {claims.count() - 1} more claim" in html


def test_an_author_page_lists_the_claims_they_are_most_quoted_on_with_each_side_counted(
    client, monkeypatch
):
    monkeypatch.setattr(views, "AUTHOR_CLAIMS_SHOWN", 3)
    sides = {}
    for stance in Stance.objects.filter(
        quote__speaker__slug="steven-plaut", quote__in=Quote.objects.published()
    ).select_related("claim"):
        claim = sides.setdefault((stance.claim.slug, stance.claim.text), {})
        claim[stance.position] = claim.get(stance.position, 0) + 1
    assert len(sides) > 3
    most = sorted(sides, key=lambda claim: (-sum(sides[claim].values()), claim[1], claim[0]))[:3]
    html = html_of(client, "/authors/steven-plaut/")
    listed = re.search(r'<ul class="stances">(.*?)</ul>', html, re.S).group(1)
    shown = re.findall(r'<li><a href="/claims/([^/]+)/">', listed)
    assert shown == [slug for slug, _ in sorted(most, key=lambda claim: claim[1])]
    for slug, text in most:
        for position, n in sides[(slug, text)].items():
            assert f'&amp;claim={slug}&amp;position={position}">{position} ({n} quote' in listed
    assert f"And {len(sides) - 3} more claims" in html


def test_the_filters_form_and_filters_are_built_once_and_each_request_keeps_its_own_values():
    first = QuoteFilter({"speaker": ["no-such-author"], "said_from": "x", "sort": "speaker"})
    second = QuoteFilter({"speaker": ["peter-boettke"], "said_from": "1920", "q": "lenin"})
    assert first.get_form_class() is second.get_form_class()
    # Shared, not copied for each request (QuoteFilter.__init__, SharedFields).
    assert first.filters is second.filters
    assert first.form.fields["speaker"] is second.form.fields["speaker"]
    assert set(first.form.errors) == {"speaker", "said_from"}
    assert {name for name, _ in first.ignored()} == {"speaker", "said_from"}
    assert second.form.is_valid() and second.ignored() == []
    assert [a.slug for a in second.form.cleaned_data["speaker"]] == ["peter-boettke"]
    assert (first.words, first.chosen_sort) == ("", "speaker")
    assert (second.words, second.chosen_sort) == ("lenin", "relevance")
    # A filter's method runs on its own filter set: the year and the words narrow only the
    # second set's quotes.
    assert " WHERE " not in str(first.qs.query)
    assert "1920-01-01" in str(second.qs.query).split(" WHERE ")[1]
    assert {quote.speaker.slug for quote in second.qs} == {"peter-boettke"}


def test_the_facet_limit_still_applies_to_counted_facets(client, monkeypatch):
    monkeypatch.setattr(filters, "FACET_LIMIT", 2)
    html = html_of(client, "/quotes/?q=the")
    assert len(re.findall(r"<li><a ", facet_section(html, "Speaker"))) == 2


def test_the_author_list_gives_each_speaker_s_count_and_years_from_the_archive(client):
    html = html_of(client, "/authors/")
    rows = {}
    for row in html.split("<tr>")[2:]:
        slug = re.search(r'<a href="/authors/([^/]+)/">', row).group(1)
        rows[slug] = re.findall(r"<td>([^<]*)</td>", row)[1]
    published = Quote.objects.published()
    for row in published.values("speaker__slug").annotate(n=Count("id")):
        assert rows[row["speaker__slug"]] == str(row["n"])
    assert len(rows) == published.values("speaker").distinct().count()


def test_the_document_list_counts_each_document_s_published_quotes(client):
    html = html_of(client, "/documents/")
    for document in Document.objects.all():
        n = Quote.objects.published().filter(document=document).count()
        block = html.split(f'href="/documents/{document.slug}/"', 1)[1].split("</li>", 1)[0]
        assert f"· {n} quote{'s' if n != 1 else ''}</span>" in block


def test_a_topic_page_names_its_most_quoted_speakers_in_order(client):
    html = html_of(client, "/topics/stalinism/")
    section = re.search(r'id="speakers-heading".*?</section>', html, re.S).group(0)
    shown = re.findall(r'href="/authors/([^/]+)/">[^<]+</a> \((\d+)\)', section)
    expected = list(
        Quote.objects.published()
        .filter(topics__slug="stalinism")
        .values("speaker__slug")
        .annotate(n=Count("id"))
        .order_by("-n", "speaker__sort_name")
        .values_list("speaker__slug", "n")[: tallies.TOPIC_SPEAKERS]
    )
    assert [(slug, int(n)) for slug, n in shown] == expected
    total = Quote.objects.published().filter(topics__slug="stalinism").count()
    assert f'<h2 id="quotes-heading">{total} quotes</h2>' in html


@pytest.mark.parametrize("shown", [1, 2, 3, tallies.TOPIC_SPEAKERS])
def test_each_topic_s_most_quoted_speakers_are_counted_and_ordered_as_the_orm_does(
    monkeypatch, shown
):
    """For each topic, its `shown` most quoted speakers, most first, ties by sort name: a tie
    across the cut is kept whole until names break it (tallies.most_quoted_per_topic ranks
    by count before it reads names)."""
    monkeypatch.setattr(tallies, "TOPIC_SPEAKERS", shown)
    pairs = (
        Quote.objects.published()
        .values("topics", "speaker", "speaker__sort_name")
        .annotate(n=Count("id"))
    )
    by_topic = {}
    for row in pairs:
        if row["topics"] is not None:  # a quote without a topic
            by_topic.setdefault(row["topics"], []).append(row)
    expected, tied_at_the_cut = [], 0
    for topic in sorted(by_topic):
        ordered = sorted(
            by_topic[topic], key=lambda row: (-row["n"], row["speaker__sort_name"], row["speaker"])
        )
        expected += [(topic, row["speaker"], row["n"]) for row in ordered[:shown]]
        if len(ordered) > shown and ordered[shown - 1]["n"] == ordered[shown]["n"]:
            tied_at_the_cut += 1
    assert tied_at_the_cut, "some topic's speakers tie across the cut: names must break it"
    assert [tuple(row) for row in tallies.most_quoted_per_topic()] == expected


def test_a_request_waits_for_the_counts_another_process_is_making(monkeypatch):
    """While one process counts (its lock in the shared cache), another waits for its result
    instead of reading the whole archive too."""
    from django.core.cache import cache

    from archive import caching

    tallies.forget()
    key = tallies.KEY.format(version=caching.archive_last_changed().isoformat())
    cache.delete(key)
    made_elsewhere = tallies.count()
    assert cache.add(f"{key}:counting", True, 30)  # another process is counting

    def count_elsewhere():
        raise AssertionError("counted again while another process was counting")

    polls = []

    def sleep(seconds):
        polls.append(seconds)
        if len(polls) == 3:  # the other process finishes
            cache.set(key, made_elsewhere)

    monkeypatch.setattr(tallies, "count", count_elsewhere)
    monkeypatch.setattr(tallies, "sleep", sleep)
    assert tallies.archive_tallies() == made_elsewhere
    assert len(polls) == 3


def test_a_request_counts_itself_when_the_other_process_never_finishes(monkeypatch):
    from django.core.cache import cache

    from archive import caching

    tallies.forget()
    key = tallies.KEY.format(version=caching.archive_last_changed().isoformat())
    cache.delete(key)
    assert cache.add(f"{key}:counting", True, 30)
    clock = iter(range(0, 1000, 4))  # four seconds pass at each look at the clock
    monkeypatch.setattr(tallies, "monotonic", lambda: next(clock))
    monkeypatch.setattr(tallies, "sleep", lambda seconds: None)
    found = tallies.archive_tallies()
    assert found.quotes == Quote.objects.published().count()
    assert cache.get(key) == found
    assert cache.get(f"{key}:counting") is None, "the lock is released"


def most_quoted_speakers(quotes):
    """(slug, count) of every speaker of these quotes, most first, ties by sort name: counted
    by the ORM, apart from the facets' SQL."""
    rows = quotes.values("speaker__slug", "speaker__sort_name").annotate(n=Count("id"))
    ordered = sorted(
        rows, key=lambda row: (-row["n"], row["speaker__sort_name"], row["speaker__slug"])
    )
    return [(row["speaker__slug"], row["n"]) for row in ordered]


def test_a_facet_shows_its_most_frequent_values_and_every_selected_one_with_its_count():
    published = Quote.objects.published()
    everyone = most_quoted_speakers(published)
    assert len(everyone) > filters.FACET_LIMIT + 1, "the archive has more speakers than shown"
    facets, _, _ = QuoteFilter({}, queryset=published).counts(limit=None)
    shown = [(item["value"], item["count"]) for item in facets["speaker"]]
    assert shown == everyone[: filters.FACET_LIMIT]

    rare, rare_count = everyone[-1]  # far below the most frequent
    facets, _, _ = QuoteFilter({"speaker": [rare]}, queryset=published).counts(limit=10_000)
    shown = [(item["value"], item["count"], item["selected"]) for item in facets["speaker"]]
    assert shown[0] == (rare, rare_count, True)
    others = [(slug, n, False) for slug, n in everyone if slug != rare]
    assert shown[1:] == others[: filters.FACET_LIMIT - 1]
