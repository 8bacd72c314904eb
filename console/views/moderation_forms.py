"""Forms of the moderation workspace and the AIGC labelling tool."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from recengine.moderation.models import AigcContent, Outcome

OUTCOMES = [
    (Outcome.APPROVE.value, _("Approve")),
    (Outcome.REJECT.value, _("Reject")),
    (Outcome.ESCALATE.value, _("Escalate")),
]


class StatementForm(forms.Form):
    """A statement of reasons: ground, facts and redress (EU DSA Art. 17 shape)."""

    outcome = forms.ChoiceField(label=_("Decision"), choices=OUTCOMES)
    ground = forms.CharField(
        label=_("Ground"),
        max_length=300,
        help_text=_("The rule or law the decision rests on, e.g. 广告法 Art. 9."),
    )
    facts = forms.CharField(
        label=_("Facts"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What in the content led to the decision."),
    )
    redress = forms.CharField(
        label=_("Redress"),
        max_length=300,
        required=False,
        help_text=_(
            "How the people affected can contest it; a default is used if empty."
        ),
    )


class BulkStatementForm(StatementForm):
    cases = forms.TypedMultipleChoiceField(
        label=_("Cases"), coerce=int, choices=(), required=True
    )

    def __init__(self, *args, case_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cases"].choices = [(pk, pk) for pk in case_ids]


class AppealForm(forms.Form):
    statement = forms.CharField(
        label=_("Appeal statement"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AppealDecisionForm(forms.Form):
    uphold = forms.TypedChoiceField(
        label=_("Appeal decision"),
        coerce=lambda value: value == "uphold",
        choices=[("uphold", _("Uphold the decision")), ("overturn", _("Overturn it"))],
    )
    ground = forms.CharField(label=_("Ground"), max_length=300)
    facts = forms.CharField(
        label=_("Facts"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    redress = forms.CharField(label=_("Redress"), max_length=300, required=False)


class DeclarationForm(forms.Form):
    target_kind = forms.ChoiceField(
        label=_("Target"),
        choices=[("live_room", _("Live room")), ("product", _("Product"))],
    )
    target = forms.CharField(
        label=_("External id"),
        max_length=64,
        help_text=_("The platform's id of the live room or product."),
    )
    content = forms.ChoiceField(
        label=_("AI-generated content"), choices=AigcContent.choices
    )
    file = forms.FileField(
        label=_("Generated picture"),
        required=False,
        help_text=_(
            "Optional; PNG or JPEG. Its AIGC metadata is verified when present."
        ),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class FigureForm(forms.Form):
    code = forms.CharField(label=_("Registry code"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=60)
    aliases = forms.CharField(
        label=_("Aliases"),
        max_length=300,
        required=False,
        help_text=_("Other names, separated by commas."),
    )

    def clean_aliases(self) -> list[str]:
        raw = self.cleaned_data["aliases"].replace("，", ",")
        return [part.strip() for part in raw.split(",") if part.strip()]


class ConsentForm(forms.Form):
    anchor = forms.CharField(label=_("Anchor external id"), max_length=64)
    evidence = forms.CharField(
        label=_("Evidence"),
        max_length=300,
        help_text=_("Where the signed consent is kept, e.g. contract number."),
    )
    expires_at = forms.DateTimeField(label=_("Expires at"), required=False)
