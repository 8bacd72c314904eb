"""The viewer portal (clause 6.3): my interest tags, the personalisation switch,
my data. Every page acts on the signed-in viewer only: a tag id is looked up among
their own tags, so another viewer's id is a 404."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
)

from console.access import viewer_required
from recengine.models import Viewer, ViewerInterest
from recengine.services import rights
from recengine.services.interests import derive_interests


def _interests(viewer: Viewer) -> list[ViewerInterest]:
    return list(
        viewer.interests.select_related("tag", "tag__category").order_by(
            "-weight", "tag__code"
        )
    )


def _first_visit(viewer: Viewer) -> bool:
    """No tag was ever held or deleted: the profile was never derived."""
    return not (
        viewer.interests.exists()
        or ViewerInterest.history.filter(viewer_id=viewer.pk).exists()
        or viewer.tag_suppressions.exists()
    )


@require_GET
@viewer_required
def home(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    if _first_visit(viewer):
        derive_interests(actor=request.user, viewer=viewer, now=timezone.now())
    interests = _interests(viewer)
    # Weights are relative: the bars compare tags with the strongest one.
    top_weight = max((interest.weight for interest in interests), default=1.0) or 1.0
    context = {
        "viewer": viewer,
        "interests": interests,
        "top_weight": top_weight,
        "section": "tags",
    }
    return render(request, "portal/home.html", context)


@require_POST
@viewer_required
def delete_tag(request: HttpRequest, viewer: Viewer, pk: int) -> HttpResponse:
    try:
        rights.delete_tag(
            actor=request.user, viewer=viewer, interest_id=pk, now=timezone.now()
        )
    except ViewerInterest.DoesNotExist:
        raise Http404 from None
    messages.success(
        request, _("The tag is deleted. Recommendations no longer use it.")
    )
    return redirect("portal:home")


@require_POST
@viewer_required
def delete_all_tags(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    count = rights.delete_all_tags(
        actor=request.user, viewer=viewer, now=timezone.now()
    )
    messages.success(
        request,
        _("%(count)d tags deleted. Recommendations no longer use them.")
        % {"count": count},
    )
    return redirect("portal:home")


@require_http_methods(["GET", "POST"])
@viewer_required
def personalization(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    if request.method == "POST":
        wanted = request.POST.get("enabled")
        if wanted not in ("on", "off"):
            messages.error(request, _("Choose on or off."))
            return redirect("portal:personalization")
        viewer = rights.set_personalization(
            actor=request.user, viewer=viewer, enabled=wanted == "on"
        )
        messages.success(
            request,
            _("Personalised recommendations are on.")
            if viewer.personalization_enabled
            else _("Personalised recommendations are off."),
        )
        return redirect("portal:personalization")
    context = {
        "viewer": viewer,
        "switches": rights.personalization_history(viewer),
        "section": "personalization",
    }
    return render(request, "portal/personalization.html", context)


@require_GET
@viewer_required
def my_data(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    if "download" not in request.GET:
        return render(
            request, "portal/data.html", {"viewer": viewer, "section": "data"}
        )
    data = rights.export_data(actor=request.user, viewer=viewer, now=timezone.now())
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="my-data.json"'
    return response
