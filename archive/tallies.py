"""Counts over the whole archive, counted once per version of it.

How many published quotes there are, by topic, claim, speaker, document, kind and
attribution: the home page, the topic list, a topic's page and the unfiltered quote list show
these. Counting them reads every published quote (at 100,000 quotes ~0.5 s on PostgreSQL,
from indexes that hold the keys counted; ~2 s on SQLite), yet they change only when the
archive does. So they are counted once per version of the archive (its last change,
archive/caching.py) and kept in Django's cache under that version: the first request after
a curation counts, every other request reads. A curation changes the version, so stale
counts are never read again; they expire by themselves.

Only counts whose number does not grow with the archive are kept (one per topic, the most
taken claims, each topic's most quoted speakers, the facets' top values), so the entry stays
small in any cache (memcached takes at most 1 MB). Lists of authors, documents and claims
count their own page's rows instead, and the quote list with filters or words counts its own
quotes, with a bound (`QuoteFilter.counts`).
"""

from dataclasses import dataclass
from time import monotonic, sleep

from django.conf import settings
from django.core.cache import cache
from django.db import connections, router
from django.db.models import Count

from archive import caching
from archive.filters import QuoteFilter
from archive.models import Author, Document, Quote, Stance

KEY = "archive:tallies:{version}"
TOPIC_SPEAKERS = 10  # the most quoted speakers named on a topic's page
TOP_CLAIMS = 20  # the claims with the most quotes, for the home page


@dataclass
class Tallies:
    quotes: int  # published quotes
    speakers: int  # authors with at least one published quote
    documents: int
    by_topic: dict  # topic id: published quotes
    top_claims: list  # [(claim id, stances of published quotes)], the TOP_CLAIMS most taken
    topic_speakers: dict  # topic id: [(author id, quotes)], the TOPIC_SPEAKERS most quoted
    facets: dict  # the unfiltered quote list's facets (QuoteFilter.counts)


def count():
    """Count everything now (several full reads of the quote table)."""
    published = Quote.objects.published()
    facets, total, _ = QuoteFilter({}, queryset=published).counts(limit=None)
    by_topic = dict(
        Quote.topics.through.objects.filter(quote__in=published.values("pk"))
        .values_list("topic")
        .annotate(n=Count("id"))
    )
    top_claims = list(
        Stance.objects.filter(quote__in=published.values("pk"))
        .values_list("claim")
        .annotate(n=Count("id"))
        .order_by("-n", "claim")[:TOP_CLAIMS]
    )
    speakers = published.order_by().values("speaker").distinct().count()
    topic_speakers = {}
    for topic, speaker, n in most_quoted_per_topic():
        topic_speakers.setdefault(topic, []).append((speaker, n))
    return Tallies(
        quotes=total,
        speakers=speakers,
        documents=Document.objects.count(),
        by_topic=by_topic,
        top_claims=top_claims,
        topic_speakers=topic_speakers,
        facets=facets,
    )


def most_quoted_per_topic():
    """(topic id, author id, quotes) of each topic's TOPIC_SPEAKERS most quoted speakers, most
    first (ties by name): one query, ranked by the database. On PostgreSQL the quotes' topics
    are read from the ids each quote row keeps (migration 0008), beside the speaker in one
    index (0009), without visiting the table, instead of a row of archive_quote_topics
    joined to each quote."""
    connection = connections[router.db_for_read(Quote)]
    qn = connection.ops.quote_name
    quotes = qn(Quote._meta.db_table)
    if connection.vendor == "postgresql":
        pairs = f"SELECT unnest(q.topic_ids) AS topic_id, q.speaker_id FROM {quotes} q"
    else:
        topics = qn(Quote.topics.through._meta.db_table)
        pairs = (
            f"SELECT qt.topic_id, q.speaker_id FROM {topics} qt "
            f"JOIN {quotes} q ON q.id = qt.quote_id"
        )
    # Published: what Quote.objects.published() (models.published_via) requires.
    pairs += " WHERE q.status = %s AND q.start_offset IS NOT NULL"
    # Ranked by count first: only the speakers among each topic's TOPIC_SPEAKERS highest
    # counts (all of a tie, which names break) are joined to their names and ordered by them,
    # not every (topic, speaker) pair (~115,000 at 100,000 quotes: ~100 ms less).
    sql = f"""
        SELECT topic_id, speaker_id, n FROM (
            SELECT c.topic_id, c.speaker_id, c.n,
                   ROW_NUMBER() OVER (
                       PARTITION BY c.topic_id ORDER BY c.n DESC, a.sort_name, a.id
                   ) AS place
            FROM (
                SELECT topic_id, speaker_id, n FROM (
                    SELECT topic_id, speaker_id, n,
                           RANK() OVER (PARTITION BY topic_id ORDER BY n DESC) AS by_count
                    FROM (
                        SELECT topic_id, speaker_id, COUNT(*) AS n FROM ({pairs}) pairs
                        GROUP BY topic_id, speaker_id
                    ) g
                ) g
                WHERE by_count <= %s
            ) c
            JOIN {qn(Author._meta.db_table)} a ON a.id = c.speaker_id
        ) ranked
        WHERE place <= %s
        ORDER BY topic_id, place
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [Quote.Status.PUBLISHED, TOPIC_SPEAKERS, TOPIC_SPEAKERS])
        return cursor.fetchall()


def archive_tallies():
    """The counts for the archive as it stands: from this process's memory, from the cache,
    or counted and kept in both (the cache is shared by every app server with CACHE_URL).

    One process counts at a time: the first to miss takes a lock in the cache and counts; the
    others wait for its counts (up to COUNTING_WAIT seconds, then count themselves) instead
    of all reading the whole archive at once right after a curation."""
    key = KEY.format(version=caching.archive_last_changed().isoformat())
    found = _latest.get(key)
    if found is None:
        found = cache.get(key)
        if found is None:
            found = counted_once(key)
        _latest.clear()  # only the latest version is kept in memory
        _latest[key] = found
    return found


COUNTING_WAIT = 10  # seconds a request waits for another process's counts
COUNTING_POLL = 0.05


def counted_once(key):
    lock = f"{key}:counting"
    if not cache.add(lock, True, COUNTING_WAIT):
        deadline = monotonic() + COUNTING_WAIT
        while monotonic() < deadline:
            sleep(COUNTING_POLL)
            found = cache.get(key)
            if found is not None:
                return found
    try:
        found = count()
        cache.set(key, found, settings.ARCHIVE_TALLY_SECONDS)
    finally:
        cache.delete(lock)
    return found


_latest = {}


def forget():
    """Drop the counts this process keeps in memory (the cache keeps its own)."""
    _latest.clear()
