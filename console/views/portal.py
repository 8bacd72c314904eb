"""The viewer portal: what the engine holds about the signed-in viewer."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from console.access import viewer_required
from recengine.models import Viewer


@viewer_required
def home(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    interests = viewer.interests.select_related("tag", "tag__category").order_by(
        "-weight", "tag__code"
    )
    interests = list(interests)
    # Weights are relative: the bars compare tags with the strongest one.
    top_weight = max((interest.weight for interest in interests), default=1.0) or 1.0
    context = {"viewer": viewer, "interests": interests, "top_weight": top_weight}
    return render(request, "portal/home.html", context)
