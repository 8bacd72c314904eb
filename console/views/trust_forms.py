"""Forms of the trust & safety console pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from recengine.models import Anchor, LiveRoom, Merchant, Product
from recengine.trust.models import Clause, TargetKind, ViolationKind
from recengine.trust.services import NewEntry

MAX_UPLOAD_BYTES = 1024 * 1024
TARGETS = {
    TargetKind.ANCHOR: Anchor,
    TargetKind.MERCHANT: Merchant,
    TargetKind.PRODUCT: Product,
    TargetKind.LIVE_ROOM: LiveRoom,
}
_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"})


class EntryForm(forms.Form):
    kind = forms.ChoiceField(label=_("Target kind"), choices=TargetKind.choices)
    target = forms.CharField(
        label=_("Target"),
        max_length=200,
        help_text=_(
            "External id of the anchor, merchant, product or live room; or "
            "the keyword / pattern."
        ),
    )
    is_regex = forms.BooleanField(
        label=_("Pattern is a regular expression"), required=False
    )
    reason = forms.CharField(label=_("Reason"), max_length=500)
    clause = forms.ChoiceField(
        label=_("Clause"), choices=Clause.choices, initial=Clause.BLACKLIST
    )
    evidence = forms.CharField(
        label=_("Evidence"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    starts_at = forms.DateTimeField(label=_("Starts"), required=False, widget=_DATETIME)
    expires_at = forms.DateTimeField(
        label=_("Expires (optional)"), required=False, widget=_DATETIME
    )

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        data["target_object"] = None
        if kind in TARGETS and data.get("target"):
            found = TARGETS[kind].objects.filter(external_id=data["target"]).first()
            if found is None:
                self.add_error("target", _("No such target."))
            data["target_object"] = found
        return data

    def new_entry(self) -> NewEntry:
        data = self.cleaned_data
        keyword = data["kind"] == TargetKind.KEYWORD
        return NewEntry(
            kind=data["kind"],
            target=data["target_object"],
            pattern=data["target"] if keyword else "",
            is_regex=data["is_regex"],
            reason=data["reason"],
            clause=data["clause"],
            evidence=data["evidence"],
            starts_at=data["starts_at"],
            expires_at=data["expires_at"],
        )


class BulkForm(forms.Form):
    listing = forms.CharField(
        label=_("Pasted list"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("One target per line: kind,target (e.g. anchor,a-1)."),
    )
    upload = forms.FileField(label=_("or a CSV file"), required=False)
    reason = forms.CharField(label=_("Shared reason"), max_length=500)
    clause = forms.ChoiceField(
        label=_("Clause"), choices=Clause.choices, initial=Clause.BLACKLIST
    )
    evidence = forms.CharField(
        label=_("Evidence"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    expires_at = forms.DateTimeField(
        label=_("Expires (optional)"), required=False, widget=_DATETIME
    )

    def clean(self):
        data = super().clean()
        data["text"] = read_upload(self, data.get("upload")) or data.get("listing", "")
        if not (data["text"] or "").strip():
            raise forms.ValidationError(_("Paste a list or choose a CSV file."))
        return data


def read_upload(form: forms.Form, upload) -> str:
    if upload is None:
        return ""
    if upload.size > MAX_UPLOAD_BYTES:
        form.add_error("upload", _("The file is larger than 1 MB."))
        return ""
    try:
        return upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        form.add_error("upload", _("The file is not UTF-8 text."))
        return ""


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)


class CaseDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("confirm", _("Confirm and blacklist")), ("dismiss", _("Dismiss"))],
    )
    reason = forms.CharField(label=_("Reason"), max_length=500)


class CreditImportForm(forms.Form):
    listing = forms.CharField(
        label=_("Pasted CSV"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Header merchant,score[,orders,complaints,returns]; score 0-100."),
    )
    upload = forms.FileField(label=_("or a CSV file"), required=False)
    source = forms.CharField(label=_("Source of the data"), max_length=120)

    def clean(self):
        data = super().clean()
        data["text"] = read_upload(self, data.get("upload")) or data.get("listing", "")
        if not (data["text"] or "").strip():
            raise forms.ValidationError(_("Paste a CSV or choose a file."))
        return data


class RestrictionForm(forms.Form):
    merchant = forms.CharField(label=_("Merchant external id"), max_length=64)
    restricted = forms.TypedChoiceField(
        label=_("State"),
        choices=[("1", _("Restrict")), ("0", _("Lift restriction"))],
        coerce=lambda value: value == "1",
    )
    reason = forms.CharField(label=_("Reason"), max_length=500)

    def clean_merchant(self):
        found = Merchant.objects.filter(
            external_id=self.cleaned_data["merchant"]
        ).first()
        if found is None:
            raise forms.ValidationError(_("No such merchant."))
        return found


class ViolationForm(forms.Form):
    merchant = forms.CharField(label=_("Merchant external id"), max_length=64)
    kind = forms.ChoiceField(label=_("Kind"), choices=ViolationKind.choices)
    occurred_on = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3})
    )
    source = forms.CharField(label=_("Source"), max_length=120, required=False)

    clean_merchant = RestrictionForm.clean_merchant


class AppealForm(forms.Form):
    merchant = forms.CharField(label=_("Merchant external id"), max_length=64)
    statement = forms.CharField(
        label=_("Statement"), widget=forms.Textarea(attrs={"rows": 3})
    )
    requested_score = forms.FloatField(
        label=_("Requested credit score"), min_value=0, max_value=100, required=False
    )

    clean_merchant = RestrictionForm.clean_merchant


class AppealDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("uphold", _("Uphold")), ("reject", _("Reject"))]
    )
    reason = forms.CharField(label=_("Reason"), max_length=500)
