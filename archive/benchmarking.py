"""Server time and SQL queries of the reader's pages on a synthetic corpus (`manage.py benchmark`).

Pages are requested in-process through Django's test client (the whole middleware stack, no
network and no server in front): one warm-up request, whose SQL queries are counted, then
`repeat` timed requests. Before each, the page's stored copy is dropped (archive/caching.py),
so every request renders it, as a first visit or a new search does; the counts kept per
version of the archive (archive/tallies.py) stay, as they do between curations. One row
measures the request that pays for them: the home page right after a change.

Three searches are measured: a common word (more matches than the list ranks, so sorted by
date), a rare phrase, and the word with the most matches the list still ranks and counts
facets for (`ranked_word`, at most COUNT_LIMIT): the costliest search it ranks. Floors are
measured beside them: the bare SQL of the quote list's search (what `search_quotes`
produces, every match ranked, the page's LIMIT, run on a cursor) and the SQL statements a
search page runs, bare, each timed in turns with its page (`in_turns`), so that a page and
its floor are compared over the same moments of the machine; and a static file served by
WhiteNoise through the same stack. Speed is only measured here; the tests never assert it.
"""

import math
import os
import platform
import re
import sqlite3
import statistics
import tempfile
import time
from dataclasses import dataclass
from functools import partial
from urllib.parse import urlencode

import django
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext, override_settings

from archive import caching
from archive.filters import FacetCounts, FoundPage, QuoteFilter
from archive.models import Author, Claim, Document, Quote, Topic
from archive.synthetic import MARKER_SLUG, Seeder, vocabulary
from archive.views import COUNT_LIMIT, QUOTES_PER_PAGE

STATIC_PATH = "/static/css/site.css"


@dataclass
class Row:
    size: int
    page: str
    url: str
    times: list
    queries: int

    @property
    def median(self):
        return statistics.median(self.times) * 1000

    @property
    def p95(self):
        ordered = sorted(self.times)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)] * 1000


def machine():
    """One line about the machine and the database."""
    memory = ""
    try:
        with open("/proc/meminfo") as meminfo:
            kib = int(re.search(r"MemTotal:\s+(\d+)", meminfo.read()).group(1))
            memory = f"{kib / 1024 / 1024:.1f} GiB memory"
    except (OSError, AttributeError):
        memory = "memory unknown"
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            found = re.search(r"model name\s*:\s*(.+)", cpuinfo.read())
            cpu = found.group(1).strip() if found else cpu
    except OSError:
        pass
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
            cursor.execute("SHOW shared_buffers")
            buffers = cursor.fetchone()[0]
            cursor.execute("SHOW random_page_cost")
            database = (
                f"PostgreSQL {version} (shared_buffers {buffers}, "
                f"random_page_cost {cursor.fetchone()[0]})"
            )
    else:
        database = f"SQLite {sqlite3.sqlite_version}"
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, Django {django.get_version()}, {database}"
    )


