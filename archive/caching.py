"""HTTP caching of the reader's pages, keyed by the archive's version.

Every public page shows the archive as it stands, so one version identifies every page: the
archive's *last change* (the stamp) and today's date (quote pages carry "Accessed <today>" in
their citations). From it:

- `ETag` is a hash of the version and the page's full address (with its query string);
  `Last-Modified` is the stamp (or midnight today, whichever is later). A conditional request
  that matches answers 304 before the view runs: no query when the stamp is cached, one when not.
- `Cache-Control: public, max-age=ARCHIVE_HTTP_MAX_AGE`, so browsers and a CDN may keep pages.
- Heavy pages (home, the quote list with its facets, a quote, an author, a claim, a
  document, a topic, the sitemap) are stored in Django's cache under (version, address). A
  curation changes the stamp, so the next request misses and renders afresh; stale copies are
  never read again and expire by themselves.

The stamp is the later of two values, both kept in Django's cache (shared by every app server
when CACHE_URL names Redis or memcached):

- the *bump*: the time of the last change seen by a signal receiver below (any save, delete or
  many-to-many change of the six archive models or their history records) or by an explicit
  `archive_changed()` call, which the code paths that write with `QuerySet.update()` (and so
  send no signal) make. It is set at once and again when the transaction commits, so a reader
  that rendered between the two cannot leave a stale page under the new stamp.
- the *database stamp*: the latest history date of the six models and the latest
  `Quote.updated_at`, in one query, cached for ARCHIVE_STAMP_SECONDS. It catches changes made by
  another process whose cache is not shared (LocMemCache is per process) and gives the stamp
  when the cache is cold.

While the stamp is younger than ARCHIVE_SETTLE_SECONDS (set when reads go to a replica, which
may lag behind the primary) pages are sent with `Cache-Control: no-cache`, without validators,
and are not stored: a copy read from a replica that has not caught up is never kept.
"""

import hashlib
from datetime import UTC, datetime, time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import connections, router, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date
from django.views.decorators.http import condition

from archive.models import Author, Claim, Document, Quote, Stance, Topic

BUMP_KEY = "archive:stamp:bump"
DATABASE_KEY = "archive:stamp:database"
PAGE_KEY = "archive:page:{version}:{address}"
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
MODELS = [Topic, Author, Document, Claim, Quote, Stance]
# Responses that show the archive's state and may be kept by browsers and a CDN.
CACHEABLE_STATUSES = {200, 301, 304, 410}


def setting(name, default):
    return getattr(settings, name, default)


# The stamp ---------------------------------------------------------------------------------


