"""Default audit schedules, kept as django-celery-beat rows that the console edits:
a daily ecosystem report, a weekly fairness report and a monthly full audit."""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from audits.models import AuditKind
from audits.tasks import SCHEDULED_TASK

logger = logging.getLogger(__name__)

DAILY_ECOSYSTEM = "audit: daily ecosystem report"
WEEKLY_FAIRNESS = "audit: weekly fairness report"
MONTHLY_FULL = "audit: monthly full compliance audit"

DEFAULTS = (
    # name, kind, crontab (minute, hour, day of week, day of month)
    (DAILY_ECOSYSTEM, AuditKind.ECOSYSTEM, ("20", "1", "*", "*")),
    (WEEKLY_FAIRNESS, AuditKind.FAIRNESS, ("40", "1", "1", "*")),
    (MONTHLY_FULL, AuditKind.FULL, ("0", "3", "*", "1")),
)


def crontab(minute: str, hour: str, day_of_week: str, day_of_month: str):
    fields = {
        "minute": minute,
        "hour": hour,
        "day_of_week": day_of_week,
        "day_of_month": day_of_month,
        "month_of_year": "*",
        "timezone": settings.TIME_ZONE,
    }
    schedule = CrontabSchedule.objects.filter(**fields).first()
    return schedule or CrontabSchedule.objects.create(**fields)


@transaction.atomic
def ensure_audit_schedules() -> list[tuple[str, bool]]:
    """Register the audit schedules that are missing; staff changes are kept."""
    results = []
    for name, kind, timing in DEFAULTS:
        _, created = PeriodicTask.objects.get_or_create(
            name=name,
            defaults={
                "task": SCHEDULED_TASK,
                "kwargs": json.dumps({"kind": kind, "schedule": name}),
                "crontab": crontab(*timing),
            },
        )
        if created:
            logger.info("Registered audit schedule %s", name)
        results.append((name, created))
    return results


def audit_schedules():
    return PeriodicTask.objects.filter(task=SCHEDULED_TASK).select_related("crontab")


class ScheduleError(ValueError):
    """A schedule edit refused; the message says why."""


@transaction.atomic
def update_schedule(
    *, actor, task: PeriodicTask, enabled: bool, timing: dict[str, str]
) -> PeriodicTask:
    """Change when an audit schedule fires; beat reads the change on its next tick."""
    from celery.schedules import crontab as celery_crontab

    if task.task != SCHEDULED_TASK:
        raise ScheduleError(_("Only audit schedules are edited here."))
    try:
        celery_crontab(**timing)
    except ValueError as error:
        raise ScheduleError(
            _("Not a valid schedule: %(error)s") % {"error": error}
        ) from error

    task = PeriodicTask.objects.select_for_update().get(pk=task.pk)
    task.crontab = crontab(
        timing["minute"], timing["hour"], timing["day_of_week"], timing["day_of_month"]
    )
    task.enabled = enabled
    task.save()
    logger.info(
        "Audit schedule %s changed by %s",
        task.name,
        actor,
        extra={"periodic_task": task.pk, "enabled": enabled, **timing},
    )
    return task
