"""The document admin: its quotes on its page; editing its text re-verifies them."""

from django.contrib import admin
from django.db.models import Count, Q
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from archive.admin.actions import report_reverification
from archive.admin.base import ChangeReasonForm, CuratedAdmin
from archive.admin.excerpt import excerpt_view
from archive.admin.quotes import verification_badge
from archive.models import Document, Quote


class DocumentForm(ChangeReasonForm):
    def clean_text(self):
        """Browsers send line ends as CRLF; keep the text's own LF line ends."""
        return self.cleaned_data["text"].replace("\r\n", "\n").replace("\r", "\n")


@admin.register(Document)
class DocumentAdmin(CuratedAdmin):
    form = DocumentForm
    list_display = ["title", "kind", "publication", "published", "quote_count", "orphan_count"]
    list_filter = ["kind"]
    search_fields = ["title", "publication", "authors__name"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["authors"]
    readonly_fields = ["quotes_here"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "kind", "authors", "publication"]}),
        ("Date", {"fields": ["published_on", "published_precision"]}),
        ("Source", {"fields": ["url", "capture_file", "provenance"]}),
        ("Text", {"fields": ["text"]}),
        ("Quotes found in this document", {"fields": ["quotes_here"]}),
        (None, {"fields": ["change_reason"]}),
    ]

    def get_queryset(self, request):
        orphaned = Q(quotes__status=Quote.Status.PUBLISHED, quotes__start_offset__isnull=True)
        return (
            super()
            .get_queryset(request)
            .annotate(n_quotes=Count("quotes"), n_orphans=Count("quotes", filter=orphaned))
        )

    @admin.display(description="Published", ordering="published_on")
    def published(self, document):
        return document.published_iso or "—"

    @admin.display(description="Quotes", ordering="n_quotes")
    def quote_count(self, document):
        return document.n_quotes

    @admin.display(description="Orphaned quotes", ordering="n_orphans")
    def orphan_count(self, document):
        return document.n_orphans

    @admin.display(description="Quotes")
    def quotes_here(self, document):
        """Each quote with its verification state, its admin page and its public page."""
        if document.pk is None:
            return "None yet."
        quotes = document.quotes.select_related("speaker").order_by("start_offset", "pk")
        rows = format_html_join(
            "",
            '<tr><td><a href="{}">#{}</a></td><td>{}</td><td>{}</td><td>{}</td>'
            '<td><a href="{}">public page</a></td></tr>',
            (
                (
                    reverse("admin:archive_quote_change", args=[q.pk]),
                    q.pk,
                    str(q),
                    q.get_status_display(),
                    verification_badge(q),
                    q.get_absolute_url(),
                )
                for q in quotes
            ),
        )
        return format_html(
            '<p><a href="{}">Excerpt a quote from this document</a></p>'
            '<table class="document-quotes"><thead><tr><th>Quote</th><th>Words</th>'
            "<th>Status</th><th>Found in its document</th><th>Public page</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            reverse("admin:archive_document_excerpt", args=[document.pk]),
            rows,
        )

    def get_urls(self):
        excerpt = path(
            "<path:object_id>/excerpt/",
            self.admin_site.admin_view(self.excerpt),
            name="archive_document_excerpt",
        )
        return [excerpt, *super().get_urls()]

    def excerpt(self, request, object_id):
        return excerpt_view(self, request, object_id)

    def save_model(self, request, obj, form, change):
        """After the text changed, find every quote again; never guess a new place."""
        super().save_model(request, obj, form, change)
        if change and "text" in form.changed_data:
            report_reverification(request, *obj.quotes.reverify())
