"""The deployed process set, for real: gunicorn, a Celery worker and beat.

They are started through docker/entrypoint.sh, exactly as the compose file starts
them, against the database and broker of this test run (the SQLite test file and a
file-system broker by default, PostgreSQL and Redis when configured).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from recengine.models import EventKind, PlatformSnapshot
from recengine.schedules import SNAPSHOT_TASK
from recengine.tasks import day_bounds

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(__file__).resolve().parents[2]
ENTRYPOINT = BASE_DIR / "docker" / "entrypoint.sh"
HEALTHCHECK = BASE_DIR / "docker" / "healthcheck.py"
TIMEOUT = 90


def database_url() -> str:
    """The test database pytest-django created, as the subprocesses must see it."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite://{Path(db['NAME']).resolve()}"
    credentials = quote(db["USER"], safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgresql://{credentials}@{db['HOST']}{port}/{quote(db['NAME'])}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Services:
    """Processes this test started; stopped by their own ids, with their logs."""

    def __init__(self, env: dict[str, str], log_dir: Path):
        self.env = env
        self.log_dir = log_dir
        self.started: dict[str, subprocess.Popen] = {}

    def start(self, role: str) -> None:
        log = (self.log_dir / f"{role}.log").open("wb")
        self.started[role] = subprocess.Popen(
            ["sh", str(ENTRYPOINT), role],
            cwd=BASE_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            # Its own process group, so the migrate step before exec and the
            # children of gunicorn and the worker stop with it.
            start_new_session=True,
        )

    def check_alive(self) -> None:
        for role, process in self.started.items():
            if process.poll() is not None:
                pytest.fail(f"{role} exited with {process.returncode}\n{self.logs()}")

    def log(self, role: str) -> str:
        return (self.log_dir / f"{role}.log").read_text(errors="replace")

    def logs(self) -> str:
        parts = [
            f"----- {role} -----\n{self.log(role)[-6000:]}" for role in self.started
        ]
        return "\n".join(parts)

    def stop(self) -> None:
        for process in self.started.values():
            self._signal(process, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for process in self.started.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self._signal(process, signal.SIGKILL)
                process.wait(timeout=10)

    @staticmethod
    def _signal(process: subprocess.Popen, signum: int) -> None:
        # The group may be gone already; that is the state we wanted.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signum)


def wait_for(services: Services, what: str, condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        services.check_alive()
        if condition():
            return
        time.sleep(0.5)
    pytest.fail(f"no {what} within {TIMEOUT} s\n{services.logs()}")


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    # Worker and beat share one DATA_DIR, hence one file-system broker.
    for folder in ("queue", "processed", "control"):
        (tmp_path / "broker" / folder).mkdir(parents=True)
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DATA_DIR": str(tmp_path),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "WEB_BIND": f"127.0.0.1:{free_port()}",
        "WEB_CONCURRENCY": "2",
        "CELERY_CONCURRENCY": "1",
        "LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
    }
    running = Services(env, tmp_path)
    try:
        yield running
    finally:
        running.stop()


def healthz_status(bind: str) -> int | None:
    try:
        with urllib.request.urlopen(f"http://{bind}/healthz/", timeout=2) as answer:
            return answer.status
    except OSError:
        return None


def run_healthcheck(services: Services, role: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(HEALTHCHECK), role],
        cwd=BASE_DIR,
        env=services.env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_beat_schedules_the_snapshot_and_the_worker_runs_it(services, make_event):
    # Given today's events and a snapshot job due every second.
    start, _ = day_bounds(timezone.localdate())
    for minute in (1, 2, 3):
        make_event(EventKind.IMPRESSION, start + dt.timedelta(minutes=minute))
    make_event(EventKind.CLICK, start + dt.timedelta(minutes=4))
    make_event(EventKind.ORDER, start + dt.timedelta(minutes=5), "88.80")
    every_second = IntervalSchedule.objects.create(
        every=1, period=IntervalSchedule.SECONDS
    )
    job = PeriodicTask.objects.create(
        name="snapshot every second",
        task=SNAPSHOT_TASK,
        interval=every_second,
        kwargs=json.dumps({"days_ago": 0}),
    )

    # When the platform's processes run.
    for role in ("web", "worker", "beat"):
        services.start(role)

    # Then gunicorn answers the probe and the scheduled job writes today's figures.
    bind = services.env["WEB_BIND"]
    wait_for(services, "200 from /healthz/", lambda: healthz_status(bind) == 200)
    wait_for(
        services,
        "two gunicorn workers",
        lambda: services.log("web").count("Booting worker with pid") == 2,
    )
    wait_for(
        services,
        "snapshot of today",
        lambda: PlatformSnapshot.objects.filter(day=timezone.localdate()).exists(),
    )
    snapshot = PlatformSnapshot.objects.get(day=timezone.localdate())
    assert (snapshot.exposures, snapshot.clicks, snapshot.orders) == (3, 1, 1)
    assert snapshot.gmv == Decimal("88.80")

    wait_for(
        services,
        "run count on the periodic task",
        lambda: PeriodicTask.objects.get(pk=job.pk).total_run_count > 0,
    )

    # And the container health checks agree.
    for role in ("web", "beat"):
        result = run_healthcheck(services, role)
        assert result.returncode == 0, f"{role}: {result.stderr}\n{services.logs()}"
