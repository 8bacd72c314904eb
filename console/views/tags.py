"""Trust & safety: the interest-tag vocabulary and the banned-tag check (6.3.2)."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from console.access import role_required
from console.roles import TRUST_SAFETY
from recengine.models import InterestTag, ViewerInterest
from recengine.services import rights

VIOLATIONS_SHOWN = 200


@require_GET
@role_required(TRUST_SAFETY)
def vocabulary(request: HttpRequest) -> HttpResponse:
    tags = list(InterestTag.objects.select_related("category"))
    holders = dict(
        ViewerInterest.objects.values("tag")
        .annotate(n=Count("id"))
        .values_list("tag", "n")
    )
    for tag in tags:
        tag.holders = holders.get(tag.pk, 0)
    holdings = rights.banned_tag_holdings().order_by("tag__code", "viewer_id")
    context = {
        "allowed": [tag for tag in tags if not tag.is_sensitive],
        "banned": [tag for tag in tags if tag.is_sensitive],
        "violations": list(holdings[:VIOLATIONS_SHOWN]),
        "violation_count": holdings.count(),
    }
    return render(request, "console/tags/vocabulary.html", context)


@require_POST
@role_required(TRUST_SAFETY)
def purge_banned(request: HttpRequest) -> HttpResponse:
    purged = rights.purge_banned_tags(actor=request.user)
    messages.success(
        request,
        _("%(count)d sensitive tag assignments removed.") % {"count": purged},
    )
    return redirect("console:tags")