def stamp_from_database():
    """The latest history date of the six models and the latest Quote.updated_at: one query."""
    connection = connections[router.db_for_read(Quote)]
    quote_name = connection.ops.quote_name
    columns = [(model.history.model, "history_date") for model in MODELS]
    columns.append((Quote, "updated_at"))
    selects = " UNION ALL ".join(
        f"SELECT MAX({quote_name(field)}) AS stamp FROM {quote_name(model._meta.db_table)}"
        for model, field in columns
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(stamp) FROM ({selects}) AS stamps")
        (value,) = cursor.fetchone()
    if isinstance(value, str):  # SQLite returns the text it stores
        value = parse_datetime(value)
    if value is None:
        return EPOCH
    if timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


def archive_last_changed():
    """When the archive last changed (see the module's docstring), an aware datetime."""
    found = cache.get_many([BUMP_KEY, DATABASE_KEY])
    from_database = found.get(DATABASE_KEY)
    if from_database is None:
        from_database = stamp_from_database()
        cache.set(DATABASE_KEY, from_database, setting("ARCHIVE_STAMP_SECONDS", 10))
    bump = found.get(BUMP_KEY)
    return max(from_database, bump) if bump else from_database


def bump():
    cache.set(BUMP_KEY, timezone.now(), None)


def archive_changed(using=None):
    """Record that the archive changed: now, and again when the current transaction commits."""
    bump()
    if connections[using or "default"].in_atomic_block:
        transaction.on_commit(bump, using=using)


def changed_by_signal(sender, using=None, **kwargs):
    action = kwargs.get("action")
    if action is None or action.startswith("post_"):
        archive_changed(using)


def connect_receivers():
    senders = []
    for model in MODELS:
        senders += [model, model.history.model]
    senders += [Document.authors.through, Claim.topics.through, Quote.topics.through]
    for sender in senders:
        uid = f"archive-caching-{sender._meta.label}"
        post_save.connect(changed_by_signal, sender=sender, dispatch_uid=f"{uid}-save")
        post_delete.connect(changed_by_signal, sender=sender, dispatch_uid=f"{uid}-delete")
    for sender in [Document.authors.through, Claim.topics.through, Quote.topics.through]:
        m2m_changed.connect(changed_by_signal, sender=sender, dispatch_uid=f"{sender}-m2m")


connect_receivers()


# The version of a page ---------------------------------------------------------------------


def request_stamp(request):
    """The stamp, looked up once per request."""
    if not hasattr(request, "_archive_stamp"):
        request._archive_stamp = archive_last_changed()
    return request._archive_stamp


def page_last_modified(request, *args, **kwargs):
    """The stamp, or the start of today if later: quote pages show today's access date."""
    midnight = datetime.combine(
        timezone.localdate(), time.min, tzinfo=timezone.get_current_timezone()
    )
    return max(request_stamp(request), midnight)


def page_version(request):
    return f"{request_stamp(request).isoformat()}|{timezone.localdate().isoformat()}"


def page_etag(request, *args, **kwargs):
    """A hash of the archive's version and the page's full address."""
    text = f"{page_version(request)}|{request.build_absolute_uri()}"
    return '"' + hashlib.sha256(text.encode()).hexdigest()[:32] + '"'


def settling(request):
    """Whether the last change is too recent to trust a replica's copy of it."""
    seconds = setting("ARCHIVE_SETTLE_SECONDS", 0)
    if not seconds:
        return False
    return (timezone.now() - request_stamp(request)).total_seconds() < seconds


# Stored pages ------------------------------------------------------------------------------


def page_key(request):
    version = hashlib.sha256(page_version(request).encode()).hexdigest()[:16]
    address = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()
    return PAGE_KEY.format(version=version, address=address)


def stored(view):
    """Serve the page from Django's cache when this version of it is there; store it if not."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        key = page_key(request)
        kept = cache.get(key)
        if kept is not None:
            content, headers = kept
            return HttpResponse(content, headers=headers)
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and not response.is_rendered:
            response.render()  # a TemplateResponse: its content must exist to be kept
        if (
            request.method == "GET"
            and response.status_code == 200
            and not response.streaming
            and not response.cookies
        ):
            kept = (response.content, dict(response.items()))
            cache.set(key, kept, setting("ARCHIVE_PAGE_CACHE_SECONDS", 600))
        return response

    return wrapped


# The decorator -----------------------------------------------------------------------------


def reader_page(view=None, *, store=False):
    """Make a public view conditional and cacheable; with store=True, keep its pages too.

    Only GET and HEAD are handled; anything else goes straight to the view.
    """
    if view is None:
        return lambda view: reader_page(view, store=store)
    inner = stored(view) if store else view
    conditional = condition(etag_func=page_etag, last_modified_func=page_last_modified)(inner)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        if settling(request):
            response = view(request, *args, **kwargs)
            patch_cache_control(response, no_cache=True)
            return response
        response = conditional(request, *args, **kwargs)
        if response.status_code == 200:
            # The archive's version, not the view's own idea (feeds and the sitemap set one).
            response["Last-Modified"] = http_date(int(page_last_modified(request).timestamp()))
        elif response.status_code != 304:
            # Validators only for a page itself: a redirect or a 410 is fetched whole.
            response.headers.pop("ETag", None)
            response.headers.pop("Last-Modified", None)
        if response.status_code in CACHEABLE_STATUSES:
            patch_cache_control(response, public=True, max_age=setting("ARCHIVE_HTTP_MAX_AGE", 300))
        return response

    return wrapped
