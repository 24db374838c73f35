"""The quote list's bulk actions: re-verify and withdraw, and the curator's report."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import transaction
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from archive.models import Quote


def quote_links(quotes):
    """“#id, #id” linked to each quote's admin page."""
    return format_html_join(
        ", ",
        '<a href="{}">#{}</a>',
        ((reverse("admin:archive_quote_change", args=[q.pk]), q.pk) for q in quotes),
    )


def report_reverification(request, found, lost):
    """Tell the curator how many quotes were re-found and which ones no longer match."""
    if not lost:
        messages.success(request, f"{len(found)} quotes re-found; none was lost.")
        return
    messages.warning(
        request,
        format_html(
            "{} quotes re-found; {} no longer match and are orphaned (hidden from readers): {}",
            len(found),
            len(lost),
            quote_links(lost),
        ),
    )


@admin.action(description="Re-verify selected quotes against their documents")
def reverify_quotes(modeladmin, request, queryset):
    found, lost = queryset.reverify()
    report_reverification(request, found, lost)


@admin.action(description="Withdraw selected quotes (asks for the reason)")
def withdraw_quotes(modeladmin, request, queryset):
    """Ask for the reason first; then each quote answers 410 with it, keeping its citation."""
    reason = request.POST.get("reason", "").strip()
    if "apply" not in request.POST or not reason:
        context = {
            **modeladmin.admin_site.each_context(request),
            "title": "Withdraw quotes",
            "opts": modeladmin.model._meta,
            "quotes": queryset.select_related("speaker"),
            "reason": reason,
            "missing_reason": "apply" in request.POST,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/archive/quote/withdraw.html", context)
    withdrawn = []
    skipped = queryset.filter(status=Quote.Status.MERGED).count()
    with transaction.atomic():  # all of the selection, or none of it
        for quote in queryset.exclude(status=Quote.Status.MERGED):
            quote.withdraw(reason)
            quote._change_reason = f"Withdrawn: {reason}"[:100]
            quote.save()
            modeladmin.log_change(request, quote, f"Withdrawn: {reason}")
            withdrawn.append(quote)
    messages.success(
        request,
        format_html(
            "Withdrew {} quotes; their addresses now answer 410 with the reason: {}",
            len(withdrawn),
            quote_links(withdrawn),
        ),
    )
    if skipped:
        messages.warning(request, f"Left {skipped} merged quotes as they are: they redirect.")
    return None