def pages(common_word):
    """(name, url) of every page measured, chosen from the corpus as it is now, and the rare
    phrase searched for."""
    published = Quote.objects.published()
    total = published.count()
    topic = (
        Topic.objects.exclude(slug=MARKER_SLUG)
        .annotate(n=Count("quotes"))
        .order_by("-n", "id")
        .first()
    )
    middle = published.order_by("id")[total // 2]
    phrase = re.findall(r"[a-z]+", middle.text.lower())[1:4]
    quote = (
        published.annotate(n=Count("stances"), t=Count("topics", distinct=True))
        .filter(n__gte=1, t__gte=2)
        .order_by("id")
        .first()
    ) or middle
    speakers = list(Author.objects.annotate(n=Count("quotes")).filter(n__gt=0).order_by("-n", "id"))
    document = Document.objects.annotate(n=Count("quotes")).order_by("-n", "id").first()
    claim = Claim.objects.annotate(n=Count("stances")).order_by("-n", "id").first()
    last_page = max(1, math.ceil(total / QUOTES_PER_PAGE))
    three = urlencode({"topic": topic.slug, "attribution": "verified", "kind": "article"})
    rare = '"' + " ".join(phrase) + '"'
    ranked, matching = ranked_word()
    return (
        [
            ("home", "/"),
            ("quote list", "/quotes/"),
            ("quote list, 3 filters", f"/quotes/?{three}"),
            ("search, common word", "/quotes/?" + urlencode({"q": common_word})),
            ("search, rare phrase", "/quotes/?" + urlencode({"q": rare})),
            (
                f"search, most matches ranked ({matching} quotes)",
                "/quotes/?" + urlencode({"q": ranked}),
            ),
            (f"quote list, last page ({last_page})", f"/quotes/?page={last_page}"),
            ("quote page", quote.get_absolute_url()),
            (
                f"author page, most quoted ({speakers[0].n} quotes)",
                speakers[0].get_absolute_url(),
            ),
            (
                f"author page, median ({speakers[len(speakers) // 2].n} quotes)",
                speakers[len(speakers) // 2].get_absolute_url(),
            ),
            (f"document page ({document.n} quotes)", document.get_absolute_url()),
            (f"claim page ({claim.n} stances)", claim.get_absolute_url()),
        ],
        rare,
        ranked,
    )


def ranked_word(limit=COUNT_LIMIT):
    """A word of the corpus that as many quotes match as the quote list still ranks and counts
    facets for (at most `limit`), and how many: the costliest of those searches. Found by
    halving the vocabulary, most frequent words first."""
    words = vocabulary()[0]

    def matches(word):
        filterset = QuoteFilter({"q": word}, queryset=Quote.objects.published())
        return filterset.found_columns()[: limit + 1].count()  # what counts() finds

    low, high = 0, len(words) - 1  # more than `limit` quotes match words[low], fewer words[high]
    most = matches(words[low])
    if most <= limit:
        return words[low], most
    while high - low > 1:
        middle = (low + high) // 2
        if matches(words[middle]) > limit:
            low = middle
        else:
            high = middle
    return words[high], matches(words[high])


def runs(repeat, budget):
    """`repeat` turns, fewer (at least 3) if `budget` seconds run out."""
    started = time.perf_counter()
    for turn in range(repeat):
        yield turn
        if turn >= 2 and time.perf_counter() - started > budget:
            return


def forget_page(url):
    """Drop the stored copy of the page at `url` (archive/caching.py), so that the next
    request renders it; counts kept per version of the archive (archive/tallies.py) stay."""
    cache.delete(caching.page_key(RequestFactory(HTTP_HOST="localhost").get(url)))


@dataclass
class Timing:
    """What one row times: `call`, after `prepare` (untimed) if given."""

    row: Row
    call: object
    prepare: object = None


def in_turns(timings, repeat, budget):
    """Time several rows in turns, one call of each per turn, for `runs(repeat, budget)`
    turns: a floor timed beside its page sees the same moments of a shared machine, and the
    ratio of the two is not that of two different minutes. Their rows."""
    for _ in runs(repeat, budget * len(timings)):
        for timing in timings:
            if timing.prepare is not None:
                timing.prepare()
            before = time.perf_counter()
            timing.call()
            timing.row.times.append(time.perf_counter() - before)
    return [timing.row for timing in timings]


def page_timing(client, size, name, url, cold=True, prepare=None):
    """The Timing of `url`. Cold: its stored copy is dropped before each request, so that
    every request renders the page, as a first visit or a new search does. `prepare`, if
    given, runs instead before each request."""
    if prepare is None and cold:
        prepare = partial(forget_page, url)
    client.get(url)  # the first request after seeding counts the archive (archive/tallies.py)
    if prepare:
        prepare()
    else:
        client.get(url)  # fills the cache: the counted request below is a hit
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)  # warm-up, and the query count
    queries = len(captured)  # now: later requests empty the query log
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    if hasattr(response, "streaming_content"):
        b"".join(response.streaming_content)

    def get():
        answer = client.get(url)
        if hasattr(answer, "streaming_content"):
            b"".join(answer.streaming_content)

    return Timing(Row(size, name, url, [], queries), get, prepare)


def measure_page(client, size, name, url, repeat, budget, cold=True, prepare=None):
    (row,) = in_turns([page_timing(client, size, name, url, cold, prepare)], repeat, budget)
    return row


def page_sql_timing(client, size, name, url):
    """The floor of a page: the SQL statements it runs (captured on one rendering), run bare
    on a cursor, one after the other."""
    forget_page(url)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    statements = [query["sql"] for query in captured.captured_queries]

    def run():
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()

    run()
    return Timing(Row(size, name, url, [], len(statements)), run)


def search_queryset(words):
    """The search as one query: every match ranked, the first page kept."""
    filterset = QuoteFilter({"q": words}, queryset=Quote.objects.published())
    return filterset, filterset.ordered(filterset.qs.with_speaker())[:QUOTES_PER_PAGE]


def bare_sql_timing(size, name, words):
    _, queryset = search_queryset(words)
    sql, params = queryset.query.sql_with_params()

    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    run()
    return Timing(Row(size, name, sql, [], 1), run)


def found_and_ranked(filterset, page=None):
    """What `QuoteFilter.counts` does for the results alone: the same statement (FacetCounts),
    finding the matches, ranking and numbering them in relevance order, without a facet;
    (rows, sizes, ids of the quotes found, or of `page` of them, a FoundPage)."""
    filterset.is_valid()
    statement = FacetCounts(COUNT_LIMIT)
    statement.base(filterset.found_columns(), found=True)
    rows, sizes, found = statement.run({}, {}, page)
    return rows, sizes, [pk for _, pk in found]


def measure_facets(size, name, words, repeat, budget):
    """The quote list's facet counting for a search, beside its results. The page finds the
    quotes, ranks them and counts their facets in one SQL statement (QuoteFilter.counts);
    counting's share is that statement's time (with the Python that reads its counts) less
    the time of the same statement without its facets (`found_and_ranked`), the two timed
    one after the other on filter sets of their own, each returning the first page's quotes
    as the page's statement does. Finding and ranking them is the results' work, measured
    by the bare SQL of the search. The row's query count is that of finding and counting."""

    def search():
        return QuoteFilter({"q": words}, queryset=Quote.objects.published())

    def first_page():
        return FoundPage("1", QUOTES_PER_PAGE)

    with CaptureQueriesContext(connection) as captured:
        facets, _, _ = search().counts(limit=COUNT_LIMIT, page=first_page())
    if all(values is None for values in facets.values()):
        name += f" (not counted: over {COUNT_LIMIT:,} matches)"
    times = []
    for _ in runs(repeat, budget):
        both, alone = search(), search()
        before = time.perf_counter()
        both.counts(limit=COUNT_LIMIT, page=first_page())
        middle = time.perf_counter()
        found_and_ranked(alone, first_page())
        times.append(max(0.0, (middle - before) - (time.perf_counter() - middle)))
    return Row(size, name, f"q={words}", times, len(captured))


def measure_size(size, repeat, budget, common_word, out, cold=True):
    """Every row at `size`. Each search page is timed in turns with its floors: the bare SQL
    of the search and the page's own SQL (`in_turns`)."""
    client = Client(HTTP_HOST="localhost")
    chosen, rare, ranked = pages(common_word)
    searched = dict(zip(SEARCHES, [common_word, rare, ranked], strict=True))
    rows, floors = [], []
    for name, url in chosen:
        label = next((label for label in SEARCHES if name.startswith(f"search, {label}")), None)
        if label is None:
            rows.append(measure_page(client, size, name, url, repeat, budget, cold))
        else:
            words = searched[label]
            page, bare, own = in_turns(
                [
                    page_timing(client, size, name, url, cold),
                    bare_sql_timing(size, f"floor: bare SQL of search, {label}", words),
                    page_sql_timing(
                        client, size, f"floor: the page's own SQL, search {label}", url
                    ),
                ],
                repeat,
                budget,
            )
            rows.append(page)
            floors += [
                bare,
                own,
                measure_facets(size, f"facet counts alone, search {label}", words, repeat, budget),
            ]
            out(f"  {size:>7} {bare.page}: {bare.median:.1f} ms median")
        out(f"  {size:>7} {name}: {rows[-1].median:.1f} ms median, {rows[-1].queries} queries")
    rows += floors
    rows.append(
        measure_page(
            client,
            size,
            "home, first request after a change (counts recounted)",
            "/",
            repeat,
            budget,
            prepare=caching.archive_changed,
        )  # fmt: skip
    )
    if cold:
        warm = measure_page(client, size, "quote list, from the page cache", "/quotes/", repeat,
                            budget, cold=False)  # fmt: skip
        rows.append(warm)
    rows.append(measure_page(client, size, "floor: static file", STATIC_PATH, repeat, budget))
    out(f"  {size:>7} floor: static file: {rows[-1].median:.2f} ms median")
    return rows


def table(rows):
    lines = [
        "| size | page | median ms | p95 ms | queries | requests |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row.size:,} | {row.page} | {row.median:.1f} | {row.p95:.1f} | {row.queries} "
            f"| {len(row.times)} |"
        )
    return "\n".join(lines)


SEARCHES = ["common word", "rare phrase", "most matches ranked"]
TARGET_SIZE = 100_000  # the timing targets hold from here, on PostgreSQL (issue 5)


def misses(rows):
    """(targets missed, beyond the targets), each a list of lines of text.

    The timing targets (p95 at most 100 ms, search at most 50 ms and within 2× its bare SQL,
    facets no slower than the results) are set for TARGET_SIZE quotes and more on PostgreSQL;
    the same numbers missed at other sizes or on SQLite are reported apart, as beyond the
    targets. The query count (at most 10) and deep pages that do not grow linearly are
    targets everywhere."""
    missed, beyond = [], []
    by = {(row.size, row.page): row for row in rows}

    def timing(size, line):
        targeted = connection.vendor == "postgresql" and size >= TARGET_SIZE
        (missed if targeted else beyond).append(line)

    for row in rows:
        if row.page.startswith(("floor", "facet")) or "page cache" in row.page:
            continue
        if "after a change" in row.page:
            continue  # once per curation, not per request: reported, not a target
        if row.queries > 10:
            missed.append(f"{row.size:,} {row.page}: {row.queries} SQL queries (target ≤ 10)")
        if row.p95 > 100:
            timing(row.size, f"{row.size:,} {row.page}: p95 {row.p95:.0f} ms (target ≤ 100 ms)")
    for size in sorted({row.size for row in rows}):
        for label in SEARCHES:
            page = next(
                (r for r in rows if r.size == size and r.page.startswith(f"search, {label}")), None
            )
            floor = by.get((size, f"floor: bare SQL of search, {label}"))
            if page and floor and page.p95 > 2 * floor.p95:
                timing(
                    size,
                    f"{size:,} search, {label}: p95 {page.p95:.1f} ms is "
                    f"{page.p95 / floor.p95:.2f}× the bare SQL's {floor.p95:.1f} ms (target ≤ 2×)",
                )
            if page and page.p95 > 50:
                timing(size, f"{size:,} search, {label}: p95 {page.p95:.0f} ms (target ≤ 50 ms)")
            facets = by.get((size, f"facet counts alone, search {label}"))
            if facets and floor and facets.median > floor.median:
                timing(
                    size,
                    f"{size:,} search, {label}: facet counts take {facets.median:.1f} ms, the "
                    f"results {floor.median:.1f} ms (target: facets no slower than the results)",
                )
    sizes = sorted({row.size for row in rows})
    deep = {row.size: row for row in rows if row.page.startswith("quote list, last page")}
    if len(sizes) >= 2 and all(size in deep for size in sizes):
        first, last = sizes[0], sizes[-1]
        growth = deep[last].median / deep[first].median
        if growth > 0.5 * last / first:
            missed.append(
                f"last page of the quote list: {deep[first].median:.1f} ms at {first:,}, "
                f"{deep[last].median:.1f} ms at {last:,} ({growth:.0f}× for {last / first:.0f}× "
                "the quotes: about linear)"
            )
    return missed, beyond


PRIVATE_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "archive-benchmark",
    }
}


def run(sizes, repeat, seed, budget, out, cold=True):
    """Seed each size in turn (growing one synthetic corpus) and measure; the rows measured.

    Django's cache is replaced by a private in-process one for the run, so that emptying it
    never touches a cache shared with a real site."""
    common_word = vocabulary()[0][0]
    rows = []
    with tempfile.TemporaryDirectory() as static_root:
        with override_settings(STATIC_ROOT=static_root, CACHES=PRIVATE_CACHE):
            call_command("collectstatic", interactive=False, verbosity=0)
            for size in sizes:
                started = time.perf_counter()
                Seeder(seed, out=None).grow(size)
                out(f"Corpus of {size:,} quotes ready in {time.perf_counter() - started:.1f} s")
                rows += measure_size(size, repeat, budget, common_word, out, cold)
    return rows
