"""The sitemap: every public page, with the date its content last changed.

A page's `lastmod` is the latest `updated_at` of the published quotes it shows: a quote page's
own, a detail page's quotes' (one annotated query per section, no query per page), and for the
home page and the list pages, the whole archive's. A detail page without published quotes has no
`lastmod`. Withdrawn, draft and unlocated quotes are never listed.

The site runs without django.contrib.sites: the sitemap view then takes the domain and scheme
from the request (RequestSite).
"""

from django.contrib.sitemaps import Sitemap
from django.db.models import Max, Q
from django.urls import reverse

from archive.models import Author, Claim, Document, Quote, Topic

LIST_PAGES = ["home", "quote-list", "author-list", "document-list", "claim-list", "topic-list"]


def with_latest_quote_update(model):
    """All objects of `model`, each with `latest_update`: its published quotes' last updated_at."""
    published = Quote.objects.published()
    return (
        model.objects.only("pk", "slug")
        .annotate(latest_update=Max("quotes__updated_at", filter=Q(quotes__in=published)))
        .order_by("pk")
    )


class ListPageSitemap(Sitemap):
    """The home page and the five list pages; they change whenever any published quote does."""

    def items(self):
        latest = Quote.objects.published().aggregate(latest=Max("updated_at"))["latest"]
        return [(name, latest) for name in LIST_PAGES]

    def location(self, item):
        name, _latest = item
        return reverse(name)

    def lastmod(self, item):
        _name, latest = item
        return latest


class QuoteSitemap(Sitemap):
    """Every published quote, at its permanent URL."""

    def items(self):
        return Quote.objects.published().only("pk", "updated_at").order_by("pk")

    def lastmod(self, quote):
        return quote.updated_at


class DetailPageSitemap(Sitemap):
    """The detail pages of one model, dated by their published quotes."""

    model = None

    def items(self):
        return with_latest_quote_update(self.model)

    def lastmod(self, obj):
        return obj.latest_update


class AuthorSitemap(DetailPageSitemap):
    """Authors who have published quotes; the others have nothing to show."""

    model = Author

    def items(self):
        return super().items().filter(latest_update__isnull=False)


class DocumentSitemap(DetailPageSitemap):
    model = Document


class ClaimSitemap(DetailPageSitemap):
    model = Claim


class TopicSitemap(DetailPageSitemap):
    model = Topic


# Classes, not instances: the sitemap view makes a fresh one for every request.
SITEMAPS = {
    "pages": ListPageSitemap,
    "quotes": QuoteSitemap,
    "authors": AuthorSitemap,
    "documents": DocumentSitemap,
    "claims": ClaimSitemap,
    "topics": TopicSitemap,
}
