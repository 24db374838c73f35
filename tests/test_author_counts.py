"""archive/author_counts.py: an author's topics and claims, counted from the keys on the quote
rows on PostgreSQL and from the tables on SQLite, give the same rows as each other and as
the author's quotes say."""

import datetime
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from archive import author_counts
from archive.author_counts import POSITIONS, claims_taken, topic_places
from archive.models import Author, Claim, DatePrecision, Document, Quote, Stance, Topic

pytestmark = pytest.mark.django_db
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")

SHOWN = 20
PER_TOPIC = 10


@pytest.fixture
def speaker():
    """An author with 30 published quotes (some said on the same day, some undated) on three
    topics, 25, 10 and 1 of them, and sides on 26 claims, ties in how many across the 20th
    place; and two quotes readers may not see (a draft and one no longer found in its
    document) on the same topics and claims."""
    author = Author.objects.create(name="Counted Speaker", sort_name="Speaker", slug="counted")
    document = Document.objects.create(
        title="A document", slug="a-document-for-counting", kind="article", text="x" * 100
    )
    days = [datetime.date(1921, 3, 1 + i % 7) for i in range(30)]
    days[4] = days[11] = days[17] = None
    quotes = [
        Quote.objects.create(
            text=f"Quote {i}",
            speaker=author,
            document=document,
            start_offset=i,
            end_offset=i + 1,
            said_start=day,
            said_end=day,
            said_precision=DatePrecision.DAY if day else "",
            status=Quote.Status.PUBLISHED,
        )
        for i, day in enumerate(days)
    ]
    hidden = [
        Quote.objects.create(
            text="A draft", speaker=author, document=document, start_offset=50, end_offset=51
        ),
        Quote.objects.create(
            text="Lost", speaker=author, document=document, status=Quote.Status.PUBLISHED
        ),
    ]
    many, some, one = (
        Topic.objects.create(name=f"Counted topic {name}", slug=f"counted-{name}")
        for name in ["many", "some", "one"]
    )
    for i, quote in enumerate(quotes):
        quote.topics.add(*([many] if i < 25 else []), *([some] if i >= 20 else []))
    quotes[7].topics.add(one)
    for quote in hidden:
        quote.topics.add(many, one)
    # Claim k is taken by the first `sides[k]` quotes; texts run against ids, so that text,
    # not id, orders claims taken equally often.
    sides = [6, 6, 5, 4, 4, 4, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1]
    positions = list(Stance.Position.values)
    for k, n in enumerate(sides):
        claim = Claim.objects.create(text=f"Counted claim {99 - k}", slug=f"counted-claim-{k}")
        Stance.objects.bulk_create(
            Stance(quote=quotes[(k + i) % 30], claim=claim, position=positions[(k + i) % 3])
            for i in range(n)
        )
        Stance.objects.bulk_create(
            Stance(quote=quote, claim=claim, position=positions[0]) for quote in hidden
        )
    return author


def expected_claims(author):
    """The claims shown, computed here from the author's published quotes' stances."""
    stances = list(Stance.objects.filter(quote__in=author.quotes.published()))
    n = Counter(stance.claim_id for stance in stances)
    names = {claim.pk: claim for claim in Claim.objects.filter(pk__in=n)}
    order = sorted(n, key=lambda pk: (-n[pk], names[pk].text, names[pk].slug))
    return [
        {
            "slug": names[pk].slug,
            "text": names[pk].text,
            "n": n[pk],
            "claims": len(n),
            **{
                p: sum(1 for s in stances if s.claim_id == pk and s.position == p)
                for p in POSITIONS
            },
        }
        for pk in order[:SHOWN]
    ]


def expected_places(author):
    """(topic, quote, n, place) computed here from the author's published quotes."""
    quotes = sorted(
        author.quotes.published().prefetch_related("topics"),
        key=lambda q: (q.said_start is None, q.said_start or datetime.date.min, q.pk),
    )
    by_topic = {}
    for quote in quotes:
        for topic in quote.topics.all():
            by_topic.setdefault(topic.pk, []).append(quote.pk)
    return sorted(
        (topic, quote, len(ids), place)
        for topic, ids in by_topic.items()
        for place, quote in enumerate(ids[:PER_TOPIC], start=1)
    )


def test_the_claims_an_author_takes_most_sides_on_are_counted_by_side_ties_by_text(speaker):
    with CaptureQueriesContext(connection) as queries:
        claims = claims_taken(speaker, SHOWN)
    assert len(queries) == 1
    assert claims == expected_claims(speaker)
    assert len(claims) == SHOWN and claims[0]["claims"] == 26
    # Twelve claims are taken twice; the nine shown are the first by text.
    assert [claim["n"] for claim in claims[-9:]] == [2] * 9
    assert claims[-1]["text"] == "Counted claim 85"


def test_each_topic_counts_the_author_s_quotes_and_places_the_first_said(speaker):
    with CaptureQueriesContext(connection) as queries:
        places = topic_places(speaker, PER_TOPIC)
    assert len(queries) == 1
    assert sorted(places) == expected_places(speaker)
    assert {(topic, n) for topic, _, n, _ in places} == {
        (Topic.objects.get(slug=f"counted-{name}").pk, n)
        for name, n in [("many", 25), ("some", 10), ("one", 1)]
    }


def test_an_author_quoted_nowhere_has_no_topics_and_no_claims():
    author = Author.objects.create(name="Unquoted", sort_name="Unquoted", slug="unquoted")
    assert topic_places(author, PER_TOPIC) == []
    assert claims_taken(author, SHOWN) == []


@on_postgresql
@pytest.mark.postgres
def test_on_postgresql_the_keys_give_what_the_tables_give_for_every_author_of_the_archive(
    speaker,
):
    authors = list(Author.objects.filter(quotes__isnull=False).distinct())
    assert len(authors) > 20
    for author in authors:
        for per_topic, shown in [(PER_TOPIC, SHOWN), (1, 3)]:
            from_keys = author_counts.topic_places_from_keys(author, per_topic, connection)
            from_tables = author_counts.topic_places_from_tables(author, per_topic)
            assert sorted(from_keys) == sorted(from_tables), author.slug
            assert author_counts.claims_taken_from_keys(
                author, shown, connection
            ) == author_counts.claims_taken_from_tables(author, shown), author.slug
