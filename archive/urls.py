from django.contrib import admin
from django.urls import path

from archive import views

urlpatterns = [
    path("", views.home, name="home"),
    path("quotes/<int:pk>/", views.quote_detail, name="quote-detail"),
    path("authors/<slug:slug>/", views.author_detail, name="author-detail"),
    path("documents/<slug:slug>/", views.document_detail, name="document-detail"),
    path("claims/<slug:slug>/", views.claim_detail, name="claim-detail"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic-detail"),
    path("admin/", admin.site.urls),
]
