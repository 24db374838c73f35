"""HTTP caching: validators from the archive's last change, 304s without rendering, public
pages without cookies, stored heavy pages that every curation invalidates, hashed static files.
"""

from datetime import timedelta
from email.utils import parsedate_to_datetime

import pytest
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from archive import caching, views
from archive.models import Author, Claim, Document, Quote, Stance, Topic

pytestmark = pytest.mark.django_db

STORED_PAGES = ["/", "/quotes/", "/quotes/?q=wages&sort=said", "CLAIM", "DOCUMENT", "/topics/nep/"]
STORED_PAGES += ["AUTHOR"]
STORED_PAGES += ["/sitemap.xml", "/sitemap-quotes.xml", "/quotes/207/"]


def reader_pages():
    """One address of every kind of public page."""
    claim = Claim.objects.order_by("pk").first()
    document = Document.objects.order_by("pk").first()
    topic = Topic.objects.order_by("pk").first()
    author = Author.objects.filter(quotes__in=Quote.objects.published()).first()
    quote = Quote.objects.published().order_by("pk").first()
    return [
        "/",
        "/quotes/",
        "/quotes/?q=wages&speaker=joseph-stalin&sort=said",
        f"/quotes/{quote.pk}/",
        f"/quotes/{quote.pk}/cite.bib",
        f"/quotes/{quote.pk}/v/",
        f"/quotes/{quote.pk}/v/1/",
        f"/quotes/{quote.pk}/v/1/cite.ris",
        "/authors/",
        author.get_absolute_url(),
        "/documents/",
        document.get_absolute_url(),
        "/claims/",
        claim.get_absolute_url(),
        "/topics/",
        topic.get_absolute_url(),
        "/feeds/quotes/",
        f"/feeds/topics/{topic.slug}/",
        f"/feeds/authors/{author.slug}/",
        f"/feeds/claims/{claim.slug}/",
        "/sitemap.xml",
    ]


def address(page):
    if page == "CLAIM":
        return Claim.objects.order_by("pk").first().get_absolute_url()
    if page == "DOCUMENT":
        return Document.objects.order_by("pk").first().get_absolute_url()
    if page == "AUTHOR":
        return Quote.objects.published().order_by("pk").first().speaker.get_absolute_url()
    return page


def http_time(value):
    return parsedate_to_datetime(value)


# Headers on public pages -------------------------------------------------------------------


def test_every_public_page_carries_cache_control_last_modified_and_an_etag(client):
    stamp = caching.archive_last_changed()
    for url in reader_pages():
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == "public, max-age=300", url
        assert response["ETag"].startswith('"') and len(response["ETag"]) == 34, url
        last_modified = http_time(response["Last-Modified"])
        assert last_modified >= stamp.replace(microsecond=0), url
        assert last_modified <= timezone.now(), url


def test_public_pages_set_no_cookie_and_do_not_vary_on_it(client, admin_client):
    for url in reader_pages():
        for reader in (client, admin_client):  # a logged-in curator gets the same public page
            response = reader.get(url)
            assert not response.cookies, url
            assert "Set-Cookie" not in response, url
            assert "Cookie" not in response.get("Vary", ""), url
            assert "public" in response["Cache-Control"], url


def test_the_admin_is_never_public(admin_client, client):
    for reader, url in [
        (admin_client, "/admin/"),
        (admin_client, "/admin/archive/quote/"),
        (client, "/admin/login/"),
    ]:
        response = reader.get(url)
        assert "public" not in response.get("Cache-Control", ""), url
        assert "private" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
        assert "ETag" not in response, url


def test_the_settings_choose_how_long_pages_may_be_kept(client, settings):
    settings.ARCHIVE_HTTP_MAX_AGE = 60
    assert client.get("/quotes/")["Cache-Control"] == "public, max-age=60"


def test_each_address_has_its_own_etag(client):
    tags = {client.get(url)["ETag"] for url in ["/quotes/", "/quotes/?q=wages", "/quotes/?page=2"]}
    assert len(tags) == 3
    assert client.get("/quotes/?q=wages")["ETag"] == client.get("/quotes/?q=wages")["ETag"]


def test_pages_change_version_at_midnight_because_they_show_the_access_date(client, monkeypatch):
    quote = Quote.objects.published().first()
    today = client.get(f"/quotes/{quote.pk}/")
    tomorrow = timezone.now() + timedelta(days=1)
    monkeypatch.setattr(timezone, "now", lambda: tomorrow)
    later = client.get(f"/quotes/{quote.pk}/", HTTP_IF_NONE_MATCH=today["ETag"])
    assert later.status_code == 200
    assert later["ETag"] != today["ETag"]
    assert http_time(later["Last-Modified"]).date() == tomorrow.date()


