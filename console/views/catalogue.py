"""Read-only, searchable lists of the platform's anchors, merchants, products, rooms."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    Exists,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from console.access import permission_required
from recengine.models import Anchor, BroadcastSession, LiveRoom, Merchant, Product

PAGE_SIZE = 25


def _search(queryset: QuerySet, query: str, fields: tuple[str, ...]) -> QuerySet:
    if not query:
        return queryset
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{field}__icontains": query})
    return queryset.filter(condition)


def _page(request: HttpRequest, queryset: QuerySet) -> Page:
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _render_list(
    request: HttpRequest,
    template: str,
    model: type[Model],
    queryset: QuerySet,
    search_fields: tuple[str, ...],
    **extra,
) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    context = {
        "query": query,
        "page": _page(request, _search(queryset, query, search_fields)),
        # Tells "nothing matches" apart from "no platform data yet".
        "has_any": model.objects.exists(),
        **extra,
    }
    return render(request, template, context)


@permission_required("recengine.view_anchor")
def anchors(request: HttpRequest) -> HttpResponse:
    queryset = (
        Anchor.objects.select_related("specialty", "persona")
        .annotate(room_count=Count("rooms"))
        .order_by("name", "pk")
    )
    return _render_list(
        request,
        "console/catalogue/anchors.html",
        Anchor,
        queryset,
        ("name", "external_id"),
    )


@permission_required("recengine.view_merchant")
def merchants(request: HttpRequest) -> HttpResponse:
    queryset = Merchant.objects.annotate(
        product_count=Count("products", distinct=True),
        room_count=Count("rooms", distinct=True),
    ).order_by("name", "pk")
    return _render_list(
        request,
        "console/catalogue/merchants.html",
        Merchant,
        queryset,
        ("name", "external_id"),
    )


@permission_required("recengine.view_product")
def products(request: HttpRequest) -> HttpResponse:
    queryset = Product.objects.select_related("merchant", "category").order_by(
        "title", "pk"
    )
    return _render_list(
        request,
        "console/catalogue/products.html",
        Product,
        queryset,
        ("title", "external_id", "merchant__name"),
    )


LIVE_FILTERS = {"": _("All rooms"), "live": _("Live now"), "offline": _("Not live")}


@permission_required("recengine.view_liveroom")
def rooms(request: HttpRequest) -> HttpResponse:
    open_sessions = BroadcastSession.objects.filter(
        room=OuterRef("pk"), ended_at__isnull=True
    )
    queryset = (
        LiveRoom.objects.select_related("anchor", "merchant", "category")
        .annotate(
            is_live=Exists(open_sessions),
            live_since=Subquery(open_sessions.values("started_at")[:1]),
        )
        .order_by("-is_live", "title", "pk")
    )

    state = request.GET.get("state", "")
    if state == "live":
        queryset = queryset.filter(is_live=True)
    elif state == "offline":
        queryset = queryset.filter(is_live=False)

    return _render_list(
        request,
        "console/catalogue/rooms.html",
        LiveRoom,
        queryset,
        ("title", "external_id", "anchor__name"),
        state=state if state in LIVE_FILTERS else "",
        live_filters=LIVE_FILTERS,
    )
