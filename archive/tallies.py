"""Counts over the whole archive, counted once per version of it.

How many published quotes there are, by topic, claim, speaker, document, kind and
attribution: the home page, the topic and claim lists and the unfiltered quote list show
these. Counting them reads every published quote (at 100,000 quotes, a good part of a
second), yet they change only when the archive does. So they are counted once per version of
the archive (its last change, archive/caching.py) and kept in Django's cache under that
version: the first request after a curation counts, every other request reads. A curation
changes the version, so stale counts are never read again; they expire by themselves.

The quote list with filters or words counts its own quotes, with a bound
(`QuoteFilter.counts`).
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max, Min

from archive import caching
from archive.filters import QuoteFilter
from archive.models import Document, Quote, Stance

KEY = "archive:tallies:{version}"
TOPIC_SPEAKERS = 10  # the most quoted speakers named on a topic's page


@dataclass
class Tallies:
    quotes: int  # published quotes
    speakers: int  # authors with at least one published quote
    documents: int
    by_topic: dict  # topic id: published quotes
    by_claim: dict  # claim id: {position: stances of published quotes}
    by_speaker: dict  # author id: (published quotes, earliest said_start, latest said_end)
    by_document: dict  # document id: published quotes
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
    by_claim = {}
    stances = (
        Stance.objects.filter(quote__in=published.values("pk"))
        .values_list("claim", "position")
        .annotate(n=Count("id"))
    )
    for claim, position, n in stances:
        by_claim.setdefault(claim, {})[position] = n
    by_speaker = {
        row["speaker"]: (row["n"], row["first"], row["last"])
        for row in published.order_by()
        .values("speaker")
        .annotate(n=Count("id"), first=Min("said_start"), last=Max("said_end"))
    }
    by_document = dict(published.order_by().values_list("document").annotate(n=Count("id")))
    topic_speakers = {}
    pairs = (
        Quote.topics.through.objects.filter(quote__in=published.values("pk"))
        .values_list("topic", "quote__speaker")
        .annotate(n=Count("id"))
        .order_by("topic", "-n", "quote__speaker__sort_name")
    )
    for topic, speaker, n in pairs.iterator(chunk_size=5000):
        most = topic_speakers.setdefault(topic, [])
        if len(most) < TOPIC_SPEAKERS:
            most.append((speaker, n))
    return Tallies(
        quotes=total,
        speakers=len(by_speaker),
        documents=Document.objects.count(),
        by_topic=by_topic,
        by_claim=by_claim,
        by_speaker=by_speaker,
        by_document=by_document,
        topic_speakers=topic_speakers,
        facets=facets,
    )


def archive_tallies():
    """The counts for the archive as it stands: from this process's memory, from the cache,
    or counted and kept in both (the cache is shared by every app server with CACHE_URL)."""
    key = KEY.format(version=caching.archive_last_changed().isoformat())
    found = _latest.get(key)
    if found is None:
        found = cache.get(key)
        if found is None:
            found = count()
            cache.set(key, found, getattr(settings, "ARCHIVE_TALLY_SECONDS", 3600))
        _latest.clear()  # only the latest version is kept in memory
        _latest[key] = found
    return found


_latest = {}


def forget():
    """Drop the counts this process keeps in memory (the cache keeps its own)."""
    _latest.clear()
