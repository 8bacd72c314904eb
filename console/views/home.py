"""The console dashboard: what is happening on the platform right now."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from console import charts, dashboard
from console.access import staff_required


@staff_required
def home(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    totals = dashboard.today_totals(now)
    figures = dashboard.daily_figures(now)

    context = {
        "now": now,
        "rooms_live": dashboard.rooms_live_now(now),
        "totals": totals,
        "ctr": dashboard.ctr(totals["clicks"], totals["exposures"]),
        "empty": dashboard.platform_is_empty(),
        "chart": charts.daily_traffic_chart(figures),
        "chart_days": dashboard.CHART_DAYS,
    }
    return render(request, "console/home.html", context)
