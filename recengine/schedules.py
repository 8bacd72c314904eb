"""Default periodic jobs, kept as django-celery-beat rows so staff can see and change
them in the admin, and beat picks up changes without a restart."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django_celery_beat.models import (
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
)

logger = logging.getLogger(__name__)

SNAPSHOT_TASK = "recengine.snapshot_platform_stats"
RETRAIN_TASK = "recengine.retrain_engine"
RETRAIN_NIGHTLY = "engine: nightly retrain"
SNAPSHOT_TODAY = "platform snapshot: today"
SNAPSHOT_YESTERDAY = "platform snapshot: yesterday"
MODERATION_SCREEN = "moderation: screen new content"
TRUST_REFRESH = "trust: policy refresh"
TRUST_SWEEP = "trust: re-registration sweep"
TRUST_QUALITY = "trust: quality scores"


@dataclass(frozen=True)
class ScheduleResult:
    name: str
    created: bool


def _interval(minutes: int) -> IntervalSchedule:
    # get_or_create would fail on duplicates someone added by hand in the admin.
    schedule = IntervalSchedule.objects.filter(
        every=minutes, period=IntervalSchedule.MINUTES
    ).first()
    if schedule is None:
        schedule = IntervalSchedule.objects.create(
            every=minutes, period=IntervalSchedule.MINUTES
        )
    return schedule


def _daily_at(hour: int, minute: int) -> CrontabSchedule:
    fields = {
        "minute": str(minute),
        "hour": str(hour),
        "day_of_week": "*",
        "day_of_month": "*",
        "month_of_year": "*",
        "timezone": settings.TIME_ZONE,
    }
    schedule = CrontabSchedule.objects.filter(**fields).first()
    if schedule is None:
        schedule = CrontabSchedule.objects.create(**fields)
    return schedule


def _register(
    name: str, kwargs: dict, *, task: str = SNAPSHOT_TASK, **schedule
) -> ScheduleResult:
    # Only a missing job is created: a schedule that staff disabled or moved in
    # the admin stays as they left it.
    _, created = PeriodicTask.objects.get_or_create(
        name=name,
        defaults={"task": task, "kwargs": json.dumps(kwargs), **schedule},
    )
    if created:
        logger.info("Registered periodic task %s", name, extra={"periodic_task": name})
    return ScheduleResult(name=name, created=created)


@transaction.atomic
def ensure_default_schedules() -> list[ScheduleResult]:
    """Register the platform's periodic jobs if they are missing; safe to repeat.

    Today's snapshot is refreshed every 15 minutes for the dashboard; yesterday's
    is recomputed at 00:10 so events that arrived late still count in the final
    figure of the day. The engine retrains nightly into a candidate version;
    activating it stays a person's decision (clause 8.2.2).
    """
    return [
        _register(SNAPSHOT_TODAY, {"days_ago": 0}, interval=_interval(15)),
        _register(SNAPSHOT_YESTERDAY, {"days_ago": 1}, crontab=_daily_at(0, 10)),
        _register(
            RETRAIN_NIGHTLY, {"days": 14}, task=RETRAIN_TASK, crontab=_daily_at(2, 30)
        ),
        # Clause 6.2: keyword entries re-matched and expiries recorded every minute,
        # new accounts checked against the blacklist every 15, quality nightly.
        _register(
            TRUST_REFRESH, {}, task="trust.refresh_policy", interval=_interval(1)
        ),
        _register(
            TRUST_SWEEP,
            {},
            task="trust.detect_reregistrations",
            interval=_interval(15),
        ),
        _register(
            TRUST_QUALITY,
            {},
            task="trust.compute_quality_scores",
            crontab=_daily_at(3, 30),
        ),
        # Clause 6.1.1: rows ingested since the last run are machine-screened (and
        # AIGC labels verified) within five minutes, before they can gather
        # exposure at scale.
        _register(
            MODERATION_SCREEN,
            {},
            task="moderation.screen_new_content",
            interval=_interval(5),
        ),
    ]
