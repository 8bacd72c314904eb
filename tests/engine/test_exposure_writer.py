"""Exposures and serving latency written by a web worker's background thread, with
a real database."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from types import SimpleNamespace

import pytest

from recengine.models import Event, EventKind, ServingLatency
from recengine.serving import recorder as recorder_module
from recengine.serving.event_rows import new_event
from recengine.serving.latency import LatencyLog
from recengine.serving.recorder import ExposureRecorder
from tests.conftest import PLATFORM_NOW

pytestmark = pytest.mark.django_db(transaction=True)


def exposures(viewer_id: int, room_id: int, request: str, count: int) -> list[Event]:
    return [
        new_event(
            event_id=f"exp-{request}-{position}",
            kind=EventKind.IMPRESSION,
            occurred_at=PLATFORM_NOW,
            viewer_id=viewer_id,
            room_id=room_id,
            position=position,
            request_id=request,
        )
        for position in range(1, count + 1)
    ]


def written() -> int:
    return Event.objects.filter(request_id__in=["a", "b", "c", "d"]).count()


def wait_for_rows(expected: int, timeout: float = 5.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and written() < expected:
        time.sleep(0.02)
    return written()


def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not condition():
        time.sleep(0.02)
    return condition()


def latency_minutes() -> list[tuple[dt.datetime, int]]:
    return list(
        ServingLatency.objects.order_by("minute").values_list("minute", "count")
    )


@pytest.fixture
def target(platform):
    return platform.viewers[0].pk, platform.rooms[0].pk


@pytest.fixture
def writers():
    """Recorders made by a test; their threads end with it, connections closed."""
    made: list[ExposureRecorder] = []

    def make(**options) -> ExposureRecorder:
        made.append(ExposureRecorder(**options))
        return made[-1]

    yield make
    for writer in made:
        writer.stop()


def test_the_thread_writes_everything_pending_within_the_window(
    settings, target, writers
):
    settings.EXPOSURE_FLUSH_MS = 100
    writer = writers(background=True)
    viewer_id, room_id = target

    writer.add(exposures(viewer_id, room_id, "a", 3))
    writer.add(exposures(viewer_id, room_id, "b", 2))

    assert wait_for_rows(5) == 5
    assert writer.pending == 0


def test_a_response_returns_while_the_database_write_is_still_blocked(
    settings, target, monkeypatch, writers
):
    settings.EXPOSURE_FLUSH_MS = 10
    real_append = recorder_module.append_events
    started, release = threading.Event(), threading.Event()

    def slow_append(batch):
        started.set()
        release.wait(10)
        return real_append(batch)

    monkeypatch.setattr(recorder_module, "append_events", slow_append)
    writer = writers(background=True)
    viewer_id, room_id = target

    writer.add(exposures(viewer_id, room_id, "a", 2))
    assert started.wait(5)
    writer.add(exposures(viewer_id, room_id, "b", 1))
    assert written() == 0

    release.set()
    assert wait_for_rows(3) == 3


def test_stopping_writes_what_is_pending(settings, target, writers):
    settings.EXPOSURE_FLUSH_MS = 60_000
    writer = writers(background=True)
    viewer_id, room_id = target

    writer.add(exposures(viewer_id, room_id, "e", 2))
    writer.stop()

    assert writer.pending == 0
    assert Event.objects.filter(request_id="e").count() == 2


def test_a_batch_the_database_refuses_is_kept_and_written_later(
    settings, target, monkeypatch, writers
):
    settings.EXPOSURE_FLUSH_MS = 50
    real_append = recorder_module.append_events
    failures = iter([True])

    def flaky_append(batch):
        if next(failures, False):
            raise RuntimeError("database unavailable")
        return real_append(batch)

    monkeypatch.setattr(recorder_module, "append_events", flaky_append)
    writer = writers(background=True)
    viewer_id, room_id = target

    writer.add(exposures(viewer_id, room_id, "c", 4))

    assert wait_for_rows(4) == 4
    # Retried rows keep their event ids: nothing is written twice.
    writer.add(exposures(viewer_id, room_id, "c", 4))
    writer.flush()
    assert written() == 4


def test_without_background_each_response_is_written_before_returning(target, writers):
    writer = writers()
    viewer_id, room_id = target

    writer.add(exposures(viewer_id, room_id, "d", 2))

    assert writer.pending == 0
    assert written() == 2


# -- serving latency -----------------------------------------------------------

NOW = PLATFORM_NOW.astimezone(dt.UTC).replace(second=30)
MINUTE = NOW.replace(second=0)


@pytest.fixture
def frozen_clock(monkeypatch):
    """The writer's clock stands at ``NOW``: which minute is over is certain."""
    monkeypatch.setattr(recorder_module, "timezone", SimpleNamespace(now=lambda: NOW))


def test_the_thread_writes_finished_latency_minutes_and_keeps_the_current_one(
    settings, frozen_clock, writers
):
    settings.EXPOSURE_FLUSH_MS = 20
    log = LatencyLog()
    writer = writers(background=True, latency=log)

    # No exposure at all: the answers alone get the writer going.
    log.add("live_feed", "popularity", 5.0, NOW - dt.timedelta(minutes=2))
    log.add("live_feed", "popularity", 6.0, NOW)

    assert wait_until(lambda: latency_minutes() != [])
    assert latency_minutes() == [(MINUTE - dt.timedelta(minutes=2), 1)]
    assert log.pending == 1

    writer.stop()
    assert latency_minutes()[-1] == (MINUTE, 1)
    assert log.pending == 0


def test_a_latency_write_the_database_refuses_is_retried(
    settings, frozen_clock, monkeypatch, writers
):
    settings.EXPOSURE_FLUSH_MS = 20
    real_create = ServingLatency.objects.bulk_create
    failures = iter([True])

    def flaky_create(rows, **kwargs):
        if next(failures, False):
            raise RuntimeError("database unavailable")
        return real_create(rows, **kwargs)

    monkeypatch.setattr(ServingLatency.objects, "bulk_create", flaky_create)
    log = LatencyLog()
    writers(background=True, latency=log)

    log.add("product_feed", "personalised", 15.0, NOW - dt.timedelta(minutes=1))
    log.add("product_feed", "personalised", 25.0, NOW - dt.timedelta(minutes=1))

    assert wait_until(lambda: latency_minutes() != [])
    assert latency_minutes() == [(MINUTE - dt.timedelta(minutes=1), 2)]


def test_without_background_latency_is_written_with_the_exposures(target, writers):
    log = LatencyLog()
    writer = writers(latency=log)
    viewer_id, room_id = target

    log.add("live_feed", "personalised", 4.0, NOW)
    writer.add(exposures(viewer_id, room_id, "d", 1))

    assert log.pending == 0
    assert latency_minutes() == [(MINUTE, 1)]


def test_a_replay_leaves_serving_latency_alone():
    assert ExposureRecorder(batch_rows=500).latency is None
