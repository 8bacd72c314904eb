"""Audit schedules: registered for beat, editable, and really run by beat and a
worker on the configured broker."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from audits.models import AuditKind, AuditRun, Report, RunStatus
from audits.schedules import (
    DAILY_ECOSYSTEM,
    MONTHLY_FULL,
    WEEKLY_FAIRNESS,
    ensure_audit_schedules,
)
from audits.tasks import SCHEDULED_TASK, scheduled_audit, scheduled_period
from recengine.models import EventKind
from recengine.tasks import day_bounds
from tests.ops.test_processes import services, wait_for  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def test_three_schedules_are_registered_once():
    created = ensure_audit_schedules()
    again = ensure_audit_schedules()

    assert [name for name, _ in created] == [
        DAILY_ECOSYSTEM,
        WEEKLY_FAIRNESS,
        MONTHLY_FULL,
    ]
    assert [was_created for _, was_created in again] == [False, False, False]
    monthly = PeriodicTask.objects.get(name=MONTHLY_FULL)
    assert monthly.task == SCHEDULED_TASK == scheduled_audit.name
    assert json.loads(monthly.kwargs) == {"kind": "full", "schedule": MONTHLY_FULL}
    assert (monthly.crontab.day_of_month, monthly.crontab.hour) == ("1", "3")


def test_each_schedule_covers_the_period_before_it():
    today = dt.date(2026, 3, 10)
    assert scheduled_period(AuditKind.ECOSYSTEM, today) == (
        dt.date(2026, 3, 9),
        dt.date(2026, 3, 9),
    )
    assert scheduled_period(AuditKind.FAIRNESS, today) == (
        dt.date(2026, 3, 3),
        dt.date(2026, 3, 9),
    )
    assert scheduled_period(AuditKind.FULL, today) == (
        dt.date(2026, 2, 1),
        dt.date(2026, 2, 28),
    )


def test_a_scheduled_audit_delivered_twice_runs_once(make_event, viewer):
    start, _ = day_bounds(timezone.localdate() - dt.timedelta(days=1))
    make_event(EventKind.IMPRESSION, start + dt.timedelta(hours=1), viewer)

    first = scheduled_audit(AuditKind.ECOSYSTEM, DAILY_ECOSYSTEM)
    second = scheduled_audit(AuditKind.ECOSYSTEM, DAILY_ECOSYSTEM)

    assert first == second
    run = AuditRun.objects.get()
    assert (run.status, run.schedule) == (RunStatus.DONE, DAILY_ECOSYSTEM)
    assert run.findings.exists()
    assert not run.findings.filter(check_item__metric__startswith="data.").exists()


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_beat_enqueues_the_audit_and_the_worker_runs_it(services, make_event, viewer):  # noqa: F811
    # Given yesterday's traffic and an ecosystem audit due every second.
    start, _ = day_bounds(timezone.localdate() - dt.timedelta(days=1))
    for hour in (1, 2, 3):
        make_event(EventKind.IMPRESSION, start + dt.timedelta(hours=hour), viewer)
    every_second = IntervalSchedule.objects.create(
        every=1, period=IntervalSchedule.SECONDS
    )
    job = PeriodicTask.objects.create(
        name="ecosystem audit every second",
        task=SCHEDULED_TASK,
        interval=every_second,
        kwargs=json.dumps({"kind": "ecosystem", "schedule": "every second"}),
    )

    # When beat and a worker run against this database and broker.
    for role in ("worker", "beat"):
        services.start(role)

    # Then beat sends the job through the broker and the worker completes an audit.
    wait_for(
        services,
        "a completed scheduled audit",
        lambda: AuditRun.objects.filter(
            schedule="every second", status=RunStatus.DONE
        ).exists(),
    )
    run = AuditRun.objects.get(schedule="every second")
    assert Report.objects.filter(run=run).count() == 1
    assert "audits.scheduled_audit" in services.log("worker")
    # Beat records the send on its next tick, possibly after the worker finished.
    wait_for(
        services,
        "run count on the periodic task",
        lambda: PeriodicTask.objects.get(pk=job.pk).total_run_count > 0,
    )
