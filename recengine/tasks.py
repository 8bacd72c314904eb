"""Background jobs of the engine, run by the Celery worker and scheduled by beat.

Tasks take dates and ids, never model instances, and are idempotent: beat may fire
twice around a restart and a worker may redeliver a task it lost (acks late).
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

from celery import shared_task
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from recengine.models import Event, EventKind, PlatformSnapshot
from recengine.tasks_engine import retrain_engine

__all__ = ["retrain_engine", "snapshot_platform_stats"]

logger = logging.getLogger(__name__)


def resolve_day(day: str | None = None, days_ago: int = 0) -> dt.date:
    """The calendar day meant, in the platform's time zone.

    Schedules cannot carry a moving date, so they name the day relative to the
    moment the task runs (``days_ago``); callers who know the date pass it.
    """
    if day is not None:
        return dt.date.fromisoformat(day)
    if days_ago < 0:
        raise ValueError("days_ago cannot be negative")
    return timezone.localdate() - dt.timedelta(days=days_ago)


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Start (inclusive) and end (exclusive) of a local calendar day, aware."""
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return start, end


def aggregate_day(day: dt.date) -> dict[str, int | Decimal]:
    """Exposures, clicks, orders and GMV of one day, counted by the database.

    One indexed range scan with conditional aggregates: reading the events into
    Python would cost far more than letting the database count them.
    """
    start, end = day_bounds(day)
    events = Event.objects.filter(occurred_at__gte=start, occurred_at__lt=end)
    figures = events.aggregate(
        exposures=Count("id", filter=Q(kind=EventKind.IMPRESSION)),
        clicks=Count("id", filter=Q(kind=EventKind.CLICK)),
        orders=Count("id", filter=Q(kind=EventKind.ORDER)),
        gmv=Sum("amount", filter=Q(kind=EventKind.ORDER)),
    )
    figures["gmv"] = figures["gmv"] or Decimal("0.00")
    return figures


@transaction.atomic
def write_snapshot(day: dt.date) -> PlatformSnapshot:
    figures = aggregate_day(day)
    snapshot, created = PlatformSnapshot.objects.update_or_create(
        day=day, defaults={**figures, "computed_at": timezone.now()}
    )
    logger.info(
        "Platform snapshot %s %s",
        day,
        "created" if created else "updated",
        extra={
            "day": day.isoformat(),
            "snapshot_id": snapshot.pk,
            "exposures": snapshot.exposures,
            "orders": snapshot.orders,
        },
    )
    return snapshot


@shared_task(name="recengine.snapshot_platform_stats")
def snapshot_platform_stats(day: str | None = None, days_ago: int = 0) -> int:
    """Recompute the daily figures of ``day`` (ISO date) or of today minus
    ``days_ago``; returns the snapshot id."""
    return write_snapshot(resolve_day(day, days_ago)).pk
