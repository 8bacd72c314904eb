"""API keys for platform services: list, issue (secret shown once) and revoke."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from console.access import permission_required
from console.forms import ApiKeyIssueForm, ApiKeyRevokeForm
from recengine.models import ApiKey
from recengine.services.apikeys import (
    ApiKeyError,
    issue_api_key,
    revoke_api_key,
)

MANAGE = "recengine.issue_apikey"
REVOKED = "revoked: "  # how revoke_api_key words its history reason


def _keys_with_revoke_reason() -> list[ApiKey]:
    reasons = ApiKey.history.filter(
        id=OuterRef("pk"), history_change_reason__startswith=REVOKED
    ).order_by("-history_date")
    keys = ApiKey.objects.select_related("created_by", "revoked_by").annotate(
        revoke_note=Subquery(reasons.values("history_change_reason")[:1])
    )
    keys = list(keys)
    for key in keys:
        key.revoke_reason = (key.revoke_note or "").removeprefix(REVOKED)
    return keys


def _list(request: HttpRequest, form: ApiKeyIssueForm, status: int = 200):
    context = {"keys": _keys_with_revoke_reason(), "form": form}
    return render(request, "console/apikeys/list.html", context, status=status)


@permission_required(MANAGE)
def key_list(request: HttpRequest) -> HttpResponse:
    return _list(request, ApiKeyIssueForm())


@never_cache
@require_POST
@permission_required(MANAGE)
def key_issue(request: HttpRequest) -> HttpResponse:
    form = ApiKeyIssueForm(request.POST)
    if not form.is_valid():
        return _list(request, form, status=400)

    key, token = issue_api_key(
        actor=request.user,
        name=form.cleaned_data["name"],
        scopes=form.cleaned_data["scopes"],
    )
    # Rendered in the POST response, not stored for a redirect: the token exists
    # nowhere but on this one page.
    return render(request, "console/apikeys/issued.html", {"key": key, "token": token})


@require_http_methods(["GET", "POST"])
@permission_required(MANAGE)
def key_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    key = get_object_or_404(ApiKey, pk=pk)
    form = ApiKeyRevokeForm(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        status = 400 if request.method == "POST" else 200
        context = {"key": key, "form": form}
        return render(request, "console/apikeys/revoke.html", context, status=status)

    try:
        revoke_api_key(actor=request.user, key=key, reason=form.cleaned_data["reason"])
    except ApiKeyError:
        messages.warning(request, _("This API key was already revoked."))
        return redirect("console:apikeys")

    messages.success(request, _("API key %(prefix)s revoked.") % {"prefix": key.prefix})
    return redirect("console:apikeys")
