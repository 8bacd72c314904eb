"""A simulated platform shared by the feature tests, built once for this package.

The simulator writes a few thousand events, broadcasts with transcripts and audio
statistics, and product pictures; it is committed once before the first test that
asks for it and purged after the last test of the package, so that tests elsewhere
start from an empty platform.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.core.management import call_command
from django.test import override_settings

from recengine import serving
from recengine.models import SimulationRun
from recengine.simulator.purge import purge_simulated_platform

UNTIL = dt.datetime(2026, 11, 30, 13, 30, tzinfo=dt.UTC)
DAYS = 2


@dataclass(frozen=True)
class SimulatedPlatform:
    run_id: int
    start: dt.datetime
    end: dt.datetime


class _Sink:
    def write(self, *args, **kwargs) -> None:
        pass

    def flush(self) -> None:
        pass


@pytest.fixture(scope="package")
def simulated_platform(django_db_setup, django_db_blocker, tmp_path_factory):
    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"))
    media.enable()
    with django_db_blocker.unblock():
        serving.reset()
        call_command(
            "simulate",
            "--seed=7",
            "--viewers=1500",
            f"--days={DAYS}",
            f"--until={UNTIL.isoformat()}",
            stdout=_Sink(),
            stderr=_Sink(),
        )
        run = SimulationRun.objects.get()
    yield SimulatedPlatform(run.pk, UNTIL - dt.timedelta(days=DAYS), UNTIL)

    with django_db_blocker.unblock():
        purge_simulated_platform()
        serving.reset()
    media.disable()