def test_redirects_and_withdrawn_quotes_carry_no_validators(client):
    quote = Quote.objects.published().order_by("pk").first()
    quote.withdraw("Misattributed")
    quote.save()
    response = client.get(f"/quotes/{quote.pk}/")
    assert response.status_code == 410
    assert "ETag" not in response and "Last-Modified" not in response
    assert response["Cache-Control"] == "public, max-age=300"

    other = Quote.objects.published().order_by("pk").first()
    quote.status, quote.merged_into, quote.withdrawn_reason = "merged", other, ""
    quote.save()
    response = client.get(f"/quotes/{quote.pk}/")
    assert response.status_code == 301
    assert "ETag" not in response


def test_a_missing_page_is_not_made_cacheable(client):
    response = client.get("/claims/no-such-claim/")
    assert response.status_code == 404
    assert "public" not in response.get("Cache-Control", "")
    assert "ETag" not in response


# Conditional requests ----------------------------------------------------------------------


def test_a_matching_etag_answers_304_without_running_the_view(client, monkeypatch):
    first = client.get("/quotes/")

    def must_not_render(*args, **kwargs):
        raise AssertionError("a 304 must not render the page")

    monkeypatch.setattr(views, "render", must_not_render)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/quotes/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert response.status_code == 304
    assert response.content == b""
    assert len(queries) == 0  # the stamp is cached
    assert response["ETag"] == first["ETag"]
    assert response["Cache-Control"] == "public, max-age=300"


def test_a_304_costs_one_query_when_the_stamp_is_not_cached(client, monkeypatch):
    first = client.get("/topics/")
    cache.clear()
    monkeypatch.setattr(views, "render", lambda *a, **k: pytest.fail("rendered"))
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/topics/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert response.status_code == 304
    assert len(queries) == 1


def test_if_modified_since_answers_304_until_the_archive_changes(client):
    first = client.get("/authors/")
    since = first["Last-Modified"]
    assert client.get("/authors/", HTTP_IF_MODIFIED_SINCE=since).status_code == 304
    assert client.head("/authors/", HTTP_IF_MODIFIED_SINCE=since).status_code == 304

    author = Author.objects.first()
    author.description = "Changed a second later."
    author.save()
    # Last-Modified has whole seconds: look a second ahead.
    cache.set(caching.BUMP_KEY, timezone.now() + timedelta(seconds=2), None)
    assert client.get("/authors/", HTTP_IF_MODIFIED_SINCE=since).status_code == 200


def test_a_stale_etag_gets_the_whole_page(client):
    assert client.get("/quotes/", HTTP_IF_NONE_MATCH='"stale"').status_code == 200


# Invalidation by curation ------------------------------------------------------------------


def etag_after(client, url, change):
    before = client.get(url)["ETag"]
    change()
    response = client.get(url, HTTP_IF_NONE_MATCH=before)
    assert response.status_code == 200, "the change must invalidate the old version"
    assert response["ETag"] != before
    return response


def test_saving_deleting_and_relating_change_the_version(client):
    quote = Quote.objects.published().order_by("pk").first()
    topic = Topic.objects.exclude(quotes=quote).first()
    stance = Stance.objects.first()

    def save_author():
        Author.objects.get(pk=quote.speaker_id).save()

    etag_after(client, "/topics/", save_author)
    etag_after(client, "/topics/", lambda: quote.topics.add(topic))
    etag_after(client, "/topics/", lambda: quote.topics.remove(topic))
    etag_after(client, "/claims/", stance.delete)
    etag_after(client, "/claims/", lambda: Claim.objects.first().topics.clear())


def test_a_curation_shows_at_once_on_every_stored_page(client):
    topic = Topic.objects.order_by("pk").first()
    claim = Claim.objects.order_by("pk").first()
    document = Document.objects.order_by("pk").first()
    author = Quote.objects.published().order_by("pk").first().speaker
    pages = ["/", f"/claims/{claim.slug}/", f"/documents/{document.slug}/", "/quotes/"]
    pages.append(author.get_absolute_url())
    for url in pages:
        client.get(url)

    topic.name, claim.text, document.title = "Renamed topic", "Renamed claim", "Renamed doc"
    author.description = "A description written after the page was stored."
    topic.save()
    claim.save()
    document.save()
    author.save()
    assert "Renamed topic" in client.get("/").content.decode()
    assert "Renamed claim" in client.get(f"/claims/{claim.slug}/").content.decode()
    assert "Renamed doc" in client.get(f"/documents/{document.slug}/").content.decode()
    assert "Renamed doc" in client.get("/quotes/").content.decode()
    assert "written after the page" in client.get(author.get_absolute_url()).content.decode()


