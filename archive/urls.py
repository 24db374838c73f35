from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from archive import feeds, revisions, views
from archive.caching import reader_page
from archive.sitemaps import SITEMAPS

urlpatterns = [
    path("", views.home, name="home"),
    path("quotes/", views.quote_list, name="quote-list"),
    path("quotes/<int:pk>/", views.quote_detail, name="quote-detail"),
    path("quotes/<int:pk>/cite.<str:fmt>", views.quote_citation, name="quote-citation"),
    path("quotes/<int:pk>/v/", revisions.quote_revisions, name="quote-revisions"),
    path("quotes/<int:pk>/v/<int:number>/", revisions.quote_revision, name="quote-revision"),
    path(
        "quotes/<int:pk>/v/<int:number>/cite.<str:fmt>",
        revisions.quote_revision_citation,
        name="quote-revision-citation",
    ),
    path("authors/", views.author_list, name="author-list"),
    path("authors/<slug:slug>/", views.author_detail, name="author-detail"),
    path("documents/", views.document_list, name="document-list"),
    path("documents/<slug:slug>/", views.document_detail, name="document-detail"),
    path("claims/", views.claim_list, name="claim-list"),
    path("claims/<slug:slug>/", views.claim_detail, name="claim-detail"),
    path("topics/", views.topic_list, name="topic-list"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic-detail"),
    path("feeds/quotes/", reader_page(feeds.LatestQuotesFeed()), name="feed-quotes"),
    path("feeds/topics/<slug:slug>/", reader_page(feeds.TopicQuotesFeed()), name="feed-topic"),
    path("feeds/authors/<slug:slug>/", reader_page(feeds.AuthorQuotesFeed()), name="feed-author"),
    path("feeds/claims/<slug:slug>/", reader_page(feeds.ClaimQuotesFeed()), name="feed-claim"),
    path(
        "sitemap.xml",
        reader_page(sitemap_views.index, store=True),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<slug:section>.xml",
        reader_page(sitemap_views.sitemap, store=True),
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    path("admin/", admin.site.urls),
]
