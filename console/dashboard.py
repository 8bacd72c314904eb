"""Live figures of the platform for the console dashboard.

Every figure is aggregated in the database: reading events into Python would not
scale past a few days of traffic. Each function takes ``now`` so that the figures can
be checked against hand-computed values at a fixed instant.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncDate

from recengine.models import BroadcastSession, Event, EventKind, PlatformSnapshot

CHART_DAYS = 14

_ZERO = Value(Decimal("0"), output_field=DecimalField(max_digits=16, decimal_places=2))


@dataclass(frozen=True)
class DayFigures:
    day: dt.date
    exposures: int
    clicks: int
    gmv: Decimal


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_midnight(now: dt.datetime) -> dt.datetime:
    """Start of ``now``'s calendar day in the configured time zone."""
    local = now.astimezone(local_zone())
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def rooms_live_now(now: dt.datetime) -> int:
    """Rooms with a broadcast that has started and not ended."""
    live = BroadcastSession.objects.filter(started_at__lte=now, ended_at__isnull=True)
    return live.values("room").distinct().count()


def _today(now: dt.datetime):
    return Event.objects.filter(
        occurred_at__gte=local_midnight(now), occurred_at__lte=now
    )


def _count_kind(kind: EventKind):
    return Count("id", filter=Q(kind=kind))


def today_totals(now: dt.datetime) -> dict[str, int | Decimal]:
    """Exposures, clicks, orders and GMV since local midnight, in one query."""
    totals = _today(now).aggregate(
        exposures=_count_kind(EventKind.IMPRESSION),
        clicks=_count_kind(EventKind.CLICK),
        orders=_count_kind(EventKind.ORDER),
        gmv=Coalesce(Sum("amount", filter=Q(kind=EventKind.ORDER)), _ZERO),
    )
    return totals


def exposures_today(now: dt.datetime) -> int:
    return today_totals(now)["exposures"]


def ctr(clicks: int, exposures: int) -> float | None:
    """Click-through rate; undefined, not zero, when nothing was exposed."""
    if exposures == 0:
        return None
    return clicks / exposures


def ctr_today(now: dt.datetime) -> float | None:
    totals = today_totals(now)
    return ctr(totals["clicks"], totals["exposures"])


def gmv_today(now: dt.datetime) -> Decimal:
    return today_totals(now)["gmv"]


def _complete_snapshots(first: dt.date, today: dt.date) -> dict[dt.date, DayFigures]:
    """Snapshots of past days taken after the day ended, hence complete."""
    zone = local_zone()
    found = {}
    for snapshot in PlatformSnapshot.objects.filter(day__gte=first, day__lt=today):
        day_end = dt.datetime.combine(
            snapshot.day + dt.timedelta(days=1), dt.time.min, tzinfo=zone
        )
        if snapshot.computed_at < day_end:
            continue
        found[snapshot.day] = DayFigures(
            snapshot.day, snapshot.exposures, snapshot.clicks, snapshot.gmv
        )
    return found


def _aggregate_days(start: dt.datetime, now: dt.datetime) -> dict[dt.date, DayFigures]:
    rows = (
        Event.objects.filter(
            occurred_at__gte=start,
            occurred_at__lte=now,
            kind__in=[EventKind.IMPRESSION, EventKind.CLICK, EventKind.ORDER],
        )
        .annotate(day=TruncDate("occurred_at", tzinfo=local_zone()))
        .values("day")
        .annotate(
            exposures=_count_kind(EventKind.IMPRESSION),
            clicks=_count_kind(EventKind.CLICK),
            gmv=Coalesce(Sum("amount", filter=Q(kind=EventKind.ORDER)), _ZERO),
        )
    )
    return {
        row["day"]: DayFigures(row["day"], row["exposures"], row["clicks"], row["gmv"])
        for row in rows
    }


def daily_figures(now: dt.datetime, days: int = CHART_DAYS) -> list[DayFigures]:
    """Exposures, clicks and GMV per local calendar day, the last ``days`` days.

    Past days for which the nightly snapshot is complete are read from it; the
    events of every other day are grouped by local date in the database. Scanning
    only from the first day without a snapshot keeps the dashboard fast on a log of
    many millions of events. Days without events appear with zeros.
    """
    first = local_midnight(now) - dt.timedelta(days=days - 1)
    today = local_midnight(now).date()
    by_day = _complete_snapshots(first.date(), today)

    missing = [
        (first + dt.timedelta(days=offset))
        for offset in range(days)
        if (first + dt.timedelta(days=offset)).date() not in by_day
    ]
    if missing:
        by_day |= _aggregate_days(missing[0], now)

    figures = []
    for offset in range(days):
        day = (first + dt.timedelta(days=offset)).date()
        figures.append(by_day.get(day, DayFigures(day, 0, 0, Decimal("0"))))
    return figures


def platform_is_empty() -> bool:
    """True before any simulation or integration has written platform data."""
    return not (BroadcastSession.objects.exists() or Event.objects.exists())
