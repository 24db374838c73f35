"""The quote admin: the curator's list, the form with verification in the loop, stances."""

import calendar

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.templatetags.static import static
from django.utils.html import format_html

from archive.admin.actions import reverify_quotes, withdraw_quotes
from archive.admin.base import ChangeReasonForm, CuratedAdmin
from archive.models import DatePrecision, Quote, Stance

OPENING_WORDS = 12


def said_end_for(start, precision):
    """The last day a date known to this precision may stand for."""
    if precision == DatePrecision.MONTH:
        return start.replace(day=calendar.monthrange(start.year, start.month)[1])
    if precision == DatePrecision.YEAR:
        return start.replace(month=12, day=31)
    return start


def clean_said_date(form, cleaned):
    """A date said needs its precision; the end is filled in from the start when left empty."""
    start, precision = cleaned.get("said_start"), cleaned.get("said_precision")
    if start and not precision:
        form.add_error("said_precision", "Say how much of the date is known.")
    elif start and not cleaned.get("said_end"):
        cleaned["said_end"] = form.instance.said_end = said_end_for(start, precision)
    return cleaned


class QuoteForm(ChangeReasonForm):
    """Statuses that keep published addresses alive: withdraw with a reason, merge into another."""

    def clean_text(self):
        return self.cleaned_data["text"].replace("\r\n", "\n").strip()

    def clean(self):
        cleaned = clean_said_date(self, super().clean())
        status, merged_into = cleaned.get("status"), cleaned.get("merged_into")
        was = self.instance.status if not self.instance._state.adding else None
        if status == Quote.Status.MERGED and merged_into is None:
            self.add_error("merged_into", "Name the quote this one is merged into.")
        if status != Quote.Status.MERGED and merged_into is not None:
            self.add_error("merged_into", "Only a merged quote names a replacement.")
        if merged_into is not None and merged_into.pk == self.instance.pk:
            self.add_error("merged_into", "A quote cannot be merged into itself.")
        if status == Quote.Status.WITHDRAWN and not cleaned.get("withdrawn_reason", "").strip():
            self.add_error("withdrawn_reason", "Give the reason readers will see.")
        if was and was != Quote.Status.DRAFT and status == Quote.Status.DRAFT:
            raise ValidationError(
                "A quote that was public cannot go back to draft; withdraw it with a reason "
                "or merge it into another, so that its address keeps answering."
            )
        return cleaned


class FoundInDocumentFilter(admin.SimpleListFilter):
    title = "Found in its document"
    parameter_name = "found"

    def lookups(self, request, model_admin):
        return [
            ("yes", "yes"),
            ("no", "no"),
            ("orphaned", "no, and published (orphaned: hidden from readers)"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(start_offset__isnull=False)
        if self.value() == "no":
            return queryset.filter(start_offset__isnull=True)
        if self.value() == "orphaned":
            return queryset.filter(start_offset__isnull=True, status=Quote.Status.PUBLISHED)
        return queryset


def verification_badge(quote):
    """An icon and a word: found, orphaned (published but not found) or not found."""
    if quote.is_located:
        icon, word = "admin/img/icon-yes.svg", "found"
    elif quote.is_orphaned:
        icon, word = "admin/img/icon-alert.svg", "orphaned"
    else:
        icon, word = "admin/img/icon-no.svg", "not found"
    return format_html('<img src="{}" alt=""> {}', static(icon), word)


class StanceInline(admin.TabularInline):
    model = Stance
    extra = 0
    autocomplete_fields = ["claim"]
    fields = ["claim", "position", "note"]


@admin.register(Quote)
class QuoteAdmin(CuratedAdmin):
    form = QuoteForm
    list_display = [
        "id",
        "opening_words",
        "speaker",
        "document",
        "said",
        "verification",
        "attribution",
        "status",
    ]
    list_display_links = ["id", "opening_words"]
    list_filter = [
        "status",
        "attribution",
        FoundInDocumentFilter,
        "topics",
        ("stances__claim", admin.RelatedOnlyFieldListFilter),
        ("speaker", admin.RelatedOnlyFieldListFilter),
        "document",
    ]
    list_select_related = ["speaker", "document"]
    search_fields = ["text", "speaker__name", "speaker__other_names", "document__title"]
    search_help_text = "Words of the quote, the speaker's name or another spelling of it, the "
    search_help_text += "document's title."
    autocomplete_fields = ["speaker", "document", "topics", "merged_into"]
    readonly_fields = ["place", "withdrawn_at", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["text", "speaker", "document", "place"]}),
        ("Said", {"fields": ["said_start", "said_end", "said_precision"]}),
        ("Source", {"fields": ["original_source", "via", "attribution", "topics"]}),
        (
            "Status",
            {"fields": ["status", "withdrawn_reason", "withdrawn_at", "merged_into"]},
        ),
        (None, {"fields": ["change_reason", "created_at", "updated_at"]}),
    ]
    inlines = [StanceInline]
    actions = [reverify_quotes, withdraw_quotes]

    @admin.display(description="Quote")
    def opening_words(self, quote):
        words = quote.text.split()
        return " ".join(words[:OPENING_WORDS]) + ("…" if len(words) > OPENING_WORDS else "")

    @admin.display(description="Said", ordering="said_start")
    def said(self, quote):
        return quote.said_iso or "—"

    @admin.display(description="Found in its document", ordering="start_offset")
    def verification(self, quote):
        return verification_badge(quote)

    @admin.display(description="Place in the document")
    def place(self, quote):
        if not quote.pk or not quote.is_located:
            return format_html("{}", "Not found in the document: hidden from readers.")
        return format_html(
            "…{}<mark>{}</mark>{}… (characters {}–{})",
            quote.prefix,
            quote.document.text[quote.start_offset : quote.end_offset],
            quote.suffix,
            quote.start_offset,
            quote.end_offset,
        )

    def view_on_site(self, quote):
        """Drafts have no public page."""
        return None if quote.status == Quote.Status.DRAFT else quote.get_absolute_url()

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_delete_permission(self, request, obj=None):
        """Nothing published disappears: only superusers delete, and never in bulk."""
        if obj is not None and obj.status != Quote.Status.DRAFT:
            return request.user.is_superuser and super().has_delete_permission(request, obj)
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        """Store the quote's place in its document (or its absence) with every save."""
        obj.relocate()
        if obj.status == Quote.Status.WITHDRAWN and obj.withdrawn_at is None:
            obj.withdraw(obj.withdrawn_reason)
        super().save_model(request, obj, form, change)
