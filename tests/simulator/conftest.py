"""A small simulated platform, built once per test from a fixed seed and end."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from recengine import serving
from recengine.models import SimulationRun

UNTIL = dt.datetime(2026, 11, 30, 13, 30, tzinfo=dt.UTC)
SMALL = {"seed": 11, "viewers": 200, "days": 2}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def fresh_serving_state():
    # Serving keeps in-memory state per process; each test has its own database.
    serving.reset()
    yield
    serving.reset()


def run_simulation(**options) -> SimulationRun:
    arguments = {**SMALL, "until": UNTIL.isoformat(), **options}
    flags = [
        f"--{name}={value}" for name, value in arguments.items() if name != "replace"
    ]
    if arguments.get("replace"):
        flags.append("--replace")
    call_command("simulate", *flags, stderr=_Sink(), stdout=_Sink())
    return SimulationRun.objects.get()


class _Sink:
    def write(self, *args, **kwargs) -> None:
        pass

    def flush(self) -> None:
        pass


@pytest.fixture
def simulated(db) -> SimulationRun:
    return run_simulation()
