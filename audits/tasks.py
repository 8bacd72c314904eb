"""Background jobs of the audits: one run at a time, scheduled runs by beat.

Tasks take ids and dates and are safe to deliver twice (acks late): a run that is
already done returns its report, and a scheduled audit of a period that already
has a run of its kind adds nothing.
"""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.utils import timezone

from audits.models import AuditKind, AuditRun, RunStatus
from audits.services.runs import execute_run, request_audit

logger = logging.getLogger(__name__)

RUN_TASK = "audits.run_audit"
SCHEDULED_TASK = "audits.scheduled_audit"


@shared_task(name=RUN_TASK)
def run_audit_task(run_id: int) -> int:
    return execute_run(run_id)


def scheduled_period(kind: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The period a scheduled audit covers, ending yesterday."""
    end = today - dt.timedelta(days=1)
    if kind == AuditKind.ECOSYSTEM:
        return end, end
    if kind == AuditKind.FAIRNESS:
        return end - dt.timedelta(days=6), end
    first_of_month = today.replace(day=1)
    last_month_end = first_of_month - dt.timedelta(days=1)
    return last_month_end.replace(day=1), last_month_end


@shared_task(name=SCHEDULED_TASK)
def scheduled_audit(kind: str, schedule: str = "") -> int:
    """Request and run the audit a schedule stands for; returns the run id."""
    start, end = scheduled_period(kind, timezone.localdate())
    existing = AuditRun.objects.filter(
        kind=kind, period_start=start, period_end=end, schedule=schedule
    ).exclude(status=RunStatus.FAILED)
    run = existing.first()
    if run is None:
        run = request_audit(
            actor=None,
            start=start,
            end=end,
            kind=kind,
            schedule=schedule,
            enqueue=False,
        )
    execute_run(run.pk)
    logger.info("Scheduled audit done", extra={"run_id": run.pk, "kind": kind})
    return run.pk
