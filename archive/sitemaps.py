"""The sitemap: an index at /sitemap.xml naming one sitemap per section (the list pages, quotes,
authors, documents, claims, topics) at /sitemap-<section>.xml, each listing public pages with
the date their content last changed.

The sitemap protocol allows 50,000 URLs in one file. A section's sitemap lists SITEMAP_LIMIT
of them, in order of primary key, and continues on further pages (`?p=2`, `?p=3`, …); the index
names every page of every section.

A page's `lastmod` is the latest `updated_at` of the published quotes it shows: a quote page's
own, a detail page's quotes' (one grouped query per sitemap page, over that page's objects; no
query per item), and for the home page and the list pages, the whole archive's. A detail page
without published quotes has no `lastmod`. Withdrawn, draft and unlocated quotes are never
listed.

In the index, a section's sitemaps are dated by the latest `lastmod` of the whole section (one
aggregate query per section; every page of the section carries it) and counted into pages (one
COUNT per section): the index costs the same few queries whatever the archive's size.

The site runs without django.contrib.sites: the sitemap views then take the domain and scheme
from the request (RequestSite).
"""

from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, Max, OuterRef
from django.urls import reverse
from django.utils.functional import cached_property

from archive.models import Author, Claim, Document, Quote, Topic

# URLs per sitemap page; the protocol's maximum is 50,000.
SITEMAP_LIMIT = 5000

LIST_PAGES = ["home", "quote-list", "author-list", "document-list", "claim-list", "topic-list"]


def latest_update(quotes):
    """The last `updated_at` of `quotes`, or None: one query."""
    return quotes.aggregate(latest=Max("updated_at"))["latest"]


class ArchiveSitemap(Sitemap):
    """A section of the sitemap, SITEMAP_LIMIT URLs per page.

    Each section dates itself for the index in one query: Django's own get_latest_lastmod()
    would read every item of the section.
    """

    limit = SITEMAP_LIMIT

    def get_latest_lastmod(self):
        raise NotImplementedError


class ListPageSitemap(ArchiveSitemap):
    """The home page and the five list pages; they change whenever any published quote does."""

    def items(self):
        return LIST_PAGES

    def location(self, name):
        return reverse(name)

    @cached_property
    def latest(self):
        return latest_update(Quote.objects.published())

    def lastmod(self, name):
        return self.latest

    def get_latest_lastmod(self):
        return self.latest


class QuoteSitemap(ArchiveSitemap):
    """Every published quote, at its permanent URL."""

    def items(self):
        return Quote.objects.published().only("pk", "updated_at").order_by("pk")

    def lastmod(self, quote):
        return quote.updated_at

    def get_latest_lastmod(self):
        return latest_update(Quote.objects.published())


class DatedObjects:
    """A detail section's objects, in order of primary key, for Django's paginator.

    The paginator counts them with count() and reads a page with a slice: the page's objects in
    one query, then their `latest_update` (their published quotes' last `updated_at`, None if
    they have none) in one more, grouped over the page's range of primary keys only.
    """

    def __init__(self, objects, quote_field):
        self.objects = objects
        self.quote_field = quote_field

    def count(self):
        return self.objects.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            raise TypeError("the sitemap's objects are read a page at a time")
        page = list(self.objects[index])
        if not page:
            return page
        field = self.quote_field
        dates = dict(
            Quote.objects.published()
            .filter(**{f"{field}__pk__range": (page[0].pk, page[-1].pk)})
            .order_by()
            .values(field)
            .annotate(latest=Max("updated_at"))
            .values_list(field, "latest")
        )
        for obj in page:
            obj.latest_update = dates.get(obj.pk)
        return page


class DetailPageSitemap(ArchiveSitemap):
    """The detail pages of one model, dated by their published quotes."""

    model = None
    quote_field = None  # the Quote field that links a quote to the model's objects

    def objects(self):
        return self.model.objects.only("pk", "slug").order_by("pk")

    def items(self):
        return DatedObjects(self.objects(), self.quote_field)

    def lastmod(self, obj):
        return obj.latest_update

    def get_latest_lastmod(self):
        linked = {f"{self.quote_field}__isnull": False}
        return latest_update(Quote.objects.published().filter(**linked))


class AuthorSitemap(DetailPageSitemap):
    """Authors who have published quotes; the others have nothing to show."""

    model = Author
    quote_field = "speaker"

    def objects(self):
        published = Quote.objects.published().filter(speaker=OuterRef("pk"))
        return super().objects().filter(Exists(published))


class DocumentSitemap(DetailPageSitemap):
    model = Document
    quote_field = "document"


class ClaimSitemap(DetailPageSitemap):
    model = Claim
    quote_field = "claims"


class TopicSitemap(DetailPageSitemap):
    model = Topic
    quote_field = "topics"


# Classes, not instances: the sitemap views make a fresh one for every request.
SITEMAPS = {
    "pages": ListPageSitemap,
    "quotes": QuoteSitemap,
    "authors": AuthorSitemap,
    "documents": DocumentSitemap,
    "claims": ClaimSitemap,
    "topics": TopicSitemap,
}
