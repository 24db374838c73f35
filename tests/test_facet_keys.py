"""Each quote's topic and claim ids, kept on its row by PostgreSQL triggers (migration 0008) for
counting a search's facets, always equal what the two tables say, whatever writes them."""

import threading
import time

import psycopg
import pytest
from django.db import connection

from archive.filters import QuoteFilter
from archive.models import Claim, Quote, Stance, Topic

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]


def kept(pk, using=None):
    """(topic_ids, claim_ids) as stored on the quote's row."""
    with (using or connection).cursor() as cursor:
        cursor.execute("SELECT topic_ids, claim_ids FROM archive_quote WHERE id = %s", [pk])
        return cursor.fetchone()


def told(pk):
    """(topic ids, claim ids) as the two tables give them."""
    topics = Quote.topics.through.objects.filter(quote_id=pk).order_by("topic_id")
    claims = Stance.objects.filter(quote_id=pk).order_by("claim_id")
    return (
        list(topics.values_list("topic_id", flat=True)),
        list(claims.values_list("claim_id", flat=True)),
    )


def a_quote_with_stances():
    return Quote.objects.filter(stances__isnull=False).order_by("pk").first()


def test_every_quote_of_the_loaded_archive_keeps_its_topics_and_claims():
    quotes = list(Quote.objects.order_by("pk").values_list("pk", flat=True))
    assert len(quotes) == 240
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, topic_ids, claim_ids FROM archive_quote ORDER BY id")
        stored = {pk: (topics, claims) for pk, topics, claims in cursor.fetchall()}
    assert stored == {pk: told(pk) for pk in quotes}
    assert any(claims for _, claims in stored.values())
    assert any(len(topics) > 1 for topics, _ in stored.values())


def test_adding_removing_setting_and_clearing_topics_updates_the_quote():
    quote = Quote.objects.order_by("pk").first()
    others = list(Topic.objects.exclude(quotes=quote).order_by("pk")[:2])
    quote.topics.add(*others)
    assert kept(quote.pk) == told(quote.pk)
    assert {topic.pk for topic in others} <= set(kept(quote.pk)[0])
    quote.topics.remove(others[0])
    assert others[0].pk not in kept(quote.pk)[0]
    assert kept(quote.pk) == told(quote.pk)
    quote.topics.set([others[1]])
    assert kept(quote.pk)[0] == [others[1].pk]
    quote.topics.clear()
    assert kept(quote.pk)[0] == []


def test_creating_changing_moving_and_deleting_a_stance_updates_both_quotes():
    first, second = Quote.objects.filter(stances__isnull=True).order_by("pk")[:2]
    claim, other = Claim.objects.order_by("pk")[:2]
    stance = Stance.objects.create(quote=first, claim=claim, position=Stance.Position.SUPPORTS)
    assert kept(first.pk)[1] == [claim.pk]
    stance.claim = other
    stance.save()
    assert kept(first.pk)[1] == [other.pk]
    stance.quote = second
    stance.save()
    assert kept(first.pk)[1] == []
    assert kept(second.pk)[1] == [other.pk]
    stance.delete()
    assert kept(second.pk)[1] == []
    assert kept(first.pk) == told(first.pk) and kept(second.pk) == told(second.pk)


def test_one_bulk_insert_updates_every_quote_it_touches():
    topic = Topic.objects.create(name="Bulk", slug="bulk")
    quotes = list(Quote.objects.order_by("pk").values_list("pk", flat=True)[:50])
    through = Quote.topics.through
    through.objects.bulk_create([through(quote_id=pk, topic_id=topic.pk) for pk in quotes])
    for pk in quotes:
        assert topic.pk in kept(pk)[0]
        assert kept(pk) == told(pk)


def test_deleting_a_topic_or_a_claim_takes_it_off_its_quotes():
    quote = a_quote_with_stances()
    topic = quote.topics.order_by("pk").first()
    claim = quote.stances.order_by("pk").first().claim
    tagged = list(topic.quotes.values_list("pk", flat=True))
    topic.delete()
    claim.delete()
    assert topic.pk not in kept(quote.pk)[0] and claim.pk not in kept(quote.pk)[1]
    assert all(kept(pk) == told(pk) for pk in tagged)


def test_a_topic_added_by_a_curator_is_counted_in_a_search_s_facets():
    published = Quote.objects.published()
    quote = published.filter(text__icontains="wages").order_by("pk").first()
    topic = Topic.objects.create(name="Wage policy", slug="wage-policy")
    facets, _, _ = QuoteFilter({"q": "wages"}, queryset=published).counts(limit=2500)
    assert "wage-policy" not in {item["value"] for item in facets["topic"]}
    quote.topics.add(topic)
    facets, _, _ = QuoteFilter({"q": "wages"}, queryset=published).counts(limit=2500)
    counted = {item["value"]: item["count"] for item in facets["topic"]}
    assert counted["wage-policy"] == 1


def test_two_curators_tagging_the_same_quote_at_once_both_keep_their_topic():
    """Two sessions of their own add a topic each to one quote; the second waits for the
    first's lock and then sees its committed row: neither topic is lost. The rows are
    committed, so they are removed again at the end."""
    quote = Quote.objects.order_by("pk").first()
    first, second = Topic.objects.exclude(quotes=quote).order_by("pk")[:2]
    params = connection.settings_dict
    conninfo = {
        "dbname": params["NAME"],
        "user": params["USER"],
        "password": params["PASSWORD"],
        "host": params["HOST"],
        "port": params["PORT"],
    }
    conninfo = {key: value for key, value in conninfo.items() if value}
    insert = "INSERT INTO archive_quote_topics (quote_id, topic_id) VALUES (%s, %s)"
    sessions = [psycopg.connect(**conninfo) for _ in range(3)]
    one, two, look = sessions
    try:
        one.execute(insert, [quote.pk, first.pk])  # its trigger holds the quote's row
        waiting = threading.Thread(target=lambda: two.execute(insert, [quote.pk, second.pk]))
        waiting.start()
        pid = two.info.backend_pid
        for _ in range(200):  # until the second session waits for the first's lock
            state = look.execute(
                "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid]
            ).fetchone()
            if state and state[0] == "Lock":
                break
            time.sleep(0.02)
        else:
            pytest.fail("the second session never waited for the first")
        one.commit()
        waiting.join(10)
        two.commit()
        topics, _ = look.execute(
            "SELECT topic_ids, claim_ids FROM archive_quote WHERE id = %s", [quote.pk]
        ).fetchone()
        assert {first.pk, second.pk} <= set(topics)
    finally:
        for session in [one, two]:
            session.rollback()
        look.execute(
            "DELETE FROM archive_quote_topics WHERE quote_id = %s AND topic_id IN (%s, %s)",
            [quote.pk, first.pk, second.pk],
        )
        look.commit()
        for session in sessions:
            session.close()
    assert kept(quote.pk) == told(quote.pk)
