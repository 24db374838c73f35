"""The Atom feeds of newly added quotes and /sitemap.xml, read as feed readers and crawlers do."""

import html
import io
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from archive.models import Author, Claim, Document, Quote, Topic

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
HOST = "http://testserver"
LIST_PAGES = ["/", "/quotes/", "/authors/", "/documents/", "/claims/", "/topics/"]


def read_sitemap(client):
    """{path: lastmod text or None} for every <url> of /sitemap.xml."""
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    dates = {}
    for url in ET.fromstring(response.content).iter(f"{SITEMAP}url"):
        location = url.findtext(f"{SITEMAP}loc")
        assert location.startswith(HOST + "/"), location
        path = location.removeprefix(HOST)
        assert path not in dates, f"{path} is listed twice"
        dates[path] = url.findtext(f"{SITEMAP}lastmod")
    return dates


def read_feed(client, url):
    """The parsed Atom document at url."""
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    return feed


def entry_quote_ids(feed):
    """The quote ids of the feed's entries, in order, read from each entry's <id>."""
    ids = []
    for entry in feed.iter(f"{ATOM}entry"):
        match = re.fullmatch(r"http://testserver/quotes/(\d+)/", entry.findtext(f"{ATOM}id"))
        assert match, entry.findtext(f"{ATOM}id")
        ids.append(int(match[1]))
    return ids


def newest_published_ids(quotes, limit=50):
    return list(
        quotes.published().order_by("-created_at", "-id").values_list("pk", flat=True)[:limit]
    )


def withdraw(pk):
    Quote.objects.filter(pk=pk).update(status="withdrawn", withdrawn_reason="x")


# The sitemap


def test_it_lists_every_public_page_in_the_sitemap(client):
    published = Quote.objects.published()
    expected = set(LIST_PAGES)
    expected |= {f"/quotes/{pk}/" for pk in published.values_list("pk", flat=True)}
    expected |= {
        f"/authors/{slug}/"
        for slug in Author.objects.filter(quotes__in=published).values_list("slug", flat=True)
    }
    for model, prefix in [(Document, "documents"), (Claim, "claims"), (Topic, "topics")]:
        expected |= {f"/{prefix}/{slug}/" for slug in model.objects.values_list("slug", flat=True)}

    assert set(read_sitemap(client)) == expected


def test_it_lists_only_pages_that_answer_200(client):
    for path in read_sitemap(client):
        assert client.get(path).status_code == 200, path


def test_it_takes_the_sitemap_s_domain_and_scheme_from_the_request(client):
    response = client.get("/sitemap.xml", HTTP_HOST="localhost", secure=True)

    locations = [url.text for url in ET.fromstring(response.content).iter(f"{SITEMAP}loc")]
    assert "https://localhost/quotes/201/" in locations
    assert all(location.startswith("https://localhost/") for location in locations)


def test_it_dates_a_quote_page_by_the_quote_s_updated_at(client):
    quote = Quote.objects.get(pk=201)

    dates = read_sitemap(client)

    assert dates["/quotes/201/"] == timezone.localdate(quote.updated_at).isoformat()


def test_it_moves_lastmod_when_a_quote_is_updated(client):
    Quote.objects.update(updated_at=datetime(2024, 1, 1, 12, tzinfo=UTC))
    assert read_sitemap(client)["/quotes/201/"] == "2024-01-01"

    Quote.objects.filter(pk=201).update(updated_at=datetime(2024, 5, 6, 12, tzinfo=UTC))

    quote = Quote.objects.select_related("speaker", "document").get(pk=201)
    dates = read_sitemap(client)
    assert dates["/quotes/201/"] == "2024-05-06"
    assert dates["/quotes/202/"] == "2024-01-01"
    assert dates[f"/documents/{quote.document.slug}/"] == "2024-05-06"
    assert dates[f"/authors/{quote.speaker.slug}/"] == "2024-05-06"
    for topic in Topic.objects.all():
        changed = topic.quotes.filter(pk=201).exists()
        assert dates[f"/topics/{topic.slug}/"] == ("2024-05-06" if changed else "2024-01-01")
    for path in LIST_PAGES:
        assert dates[path] == "2024-05-06"
    other_document = Document.objects.exclude(pk=quote.document_id).first()
    assert dates[f"/documents/{other_document.slug}/"] == "2024-01-01"