def test_reverification_and_verify_quotes_change_the_version_though_they_use_update(client):
    quote = Quote.objects.published().order_by("pk").first()
    before = client.get("/quotes/")["ETag"]
    Quote.objects.filter(pk=quote.pk).reverify()
    after_reverify = client.get("/quotes/")["ETag"]
    assert after_reverify != before
    call_command("verify_quotes", quote.pk, verbosity=0, stdout=open("/dev/null", "w"))
    assert client.get("/quotes/")["ETag"] != after_reverify


def test_the_version_moves_again_when_the_transaction_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        Topic.objects.first().save()
        during = caching.archive_last_changed()
    assert callbacks
    assert caching.archive_last_changed() > during


def test_the_stamp_is_read_from_the_database_when_the_cache_is_cold():
    topic = Topic.objects.first()
    topic.save()
    saved = topic.history.latest().history_date
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        stamp = caching.archive_last_changed()
    assert len(queries) == 1
    assert stamp == saved
    with CaptureQueriesContext(connection) as queries:
        assert caching.archive_last_changed() == saved
    assert len(queries) == 0


def test_another_process_s_change_is_seen_from_the_database_after_the_stamp_expires(settings):
    settings.ARCHIVE_STAMP_SECONDS = 10
    before = caching.archive_last_changed()
    topic = Topic.objects.first()
    topic.save()
    cache.delete(caching.BUMP_KEY)  # as if the save had bumped another process's cache
    assert caching.archive_last_changed() == before
    cache.delete(caching.DATABASE_KEY)  # the stamp's ARCHIVE_STAMP_SECONDS are over
    assert caching.archive_last_changed() == topic.history.latest().history_date


# Stored pages ------------------------------------------------------------------------------


@pytest.mark.parametrize("page", STORED_PAGES)
def test_heavy_pages_are_stored_and_served_without_queries(client, page):
    url = address(page)
    first = client.get(url)
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url)
    assert len(queries) == 0
    assert again.status_code == 200
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]
    assert again["Content-Type"] == first["Content-Type"]


def test_only_successful_pages_are_stored(client):
    before = set(cache._cache)  # LocMemCache's keys
    assert client.get("/claims/no-such-claim/").status_code == 404
    assert client.get("/documents/no-such-document/").status_code == 404
    assert not [key for key in set(cache._cache) - before if "archive:page" in key]


def test_light_pages_are_not_stored(client):
    client.get("/authors/")
    with CaptureQueriesContext(connection) as queries:
        client.get("/authors/")
    assert len(queries) > 0


def test_while_a_change_settles_pages_are_neither_validated_nor_stored(client, settings):
    settings.ARCHIVE_SETTLE_SECONDS = 60
    Topic.objects.first().save()
    response = client.get("/quotes/")
    assert response["Cache-Control"] == "no-cache"
    assert "ETag" not in response and "Last-Modified" not in response
    with CaptureQueriesContext(connection) as queries:
        client.get("/quotes/", HTTP_IF_NONE_MATCH='"anything"')
    assert len(queries) > 0

    settings.ARCHIVE_SETTLE_SECONDS = 0
    assert "ETag" in client.get("/quotes/")


# Static files ------------------------------------------------------------------------------


def test_hashed_static_files_are_compressed_and_cached_for_ever(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    url = staticfiles_storage.url("css/site.css")
    assert url.startswith("/static/css/site.") and url != "/static/css/site.css"

    reader = Client()  # a new client loads the middleware, which finds the collected files
    response = reader.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=315360000, public, immutable"
    plain = b"".join(response.streaming_content)
    assert b"{" in plain

    gzipped = reader.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert gzipped["Content-Encoding"] == "gzip"
    assert gzipped["Cache-Control"] == "max-age=315360000, public, immutable"
    assert "Accept-Encoding" in gzipped["Vary"]
    assert int(gzipped["Content-Length"]) < len(plain)
    b"".join(gzipped.streaming_content)

    unhashed = reader.get("/static/css/site.css")
    assert unhashed.status_code == 200
    assert "immutable" not in unhashed["Cache-Control"]
    b"".join(unhashed.streaming_content)
