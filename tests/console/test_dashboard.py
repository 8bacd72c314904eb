"""Dashboard figures against values computed by hand from the ``platform`` fixture."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from console import dashboard
from recengine.models import PlatformSnapshot


def test_rooms_live_now_counts_open_broadcasts(platform):
    # r-1 and r-3 broadcast without end; r-2's broadcast ended six hours ago.
    assert dashboard.rooms_live_now(platform.now) == 2


def test_a_broadcast_not_yet_started_is_not_live(platform):
    before_r3 = platform.now - dt.timedelta(hours=3)

    assert dashboard.rooms_live_now(before_r3) == 1


def test_today_starts_at_local_midnight_not_utc(platform):
    midnight = dashboard.local_midnight(platform.now)

    assert midnight.isoformat() == "2026-03-10T00:00:00+08:00"
    assert midnight.astimezone(dt.UTC).day == 9


def test_today_totals_match_the_fixture(platform):
    totals = dashboard.today_totals(platform.now)

    assert totals == {
        "exposures": 6,
        "clicks": 2,
        "orders": 2,
        "gmv": Decimal("140.00"),
    }


def test_headline_functions(platform):
    assert dashboard.exposures_today(platform.now) == 6
    assert dashboard.ctr_today(platform.now) == pytest.approx(2 / 6)
    assert dashboard.gmv_today(platform.now) == Decimal("140.00")


@pytest.mark.django_db
def test_ctr_is_undefined_without_exposures():
    now = timezone.now()

    assert dashboard.ctr_today(now) is None
    assert dashboard.gmv_today(now) == Decimal("0")


def test_daily_figures_cover_fourteen_local_days(platform):
    figures = dashboard.daily_figures(platform.now)
    by_day = {row.day.isoformat(): row for row in figures}

    assert len(figures) == 14
    assert figures[0].day == dt.date(2026, 2, 25)
    assert figures[-1].day == dt.date(2026, 3, 10)
    assert by_day["2026-03-10"] == dashboard.DayFigures(
        dt.date(2026, 3, 10), 6, 2, Decimal("140.00")
    )
    assert by_day["2026-03-09"] == dashboard.DayFigures(
        dt.date(2026, 3, 9), 3, 1, Decimal("25.50")
    )
    assert sum(row.exposures for row in figures) == 9


def test_dashboard_page_shows_the_figures_and_a_local_chart(
    client, platform, reviewer_user
):
    client.force_login(reviewer_user)

    with mock.patch("console.views.home.timezone.now", return_value=platform.now):
        response = client.get(reverse("console:home"), HTTP_ACCEPT_LANGUAGE="en")

    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["rooms_live"] == 2
    assert response.context["totals"]["exposures"] == 6
    assert "33.33%" in page
    assert "140.00" in page
    assert 'id="daily-traffic-chart"' in page
    assert "Plotly.newPlot" in page
    assert "/static/vendor/plotly.min.js" in page
    assert "cdn.plot.ly" not in page


@pytest.mark.django_db
def test_empty_dashboard_says_how_to_get_data(client, reviewer_user):
    client.force_login(reviewer_user)

    response = client.get(reverse("console:home"), HTTP_ACCEPT_LANGUAGE="en")

    page = response.content.decode()
    assert "No platform data yet" in page
    assert "simulate" in page
    assert "—" in page  # CTR without exposures


def _snapshot(day: dt.date, computed_at: dt.datetime, **figures) -> PlatformSnapshot:
    return PlatformSnapshot.objects.create(
        day=day, orders=0, computed_at=computed_at, **figures
    )


def test_complete_snapshots_stand_in_for_past_days(platform):
    day = dt.date(2026, 3, 5)
    _snapshot(
        day,
        platform.now - dt.timedelta(days=4),
        exposures=100,
        clicks=10,
        gmv=Decimal("999.00"),
    )

    by_day = {row.day: row for row in dashboard.daily_figures(platform.now)}

    assert by_day[day] == dashboard.DayFigures(day, 100, 10, Decimal("999.00"))
    assert by_day[dt.date(2026, 3, 10)].exposures == 6


def test_a_snapshot_taken_before_its_day_ended_is_not_trusted(platform):
    yesterday = dt.date(2026, 3, 9)
    _snapshot(
        yesterday,
        platform.now - dt.timedelta(hours=20),
        exposures=1,
        clicks=0,
        gmv=Decimal("0"),
    )

    by_day = {row.day: row for row in dashboard.daily_figures(platform.now)}

    assert by_day[yesterday].exposures == 3
    assert by_day[yesterday].gmv == Decimal("25.50")