def test_it_dates_a_page_without_published_quotes_not_at_all(client):
    claim = Claim.objects.annotate(n=Count("stances")).order_by("n", "pk").first()
    for quote_id in claim.stances.values_list("quote_id", flat=True):
        withdraw(quote_id)

    assert read_sitemap(client)[f"/claims/{claim.slug}/"] is None


def test_it_leaves_withdrawn_draft_and_unlocated_quotes_out_of_the_sitemap(client):
    withdraw(201)
    Quote.objects.filter(pk=202).update(status="draft")
    Quote.objects.filter(pk=203).update(start_offset=None, end_offset=None)
    Quote.objects.filter(pk__in=[201, 202, 203]).update(updated_at=datetime(2031, 1, 1, tzinfo=UTC))
    document = Quote.objects.get(pk=201).document

    dates = read_sitemap(client)

    assert {"/quotes/201/", "/quotes/202/", "/quotes/203/"}.isdisjoint(dates)
    assert "/quotes/204/" in dates
    assert dates[f"/documents/{document.slug}/"] != "2031-01-01"
    assert dates["/"] != "2031-01-01"


def test_it_leaves_out_an_author_whose_only_quote_is_withdrawn(client):
    author = (
        Author.objects.annotate(n=Count("quotes", filter=Q(quotes__status="published")))
        .filter(n=1)
        .order_by("pk")
        .first()
    )
    assert f"/authors/{author.slug}/" in read_sitemap(client)

    withdraw(author.quotes.get().pk)

    assert f"/authors/{author.slug}/" not in read_sitemap(client)


