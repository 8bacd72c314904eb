"""Default periodic jobs registered for beat."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from recengine.schedules import (
    RETRAIN_NIGHTLY,
    RETRAIN_TASK,
    SNAPSHOT_TASK,
    SNAPSHOT_TODAY,
    SNAPSHOT_YESTERDAY,
    ensure_default_schedules,
)
from recengine.tasks import snapshot_platform_stats

pytestmark = pytest.mark.django_db


def test_registers_today_every_15_minutes_and_yesterday_at_0010():
    ensure_default_schedules()

    today = PeriodicTask.objects.get(name=SNAPSHOT_TODAY)
    assert today.task == SNAPSHOT_TASK == snapshot_platform_stats.name
    assert json.loads(today.kwargs) == {"days_ago": 0}
    assert (today.interval.every, today.interval.period) == (
        15,
        IntervalSchedule.MINUTES,
    )

    yesterday = PeriodicTask.objects.get(name=SNAPSHOT_YESTERDAY)
    assert json.loads(yesterday.kwargs) == {"days_ago": 1}
    assert (yesterday.crontab.hour, yesterday.crontab.minute) == ("0", "10")
    assert str(yesterday.crontab.timezone) == "Asia/Shanghai"


def test_second_run_adds_nothing_and_keeps_staff_changes():
    ensure_default_schedules()
    PeriodicTask.objects.filter(name=SNAPSHOT_YESTERDAY).update(enabled=False)

    results = ensure_default_schedules()

    assert [result.created for result in results] == [False] * 7
    assert PeriodicTask.objects.filter(task=SNAPSHOT_TASK).count() == 2
    assert IntervalSchedule.objects.filter(every=15).count() == 1
    assert not PeriodicTask.objects.get(name=SNAPSHOT_YESTERDAY).enabled


def test_command_reports_what_it_did():
    out = StringIO()
    call_command("setup_schedules", stdout=out)
    call_command("setup_schedules", stdout=out)

    lines = out.getvalue().splitlines()
    assert len(lines) == 14
    assert SNAPSHOT_TODAY in lines[0] and SNAPSHOT_TODAY in lines[7]
    assert lines[0] != lines[7]


def test_the_engine_retrains_nightly_into_a_candidate():
    ensure_default_schedules()

    retrain = PeriodicTask.objects.get(name=RETRAIN_NIGHTLY)
    assert retrain.task == RETRAIN_TASK
    assert json.loads(retrain.kwargs) == {"days": 14}
    assert (retrain.crontab.hour, retrain.crontab.minute) == ("2", "30")
