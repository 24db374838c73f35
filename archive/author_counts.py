"""What an author page counts, one statement each: the topics the author is quoted on, with
the first quotes said on each (`topic_places`), and the claims they take most sides on
(`claims_taken`).

On PostgreSQL both are read from the keys each quote row carries, topic_ids and claim_ids
(migration 0008), through an index that holds them beside the speaker (migration 0009): for
the most quoted of 100,000 quotes (2,742 quotes on 34 topics and 1,057 claims) that took
~7 and ~5 ms, against ~12 and ~13 ms through the ORM, which reads a row of
archive_quote_topics or archive_stance for each quote and joins every claim's text before
counting. Only the shown claims' sides are then looked up in archive_stance. On SQLite,
which has no arrays, the ORM reads the tables. Tests hold the two to the same rows.
"""

from django.db import connections, router
from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber

from archive.models import Quote, Stance, published_via

POSITIONS = sorted(Stance.Position.values)
# Quotes by date said, undated last, then id (seen from a row that has a quote): the order in
# which an author page lists each topic's quotes and a claim page each side's.
FIRST_SAID = [F("quote__said_start").asc(nulls_last=True), F("quote_id").asc()]

TOPIC_PLACES_SQL = """
SELECT topic_id, id, n, place FROM (
    SELECT topic_id, id,
        COUNT(*) OVER (PARTITION BY topic_id) AS n,
        ROW_NUMBER() OVER (
            PARTITION BY topic_id ORDER BY said_start ASC NULLS LAST, id ASC
        ) AS place
    FROM (
        SELECT unnest(topic_ids) AS topic_id, id, said_start FROM archive_quote
        WHERE speaker_id = %(speaker)s AND status = %(published)s
            AND start_offset IS NOT NULL
    ) keys
) placed
WHERE place <= %(per_topic)s
"""

# pairs: (quote, claim) for each of the author's stances, from the arrays. The claims shown
# are the first by count, then text and slug: RANK() keeps every claim tied at the last place
# shown, so that the LIMIT sorts them by text. Each shown pair's side is then read by key
# (a subquery per pair: joined, the planner reads every stance on the shown claims).
CLAIMS_TAKEN_SQL = """
WITH pairs AS MATERIALIZED (
    SELECT id AS quote_id, unnest(claim_ids) AS claim_id FROM archive_quote
    WHERE speaker_id = %(speaker)s AND status = %(published)s AND start_offset IS NOT NULL
), shown AS MATERIALIZED (
    SELECT ranked.claim_id, ranked.n, ranked.claims, claim.slug, claim.text
    FROM (
        SELECT claim_id, n, COUNT(*) OVER () AS claims, RANK() OVER (ORDER BY n DESC) AS r
        FROM (SELECT claim_id, COUNT(*) AS n FROM pairs GROUP BY claim_id) counted
    ) ranked
    JOIN archive_claim claim ON claim.id = ranked.claim_id
    WHERE ranked.r <= %(shown)s
    ORDER BY ranked.n DESC, claim.text, claim.slug
    LIMIT %(shown)s
), sides AS MATERIALIZED (
    SELECT pairs.claim_id, (
        SELECT stance.position FROM archive_stance stance
        WHERE stance.quote_id = pairs.quote_id AND stance.claim_id = pairs.claim_id
    ) AS position
    FROM pairs WHERE pairs.claim_id IN (SELECT claim_id FROM shown)
)
SELECT shown.slug, shown.text, shown.n, shown.claims, {sides}
FROM shown JOIN sides ON sides.claim_id = shown.claim_id
GROUP BY shown.claim_id, shown.slug, shown.text, shown.n, shown.claims
ORDER BY shown.n DESC, shown.text, shown.slug
""".format(
    sides=", ".join(
        f"COUNT(*) FILTER (WHERE sides.position = %({position})s)" for position in POSITIONS
    )
)


def _by_database(from_keys, from_tables, *args):
    """`from_keys` on PostgreSQL (given the connection), `from_tables` elsewhere."""
    connection = connections[router.db_for_read(Quote)]
    if connection.vendor == "postgresql":
        return from_keys(*args, connection)
    return from_tables(*args)


def topic_places(author, per_topic):
    """(topic id, quote id, n, place) for the first `per_topic` quotes (by date said, undated
    last, then id) of each topic the author is quoted on: n is how many of their published
    quotes are on the topic, place the quote's rank among them."""
    return _by_database(topic_places_from_keys, topic_places_from_tables, author, per_topic)


def topic_places_from_keys(author, per_topic, connection):
    params = {"speaker": author.pk, "published": Quote.Status.PUBLISHED, "per_topic": per_topic}
    with connection.cursor() as cursor:
        cursor.execute(TOPIC_PLACES_SQL, params)
        return [tuple(row) for row in cursor.fetchall()]


def topic_places_from_tables(author, per_topic):
    return list(
        Quote.topics.through.objects.filter(published_via("quote"), quote__speaker=author)
        .annotate(
            n=Window(Count("*"), partition_by=[F("topic_id")]),
            place=Window(RowNumber(), partition_by=[F("topic_id")], order_by=FIRST_SAID),
        )
        .filter(place__lte=per_topic)
        .values_list("topic_id", "quote_id", "n", "place")
    )


def claims_taken(author, shown):
    """The `shown` claims the author's published quotes take most sides on (then by text and
    slug), each as {"slug", "text", "n": quotes on it, "claims": how many claims the author
    takes a side on in all, and one count per position}."""
    return _by_database(claims_taken_from_keys, claims_taken_from_tables, author, shown)


def claims_taken_from_keys(author, shown, connection):
    params = {"speaker": author.pk, "published": Quote.Status.PUBLISHED, "shown": shown}
    params.update({position: position for position in POSITIONS})
    with connection.cursor() as cursor:
        cursor.execute(CLAIMS_TAKEN_SQL, params)
        names = ["slug", "text", "n", "claims", *POSITIONS]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def claims_taken_from_tables(author, shown):
    return list(
        Stance.objects.filter(published_via("quote"), quote__speaker=author)
        .values(slug=F("claim__slug"), text=F("claim__text"))
        .annotate(
            n=Count("*"),
            claims=Window(Count("*")),
            **{position: Count("pk", filter=Q(position=position)) for position in POSITIONS},
        )
        .order_by("-n", "text", "slug")[:shown]
    )
