"""The portal's recommendations preview (clause 6.3.3) and the public page on how
recommendations work (clause 4.3)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from console.access import viewer_required
from recengine.engine import feedback as feedback_rules
from recengine.governance import rerank
from recengine.models import LiveRoom, ModelStatus, ModelVersion, Product, Viewer
from recengine.ranking.objectives import OBJECTIVES, ObjectiveWeights
from recengine.services import rights
from recengine.services.lifecycle import current_ranking_config
from recengine.serving import recommend

PREVIEW_SIZE = 10
SCENES = ("live_feed", "product_feed")


def _titles(items) -> dict[tuple[str, str], str]:
    rooms = [item.id for item in items if item.kind == "live_room"]
    products = [item.id for item in items if item.kind == "product"]
    found = {
        ("live_room", key): title
        for key, title in LiveRoom.objects.filter(external_id__in=rooms).values_list(
            "external_id", "title"
        )
    }
    found.update(
        {
            ("product", key): title
            for key, title in Product.objects.filter(
                external_id__in=products
            ).values_list("external_id", "title")
        }
    )
    return found


@require_GET
@viewer_required
def preview(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    scene = request.GET.get("scene", SCENES[0])
    if scene not in SCENES:
        scene = SCENES[0]
    result = recommend(
        viewer_id=viewer.pk,
        scene=scene,
        size=PREVIEW_SIZE,
        now=timezone.now(),
        record=False,
        personalization=viewer.personalization_enabled,
    )
    titles = _titles(result.items)
    rows = [
        {"item": item, "title": titles.get((item.kind, item.id), item.id)}
        for item in result.items
    ]
    context = {
        "viewer": viewer,
        "scene": scene,
        "scenes": SCENES,
        "result": result,
        "rows": rows,
        "section": "preview",
    }
    return render(request, "portal/preview.html", context)


@require_POST
@viewer_required
def not_interested(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}):
        back = ""
    try:
        item = rights.resolve_item(
            request.POST.get("item", ""), request.POST.get("item_kind") or None
        )
    except rights.RightsError:
        messages.error(request, _("That item is no longer available."))
        return redirect(back or "portal:preview")
    rights.record_not_interested(
        actor=request.user, viewer=viewer, item=item, now=timezone.now()
    )
    messages.success(
        request,
        _("Got it: you will see less like “%(title)s”.") % {"title": item.title},
    )
    return redirect(back or "portal:preview")


@require_GET
def how_it_works(request: HttpRequest) -> HttpResponse:
    """Public: the principles, mechanism and purpose, from the live configuration."""
    config = current_ranking_config()
    weights = ObjectiveWeights(**config.weights)
    shares = dict(zip(OBJECTIVES, weights.normalised().tolist(), strict=True))
    active = (
        ModelVersion.objects.filter(status=ModelStatus.ACTIVE)
        .values("version", "activated_at")
        .first()
    )
    context = {
        "config": config,
        "objectives": [(name, shares[name]) for name in OBJECTIVES],
        "rerank": rerank.RerankConfig(**config.rerank),
        "active": active,
        "suppress_days": feedback_rules.SUPPRESS_DAYS,
        "half_life_days": feedback_rules.HALF_LIFE_DAYS,
        "similar_from": rerank.SIMILAR_FROM,
        "similar_weight": rerank.SIMILAR_WEIGHT,
    }
    return render(request, "portal/how_it_works.html", context)
