"""What every curated admin shares: history with a reason, curator-facing help, lean lists."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.admin import SimpleHistoryAdmin

SLUG_HELP = "Changing the slug changes the public, citable URL; the old one will redirect."
REASON_REQUIRED = "Say why you are making this change, e.g. “Fixed a typo against the source”."


class ChangeReasonForm(forms.ModelForm):
    """A model form with the "Reason for this change" that goes into the history record."""

    change_reason = forms.CharField(
        label="Reason for this change",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"size": 80}),
        help_text="Kept in the history with your name and the time, e.g. “Fixed a typo "
        "against the source”. Required when changing; optional when adding.",
    )

    def clean_change_reason(self):
        reason = self.cleaned_data["change_reason"].strip()
        if not self.instance._state.adding and not reason:
            raise ValidationError(REASON_REQUIRED)
        return reason


class CuratedAdmin(SimpleHistoryAdmin):
    """History ("who, when, why") on every change; no full counts; slug help for curators."""

    form = ChangeReasonForm
    show_full_result_count = False
    list_per_page = 50

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.URLField):
            kwargs.setdefault("assume_scheme", "https")
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "slug" and field is not None:
            field.help_text = SLUG_HELP
        return field

    def save_model(self, request, obj, form, change):
        """Save, but record no history yet: many-to-many fields are saved afterwards."""
        obj._change_reason = form.cleaned_data.get("change_reason") or None
        obj.skip_history_when_saving = True
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        """Save topics and inline rows, then record the change once, as it now stands.

        Otherwise one admin save could leave two history records (the row, then its topics),
        and a revision permalink would show a state the quote never had.
        """
        super().save_related(request, form, formsets, change)
        obj = form.instance
        del obj.skip_history_when_saving
        obj.save()
        if not change:
            obj.history.filter(history_id=obj.history.latest().history_id).update(history_type="+")

    def save_formset(self, request, form, formset, change):
        """Inline rows (stances) are recorded with the same reason as the parent's change."""
        reason = form.cleaned_data.get("change_reason") or None
        for inline_form in formset.forms:
            inline_form.instance._change_reason = reason
        super().save_formset(request, form, formset, change)
