"""The Atom feeds of newly added quotes and the sitemap (an index at /sitemap.xml naming a
sitemap per section, /sitemap-<section>.xml, in pages), read as feed readers and crawlers do."""

import html
import io
import math
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from archive import caching, sitemaps
from archive.models import Author, Claim, Document, Quote, Stance, Topic

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
HOST = "http://testserver"
LIST_PAGES = ["/", "/quotes/", "/authors/", "/documents/", "/claims/", "/topics/"]
SECTIONS = ["pages", "quotes", "authors", "documents", "claims", "topics"]


def read_xml(client, address, **request):
    """The parsed XML document at address (a path, with its query string if any)."""
    response = client.get(address, **request)
    assert response.status_code == 200, address
    assert response["Content-Type"].startswith("application/xml"), address
    return ET.fromstring(response.content)


def index_locations(client, **request):
    """The <loc> of every <sitemap> the index at /sitemap.xml names, in order."""
    index = read_xml(client, "/sitemap.xml", **request)
    assert index.tag == f"{SITEMAP}sitemapindex"
    return [sitemap.findtext(f"{SITEMAP}loc") for sitemap in index.iter(f"{SITEMAP}sitemap")]


def local(location):
    """An absolute URL of this site without its scheme and host: path and query string."""
    assert location.startswith(HOST + "/"), location
    return location.removeprefix(HOST)


def read_urls(client, address):
    """[(path, lastmod text or None)] for every <url> of the sitemap at address."""
    urlset = read_xml(client, address)
    assert urlset.tag == f"{SITEMAP}urlset"
    return [
        (local(url.findtext(f"{SITEMAP}loc")), url.findtext(f"{SITEMAP}lastmod"))
        for url in urlset.iter(f"{SITEMAP}url")
    ]


def read_sitemap(client):
    """{path: lastmod text or None} for every <url> of every sitemap the index names."""
    dates = {}
    for location in index_locations(client):
        for path, lastmod in read_urls(client, local(location)):
            assert path not in dates, f"{path} is listed twice"
            dates[path] = lastmod
    return dates


@pytest.fixture
def sitemap_limit(monkeypatch):
    """Set SITEMAP_LIMIT, the URLs per sitemap page, to a smaller number for one test."""

    def set_limit(limit):
        monkeypatch.setattr(sitemaps, "SITEMAP_LIMIT", limit)
        for sitemap in [sitemaps.ArchiveSitemap, *sitemaps.SITEMAPS.values()]:
            monkeypatch.setattr(sitemap, "limit", limit)  # Django reads the class's `limit`
        cache.clear()  # pages stored under the other limit

    return set_limit


def clone(obj, **changes):
    """An unsaved copy of obj with changes."""
    fields = obj._meta.concrete_fields
    values = {f.attname: getattr(obj, f.attname) for f in fields if not f.primary_key}
    return type(obj)(**{**values, **changes})


def grow_archive(n):
    """n more authors, documents, claims and topics, each with a published quote of its own
    (copies of quote 201, made in bulk)."""
    quote = Quote.objects.select_related("speaker", "document").get(pk=201)
    claim, topic = Claim.objects.first(), Topic.objects.first()
    authors = Author.objects.bulk_create(
        clone(quote.speaker, slug=f"grown-author-{i}") for i in range(n)
    )
    documents = Document.objects.bulk_create(
        clone(quote.document, slug=f"grown-document-{i}") for i in range(n)
    )
    claims = Claim.objects.bulk_create(clone(claim, slug=f"grown-claim-{i}") for i in range(n))
    topics = Topic.objects.bulk_create(clone(topic, slug=f"grown-topic-{i}") for i in range(n))
    quotes = Quote.objects.bulk_create(
        clone(quote, speaker_id=author.pk, document_id=document.pk)
        for author, document in zip(authors, documents, strict=True)
    )
    Quote.topics.through.objects.bulk_create(
        Quote.topics.through(quote_id=q.pk, topic_id=t.pk)
        for q, t in zip(quotes, topics, strict=True)
    )
    Stance.objects.bulk_create(
        Stance(quote_id=q.pk, claim_id=c.pk, position=Stance.Position.SUPPORTS)
        for q, c in zip(quotes, claims, strict=True)
    )
    caching.archive_changed()  # bulk_create sends no signal
    return quotes


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
    caching.archive_changed()  # update() sends no signal


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
    request = {"HTTP_HOST": "localhost", "secure": True}
    assert index_locations(client, **request) == [
        f"https://localhost/sitemap-{section}.xml" for section in SECTIONS
    ]

    urlset = read_xml(client, "/sitemap-quotes.xml", **request)

    locations = [url.text for url in urlset.iter(f"{SITEMAP}loc")]
    assert "https://localhost/quotes/201/" in locations
    assert all(location.startswith("https://localhost/quotes/") for location in locations)


def test_the_index_names_one_sitemap_per_section(client):
    assert index_locations(client) == [f"{HOST}/sitemap-{section}.xml" for section in SECTIONS]


