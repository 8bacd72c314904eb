"""Daily platform figures computed by the scheduled snapshot task."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from recengine.models import EventKind, PlatformSnapshot
from recengine.tasks import resolve_day, snapshot_platform_stats

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = dt.date(2026, 3, 14)


@pytest.fixture(autouse=True)
def platform_time_zone(settings):
    settings.TIME_ZONE = "Asia/Shanghai"


def local(hour: int, minute: int = 0, second: int = 0, day: dt.date = DAY):
    return dt.datetime.combine(day, dt.time(hour, minute, second), tzinfo=SHANGHAI)


@pytest.fixture
def busy_day(make_event) -> None:
    """Three exposures, two clicks, two orders worth 119.95 on DAY, and noise."""
    for hour in (9, 10, 11):
        make_event(EventKind.IMPRESSION, local(hour))
    make_event(EventKind.CLICK, local(9, 1))
    make_event(EventKind.CLICK, local(10, 1))
    make_event(EventKind.ORDER, local(9, 5), "19.90")
    make_event(EventKind.ORDER, local(23, 59, 59), "100.05")
    # A cart amount is no sale, and a like is no exposure.
    make_event(EventKind.ADD_TO_CART, local(9, 4), "999.00")
    make_event(EventKind.LIKE, local(9, 2))
    # Just outside the local day on either side.
    make_event(EventKind.ORDER, local(23, 59, 59, DAY - dt.timedelta(days=1)), "50.00")
    make_event(EventKind.IMPRESSION, local(0, 0, 0, DAY + dt.timedelta(days=1)))


@pytest.mark.django_db
def test_snapshot_counts_one_local_day(busy_day):
    snapshot_id = snapshot_platform_stats.apply(kwargs={"day": DAY.isoformat()}).get()

    snapshot = PlatformSnapshot.objects.get(pk=snapshot_id)
    assert snapshot.day == DAY
    assert (snapshot.exposures, snapshot.clicks, snapshot.orders) == (3, 2, 2)
    assert snapshot.gmv == Decimal("119.95")


@pytest.mark.django_db
def test_day_follows_platform_time_zone_not_utc(make_event):
    # 16:30 UTC on the 13th is already 00:30 on the 14th in Shanghai.
    make_event(EventKind.ORDER, dt.datetime(2026, 3, 13, 16, 30, tzinfo=dt.UTC), "8.00")

    snapshot_platform_stats(day=DAY.isoformat())

    assert PlatformSnapshot.objects.get(day=DAY).orders == 1
    assert PlatformSnapshot.objects.filter(day=DAY - dt.timedelta(days=1)).count() == 0


@pytest.mark.django_db
def test_rerun_updates_the_same_row(busy_day, make_event):
    first = snapshot_platform_stats(day=DAY.isoformat())
    make_event(EventKind.ORDER, local(12), "0.05")

    second = snapshot_platform_stats(day=DAY.isoformat())

    assert first == second
    assert PlatformSnapshot.objects.count() == 1
    snapshot = PlatformSnapshot.objects.get()
    assert (snapshot.orders, snapshot.gmv) == (3, Decimal("120.00"))


@pytest.mark.django_db
def test_quiet_day_gives_zeros():
    snapshot_platform_stats(day=DAY.isoformat())

    snapshot = PlatformSnapshot.objects.get(day=DAY)
    assert (snapshot.exposures, snapshot.clicks, snapshot.orders) == (0, 0, 0)
    assert snapshot.gmv == Decimal("0")


@pytest.mark.django_db
def test_days_ago_names_a_day_relative_to_now(make_event):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    make_event(EventKind.IMPRESSION, local(12, day=yesterday))

    snapshot_platform_stats(days_ago=1)

    assert PlatformSnapshot.objects.get(day=yesterday).exposures == 1


def test_resolve_day_refuses_bad_input():
    with pytest.raises(ValueError):
        resolve_day("14/03/2026")
    with pytest.raises(ValueError):
        resolve_day(days_ago=-1)
