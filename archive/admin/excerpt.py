"""Excerpting a quote from a document: the passage is verified on the spot."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse

from archive.admin.quotes import clean_said_date
from archive.models import Author, Document, Quote
from archive.verification import locate, nearest_passage


class ExcerptForm(forms.ModelForm):
    """A new quote from a passage of one document; works without JavaScript."""

    save_as_draft = forms.BooleanField(
        required=False,
        label="Save it as a draft anyway",
        help_text="A draft is not shown to readers; correct it later from its admin page.",
    )

    class Meta:
        model = Quote
        fields = [
            "text",
            "speaker",
            "said_start",
            "said_end",
            "said_precision",
            "attribution",
            "topics",
            "original_source",
            "via",
        ]
        labels = {"text": "Passage"}
        help_texts = {
            "text": "Select it in the document above, or paste it. Mark left-out words with "
            "“…”; it must otherwise be exactly as the document has it."
        }
        widgets = {
            "text": forms.Textarea(attrs={"rows": 6, "cols": 80}),
            "said_start": forms.DateInput(attrs={"type": "date"}),
            "said_end": forms.DateInput(attrs={"type": "date"}),
            "topics": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, document, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.document = document
        self.fields["speaker"].queryset = Author.objects.order_by("sort_name")

    def clean_text(self):
        return self.cleaned_data["text"].replace("\r\n", "\n").strip()

    def clean(self):
        return clean_said_date(self, super().clean())


def excerpt_view(model_admin, request, object_id):
    """Show the document's text and the form; create the quote if the passage is verbatim."""
    if not (
        request.user.has_perm("archive.change_document")
        and request.user.has_perm("archive.add_quote")
    ):
        raise PermissionDenied
    document = get_object_or_404(Document, pk=object_id)
    form = ExcerptForm(request.POST or None, document=document)
    closest = None
    if request.method == "POST" and form.is_valid():
        quote = form.instance
        if locate(quote.text, document.text) is not None:
            return create_quote(model_admin, request, form, Quote.Status.PUBLISHED)
        if form.cleaned_data["save_as_draft"]:
            return create_quote(model_admin, request, form, Quote.Status.DRAFT)
        closest = nearest_passage(quote.text, document.text)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"Excerpt a quote from “{document}”",
        "opts": Document._meta,
        "original": document,
        "document": document,
        "form": form,
        "not_found": closest is not None,
        "closest": closest,
    }
    return TemplateResponse(request, "admin/archive/document/excerpt.html", context)


@transaction.atomic
def create_quote(model_admin, request, form, status):
    """Save the new quote with its place (if found), record it, and open its admin page."""
    quote = form.save(commit=False)
    quote.status = status
    quote.relocate()
    quote._change_reason = "Excerpted from the document"
    quote.save()
    form.save_m2m()
    model_admin.log_addition(request, quote, "Excerpted from its document.")
    if status == Quote.Status.PUBLISHED:
        messages.success(request, f"Quote {quote.pk} was found verbatim and published.")
    else:
        messages.warning(request, f"Quote {quote.pk} was saved as a draft: not found verbatim.")
    return redirect("admin:archive_quote_change", quote.pk)