def test_the_index_dates_each_sitemap_by_its_section_s_latest_lastmod(client):
    Quote.objects.update(updated_at=datetime(2024, 1, 1, 12, tzinfo=UTC))
    quote = Quote.objects.published().filter(stances__isnull=True).first()  # on no claim
    Quote.objects.filter(pk=quote.pk).update(updated_at=datetime(2024, 5, 6, 12, tzinfo=UTC))
    caching.archive_changed()

    index = read_xml(client, "/sitemap.xml")

    for sitemap in index.iter(f"{SITEMAP}sitemap"):
        address = local(sitemap.findtext(f"{SITEMAP}loc"))
        latest = max(lastmod for _path, lastmod in read_urls(client, address) if lastmod)
        lastmod = datetime.fromisoformat(sitemap.findtext(f"{SITEMAP}lastmod"))
        assert timezone.localdate(lastmod).isoformat() == latest, address
        if address in ("/sitemap-quotes.xml", "/sitemap-pages.xml"):
            assert latest == "2024-05-06"
        if address == "/sitemap-claims.xml":
            assert latest == "2024-01-01"


def test_it_splits_a_section_into_pages_of_sitemap_limit_urls(client, sitemap_limit):
    sitemap_limit(50)
    published = sorted(Quote.objects.published().values_list("pk", flat=True))
    pages = math.ceil(len(published) / 50)
    assert pages >= 3

    locations = index_locations(client)

    quote_pages = [f"/sitemap-quotes.xml?p={page}" for page in range(2, pages + 1)]
    assert [local(location) for location in locations] == [
        "/sitemap-pages.xml",
        "/sitemap-quotes.xml",
        *quote_pages,
        "/sitemap-authors.xml",
        "/sitemap-documents.xml",
        "/sitemap-claims.xml",
        "/sitemap-topics.xml",
    ]
    listed = []
    for address in ["/sitemap-quotes.xml", *quote_pages]:
        urls = read_urls(client, address)
        assert len(urls) == (50 if address != quote_pages[-1] else len(published) % 50 or 50)
        listed += [path for path, _lastmod in urls]
    assert listed == [f"/quotes/{pk}/" for pk in published]  # each once, in order
    assert client.get(f"/sitemap-quotes.xml?p={pages + 1}").status_code == 404


def test_pages_of_sitemaps_list_the_same_urls_with_the_same_dates(client, sitemap_limit):
    Quote.objects.filter(pk__in=[201, 202]).update(updated_at=datetime(2031, 1, 1, tzinfo=UTC))
    withdraw(203)
    whole = read_sitemap(client)

    sitemap_limit(4)  # every section has several pages, detail pages dated page by page

    assert len(index_locations(client)) > 2 * len(SECTIONS)
    assert read_sitemap(client) == whole


@pytest.mark.parametrize(
    "address", ["/sitemap-nothing.xml", "/sitemap-quotes.xml?p=0", "/sitemap-quotes.xml?p=x"]
)
def test_an_unknown_section_or_page_answers_404(client, address):
    assert client.get(address).status_code == 404


def test_the_sitemaps_are_stored_and_show_a_curation_at_once(client):
    addresses = ["/sitemap.xml", "/sitemap-quotes.xml"]
    first = {address: client.get(address).content for address in addresses}
    with CaptureQueriesContext(connection) as queries:
        for address in addresses:
            assert read_xml(client, address) is not None
            assert client.get(address).content == first[address]
    assert len(queries) == 0

    quote = Quote.objects.get(pk=201)
    quote.withdraw("Found to be misattributed.")
    quote.save()

    assert "/quotes/201/" not in read_sitemap(client)


def test_it_dates_a_quote_page_by_the_quote_s_updated_at(client):
    quote = Quote.objects.get(pk=201)

    dates = read_sitemap(client)

    assert dates["/quotes/201/"] == timezone.localdate(quote.updated_at).isoformat()


def test_it_moves_lastmod_when_a_quote_is_updated(client):
    Quote.objects.update(updated_at=datetime(2024, 1, 1, 12, tzinfo=UTC))
    caching.archive_changed()  # update() sends no signal
    assert read_sitemap(client)["/quotes/201/"] == "2024-01-01"

    Quote.objects.filter(pk=201).update(updated_at=datetime(2024, 5, 6, 12, tzinfo=UTC))
    caching.archive_changed()

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
    caching.archive_changed()
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


def sitemap_query_counts(client):
    """{"index": [its query count], section: [the query count of each of its pages]}, every
    page rendered afresh, the archive's stamp already looked up (see tests/conftest.py)."""
    cache.clear()
    caching.archive_last_changed()
    with CaptureQueriesContext(connection) as queries:
        locations = index_locations(client)
    counts = {"index": [len(queries)]}
    for location in locations:
        section = re.match(r"/sitemap-(\w+)\.xml", local(location))[1]
        with CaptureQueriesContext(connection) as queries:
            read_urls(client, local(location))
        counts.setdefault(section, []).append(len(queries))
    return counts


def test_the_sitemaps_query_counts_do_not_grow_with_the_archive(client, sitemap_limit):
    sitemap_limit(50)
    before = sitemap_query_counts(client)

    grow_archive(120)
    after = sitemap_query_counts(client)

    assert len(after["quotes"]) > len(before["quotes"]) > 1
    for section in ["authors", "documents", "claims", "topics"]:
        assert len(after[section]) > len(before[section]) == 1, section
    assert {key: set(counts) for key, counts in after.items()} == {
        key: set(counts) for key, counts in before.items()
    }
    assert before.pop("index")[0] <= 2 * len(SECTIONS)  # a COUNT and a MAX per section
    assert all(max(counts) <= 3 for counts in before.values()), before  # COUNT, page, dates


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
