"""A web worker keeps markers between requests until a change notice arrives."""

from __future__ import annotations

import time
from unittest import mock

import pytest
from django.conf import settings
from django.core.cache import cache

from recengine import markers


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Notices:
    """Stands in for the Redis subscription: notices are queued by the test."""

    def __init__(self) -> None:
        self.pending = 0
        self.broken = False
        self.closed = False

    def poll(self) -> bool:
        if self.broken:
            raise ConnectionError("subscription dropped")
        arrived, self.pending = self.pending > 0, 0
        return arrived

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def mirror(monkeypatch):
    """A mirror turned on, as in a web worker, with a test-driven subscription."""
    clock = Clock()
    subscriptions: list[Notices] = []

    def subscribe():
        subscriptions.append(Notices())
        return subscriptions[-1]

    mirror = markers.MarkerMirror(subscribe=subscribe, clock=clock)
    mirror.enabled = True
    mirror.clock_ = clock
    mirror.subscriptions = subscriptions
    monkeypatch.setattr(markers, "MIRROR", mirror)
    return mirror


def _request(key: str):
    with markers.request_scope():
        return markers.read(key)


def test_requests_without_notices_read_no_marker_from_the_cache(mirror, counted):
    key = markers.register("test:mirror-quiet")
    cache.set(key, "v1")

    assert [_request(key) for _ in range(5)] == ["v1"] * 5
    assert len(counted) == 1


def test_a_notice_makes_the_next_request_read_again(mirror, counted):
    key = markers.register("test:mirror-notice")
    cache.set(key, "v1")
    assert _request(key) == "v1"

    cache.set(key, "v2")  # written elsewhere: the notice has not arrived yet
    assert _request(key) == "v1"
    mirror.subscriptions[-1].pending = 1
    assert _request(key) == "v2"
    assert len(counted) == 2


def test_a_write_in_this_process_is_read_back_by_the_next_request(mirror, counted):
    key = markers.register("test:mirror-own")
    cache.set(key, "v1")
    assert _request(key) == "v1"

    with markers.request_scope():
        markers.write(key, "v2")
        assert markers.read(key) == "v2"
    assert _request(key) == "v2"


def test_held_values_are_read_again_after_the_mirror_period(mirror, counted):
    key = markers.register("test:mirror-age")
    cache.set(key, "v1")
    _request(key)
    cache.set(key, "v2")  # expired or changed without a notice

    mirror.clock_.now += markers.MIRROR_SECONDS - 0.01
    assert _request(key) == "v1"
    mirror.clock_.now += 0.02
    assert _request(key) == "v2"


def test_a_dropped_subscription_reads_every_request_until_it_is_back(mirror, counted):
    key = markers.register("test:mirror-drop")
    cache.set(key, "v1")
    _request(key)
    mirror.subscriptions[-1].broken = True

    before = len(counted)
    assert [_request(key) for _ in range(3)] == ["v1"] * 3
    assert len(counted) - before == 3  # no mirror: one round trip per request
    assert mirror.subscriptions[0].closed

    mirror.clock_.now += markers.RESUBSCRIBE_SECONDS
    _request(key)
    _request(key)
    assert len(mirror.subscriptions) == 2
    assert len(counted) - before == 4  # subscribed again: read once, then held


def test_a_mirror_that_is_off_reads_every_request(mirror, counted):
    mirror.enabled = False
    key = markers.register("test:mirror-off")
    cache.set(key, "v1")
    _request(key)
    _request(key)
    assert len(counted) == 2
    assert mirror.subscriptions == []


def test_an_unreachable_cache_is_never_held(mirror):
    key = markers.register("test:mirror-down")
    down = mock.patch.object(cache, "get_many", side_effect=ConnectionError("down"))
    with down:
        assert _request(key) is None
    cache.set(key, "v1")
    assert _request(key) == "v1"


def test_notices_travel_through_the_configured_cache(monkeypatch, counted):
    """Two workers' mirrors over the real cache: one sees the other's write."""
    key = markers.register("test:mirror-real")
    cache.set(key, "v1")
    # A stopped clock: only a notice, never the mirror's age, makes it read again.
    worker = markers.MarkerMirror(clock=lambda: 0.0)
    worker.enabled = True
    keys = [key]

    if not settings.REDIS:
        # A per-process cache has no notices to offer: the mirror stays out of it.
        assert markers._subscribe() is None
        assert worker.values(keys) is None
        return

    try:
        assert worker.values(keys) == {key: "v1"}
        assert worker.values(keys) == {key: "v1"}
        assert len(counted) == 1

        markers.write(key, "v2")  # as another process would: set, then publish
        deadline = time.monotonic() + 2.0
        while worker.values(keys) != {key: "v2"} and time.monotonic() < deadline:
            time.sleep(0.001)  # Redis writes the notice and the reply in one pass
        assert worker.values(keys) == {key: "v2"}
        assert len(counted) == 2
    finally:
        worker._drop(0.0)