def test_the_sitemap_s_query_count_does_not_grow_with_the_archive(
    client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        client.get("/sitemap.xml")


# The feeds


def test_it_lists_the_50_newest_published_quotes_in_the_archive_feed(client):
    feed = read_feed(client, "/feeds/quotes/")

    assert feed.findtext(f"{ATOM}title") == "Who Said What: newly added quotes"
    assert entry_quote_ids(feed) == newest_published_ids(Quote.objects.all())
    assert len(entry_quote_ids(feed)) == 50


def test_it_links_the_archive_feed_to_the_quote_list_and_itself(client):
    feed = read_feed(client, "/feeds/quotes/")

    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links["alternate"] == "http://testserver/quotes/"
    assert links["self"] == "http://testserver/feeds/quotes/"


def test_it_describes_a_quote_fully_in_its_feed_entry(client):
    Quote.objects.filter(pk=535).update(created_at=timezone.now())  # its text holds an “&”
    quote = Quote.objects.select_related("speaker").get(pk=535)

    entry = read_feed(client, "/feeds/quotes/").find(f"{ATOM}entry")

    assert entry.findtext(f"{ATOM}id") == "http://testserver/quotes/535/"
    assert entry.find(f"{ATOM}link").get("href") == "http://testserver/quotes/535/"
    opening = " ".join(quote.text.split()[:12])
    assert entry.findtext(f"{ATOM}title") == f"{quote.speaker.name}: “{opening}…”"
    summary = entry.find(f"{ATOM}summary")
    assert summary.get("type") == "html"
    assert html.unescape(summary.text) == quote.text
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == quote.speaker.name
    assert datetime.fromisoformat(entry.findtext(f"{ATOM}published")) == quote.created_at
    assert datetime.fromisoformat(entry.findtext(f"{ATOM}updated")) == quote.updated_at


def test_it_keeps_markup_in_a_quote_inert_in_the_feed(client):
    quote = Quote.objects.get(pk=201)
    document = quote.document
    document.text += "\n\n<script>alert(1)</script>"
    document.save()
    Quote.objects.filter(pk=201).update(text="<script>alert(1)</script>", created_at=timezone.now())
    call_command("verify_quotes", "201", stdout=io.StringIO())
    assert Quote.objects.published().filter(pk=201).exists()

    response = client.get("/feeds/quotes/")
    entry = ET.fromstring(response.content).find(f"{ATOM}entry")

    assert b"<script>" not in response.content
    assert entry.findtext(f"{ATOM}id") == "http://testserver/quotes/201/"
    assert entry.findtext(f"{ATOM}summary") == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert entry.find(f"{ATOM}title").get("type") in (None, "text")


def test_it_leaves_withdrawn_quotes_out_of_every_feed(client):
    quote = Quote.objects.published().filter(stances__isnull=False, topics__isnull=False).first()
    Quote.objects.filter(pk=quote.pk).update(created_at=timezone.now())
    newest = Quote.objects.select_related("speaker").get(pk=quote.pk)
    topic = newest.topics.first()
    claim = newest.claims.first()
    feeds = [
        "/feeds/quotes/",
        f"/feeds/topics/{topic.slug}/",
        f"/feeds/authors/{newest.speaker.slug}/",
        f"/feeds/claims/{claim.slug}/",
    ]
    assert newest.pk in entry_quote_ids(read_feed(client, "/feeds/quotes/"))

    withdraw(newest.pk)

    for url in feeds:
        assert newest.pk not in entry_quote_ids(read_feed(client, url)), url


def test_it_lists_only_a_topic_s_quotes_in_the_topic_feed(client):
    topic = Topic.objects.get(slug="nep")
    Quote.objects.filter(pk__in=topic.quotes.values("pk")[:1]).update(status="draft")

    feed = read_feed(client, "/feeds/topics/nep/")

    ids = entry_quote_ids(feed)
    assert ids == newest_published_ids(topic.quotes.all())
    assert 0 < len(ids) < Quote.objects.published().count()
    assert not Quote.objects.filter(pk__in=ids).exclude(topics=topic).exists()
    assert feed.findtext(f"{ATOM}title") == f"Who Said What: newly added quotes on {topic.name}"
    alternate = feed.find(f"{ATOM}link[@rel='alternate']")
    assert alternate.get("href") == "http://testserver/topics/nep/"


def test_it_lists_only_an_author_s_quotes_in_the_author_feed(client):
    author = Author.objects.get(slug="lenin")

    feed = read_feed(client, "/feeds/authors/lenin/")

    ids = entry_quote_ids(feed)
    assert ids and ids == newest_published_ids(author.quotes.all())
    assert feed.findtext(f"{ATOM}title") == f"Who Said What: newly added quotes from {author.name}"
    alternate = feed.find(f"{ATOM}link[@rel='alternate']")
    assert alternate.get("href") == "http://testserver/authors/lenin/"


def test_it_lists_quotes_on_every_side_of_a_claim_in_the_claim_feed(client):
    claim = Claim.objects.get(slug="stalinism-continued-leninism")

    feed = read_feed(client, "/feeds/claims/stalinism-continued-leninism/")

    ids = entry_quote_ids(feed)
    assert ids == newest_published_ids(claim.quotes.all())
    positions = set(claim.stances.filter(quote__in=ids).values_list("position", flat=True))
    assert len(positions) > 1
    assert claim.text in feed.findtext(f"{ATOM}title")
    alternate = feed.find(f"{ATOM}link[@rel='alternate']")
    assert alternate.get("href") == "http://testserver/claims/stalinism-continued-leninism/"


@pytest.mark.parametrize("kind", ["topics", "authors", "claims"])
def test_a_feed_for_an_unknown_slug_answers_404(client, kind):
    assert client.get(f"/feeds/{kind}/no-such-slug/").status_code == 404


def test_a_feed_s_query_count_does_not_grow_with_its_length(client):
    """The smallest and the largest claim feed cost the same few queries."""
    claims = Claim.objects.annotate(n=Count("stances")).order_by("n", "pk")
    counts = []
    for claim in [claims.first(), claims.last()]:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/feeds/claims/{claim.slug}/").status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1] <= 2


def test_the_archive_feed_costs_one_query(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        client.get("/feeds/quotes/")
