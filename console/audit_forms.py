"""Forms of the audit pages of the console."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audits.models import AuditKind, RemediationStatus


class DateInput(forms.DateInput):
    input_type = "date"


class RunForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=AuditKind.choices)
    start = forms.DateField(label=_("First day"), widget=DateInput)
    end = forms.DateField(label=_("Last day"), widget=DateInput)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            raise forms.ValidationError(_("The period ends before it starts."))
        if end and end >= timezone.localdate():
            raise forms.ValidationError(
                _("The period must end before today: today's log is still open.")
            )
        return cleaned


def staff_users():
    return (
        get_user_model().objects.filter(is_active=True, groups__isnull=False).distinct()
    )


class EvidenceForm(forms.Form):
    attestation = forms.ChoiceField(label=_("Attestation item"))
    upload = forms.FileField(label=_("File"), required=False)
    link = forms.URLField(label=_("Link"), required=False, assume_scheme="https")
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=staff_users())
    effective_from = forms.DateField(label=_("Effective from"), widget=DateInput)
    expires_on = forms.DateField(label=_("Expires on"), widget=DateInput)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea)

    def __init__(self, *args, attestations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attestation"].choices = [
            (a.attestation_id, f"{a.clause.number} · {a.attestation_id}")
            for a in attestations
        ]
        self.fields["owner"].queryset = staff_users()

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("upload")) == bool(cleaned.get("link")):
            raise forms.ValidationError(_("Give either a file or a link."))
        start, end = cleaned.get("effective_from"), cleaned.get("expires_on")
        if start and end and end <= start:
            raise forms.ValidationError(_("The expiry must come after the start."))
        return cleaned


class ApplicabilityForm(forms.Form):
    clause = forms.ChoiceField(label=_("Clause"))
    applicable = forms.BooleanField(label=_("Applicable"), required=False)
    justification = forms.CharField(label=_("Justification"), widget=forms.Textarea)

    def __init__(self, *args, clauses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clause"].choices = [
            (c.number, f"{c.number} {c.title_zh}") for c in clauses
        ]


class RemediationForm(forms.Form):
    action = forms.CharField(label=_("Action"), widget=forms.Textarea, max_length=2000)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=staff_users())
    due_date = forms.DateField(label=_("Due date"), widget=DateInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff_users()

    def clean_due_date(self) -> dt.date:
        due = self.cleaned_data["due_date"]
        if due < timezone.localdate():
            raise forms.ValidationError(_("The due date has passed already."))
        return due


class RemediationUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=RemediationStatus.choices)
    response = forms.CharField(
        label=_("Management response"), widget=forms.Textarea, required=False
    )


class SignOffForm(forms.Form):
    content_sha256 = forms.CharField(widget=forms.HiddenInput, max_length=64)


class CorrectionForm(forms.Form):
    reason = forms.CharField(label=_("Reason for correction"), widget=forms.Textarea)


class ScheduleForm(forms.Form):
    enabled = forms.BooleanField(label=_("Enabled"), required=False)
    minute = forms.RegexField(label=_("Minute"), regex=r"^[0-9*/,-]{1,20}$")
    hour = forms.RegexField(label=_("Hour"), regex=r"^[0-9*/,-]{1,20}$")
    day_of_week = forms.RegexField(label=_("Day of week"), regex=r"^[0-9*/,-]{1,20}$")
    day_of_month = forms.RegexField(label=_("Day of month"), regex=r"^[0-9*/,-]{1,20}$")
