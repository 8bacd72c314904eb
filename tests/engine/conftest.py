"""A simulated platform and two trained engine versions, built once for the package.

Both are committed before the first test and removed after the last, so that tests
elsewhere start from an empty platform. Each test then activates what it needs in
its own transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from unittest import mock

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import override_settings

from recengine import serving
from recengine.engine.pipeline import train
from recengine.models import ModelVersion
from recengine.simulator.purge import purge_simulated_platform

UNTIL = dt.datetime(2026, 11, 30, 13, 30, tzinfo=dt.UTC)
DAYS = 3


@dataclass(frozen=True)
class Trained:
    first: str
    second: str
    until: dt.datetime


class _Sink:
    def write(self, *args, **kwargs) -> None:
        pass

    def flush(self) -> None:
        pass


@pytest.fixture(scope="package")
def trained(django_db_setup, django_db_blocker, tmp_path_factory):
    folder = tmp_path_factory.mktemp("engine")
    paths = override_settings(MEDIA_ROOT=folder / "media", DATA_DIR=folder)
    paths.enable()
    with django_db_blocker.unblock():
        serving.reset()
        call_command(
            "simulate",
            "--seed=7",
            "--viewers=2500",
            f"--days={DAYS}",
            f"--until={UNTIL.isoformat()}",
            stdout=_Sink(),
            stderr=_Sink(),
        )
        first = train(UNTIL, DAYS).model.version
        second = train(UNTIL, DAYS).model.version
    yield Trained(first, second, UNTIL)

    with django_db_blocker.unblock():
        ModelVersion.history.model.objects.all().delete()
        ModelVersion.objects.all().delete()
        purge_simulated_platform()
        serving.reset()
    paths.disable()


@pytest.fixture(autouse=True)
def fresh_runtime():
    # Markers left in the process cache by another test must not name a version.
    cache.clear()
    serving.reset()
    yield
    cache.clear()
    serving.reset()


@pytest.fixture
def counted():
    """Counts the cache round trips markers make."""
    real = cache.get_many
    calls = []

    def get_many(keys, *args, **kwargs):
        calls.append(list(keys))
        return real(keys, *args, **kwargs)

    with mock.patch.object(cache, "get_many", side_effect=get_many):
        yield calls
