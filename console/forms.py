"""Forms of the staff console."""

from __future__ import annotations

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from console import ratelimit
from recengine.models import ApiScope


class ThrottledLoginMixin:
    """Refuses a username+address after repeated failures, whatever the password.

    Mixed into every sign-in form of the site, the Django admin's included, so that
    no login page is left open to password guessing.
    """

    throttle_messages = {
        "locked": _(
            "Too many failed sign-in attempts. For your security, signing in as this "
            "user from this address is blocked for %(minutes)d minutes."
        ),
    }

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        address = ratelimit.client_address(self.request)
        if ratelimit.is_locked(username, address):
            raise forms.ValidationError(
                self.throttle_messages["locked"],
                code="locked",
                params={"minutes": ratelimit.WINDOW_SECONDS // 60},
            )

        try:
            cleaned = super().clean()
        except forms.ValidationError:
            ratelimit.record_failure(username, address)
            raise

        ratelimit.reset(username, address)
        return cleaned


class ThrottledAuthenticationForm(ThrottledLoginMixin, AuthenticationForm):
    pass


class ThrottledAdminAuthenticationForm(ThrottledLoginMixin, AdminAuthenticationForm):
    pass


class ApiKeyIssueForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=80,
        help_text=_("Which service uses the key, e.g. the order system."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=ApiScope.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Grant only what the service needs."),
    )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Give the key a name."))
        return name


class ApiKeyRevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        help_text=_("Recorded in the key's history."),
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Say why the key is revoked."))
        return reason
