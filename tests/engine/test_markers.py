"""Markers are read once per request; rows cached in process follow their marker."""

from __future__ import annotations

from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from recengine import markers
from recengine.api import auth
from recengine.api import recommendations as endpoint
from recengine.markers import MarkedCache
from recengine.models import ApiKey, ApiScope, Viewer
from recengine.pseudonym import pseudonym_for
from recengine.serving import viewers
from tests.intake.conftest import make_key


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_request_reads_every_marker_in_one_round_trip(counted):
    first = markers.register("test:first")
    second = markers.register("test:second")
    cache.set(first, 1)
    cache.set(second, 2)

    with markers.request_scope():
        values = [markers.read(first), markers.read(second), markers.read(first)]

    assert values == [1, 2, 1]
    assert len(counted) == 1
    assert {first, second} <= set(counted[0])


def test_outside_a_request_every_read_goes_to_the_cache(counted):
    key = markers.register("test:direct")
    cache.set(key, "a")
    assert markers.read(key) == "a"
    cache.set(key, "b")
    assert markers.read(key) == "b"
    assert len(counted) == 2


def test_a_marker_written_in_the_request_is_read_back_fresh(counted):
    key = markers.register("test:written")
    cache.set(key, 1)
    with markers.request_scope():
        assert markers.read(key) == 1
        markers.write(key, 2)
        assert markers.read(key) == 2
    assert len(counted) == 2


def test_an_unreachable_cache_reads_as_no_marker():
    key = markers.register("test:down")
    down = mock.patch.object(cache, "get_many", side_effect=ConnectionError("down"))
    with down, markers.request_scope():
        assert markers.read(key) is None


def test_marked_cache_keeps_rows_until_the_marker_changes(db):
    clock = Clock()
    rows = MarkedCache("test:rows", seconds=60, shared=True, clock=clock)
    loads = []

    def load(value):
        def run():
            loads.append(value)
            return value

        return run

    assert rows.get("k", load("first")) == "first"
    assert rows.get("k", load("second")) == "first"
    markers.bump(rows.marker)  # another process committed a change
    assert rows.get("k", load("third")) == "third"
    clock.now = 61.0  # entries expire even when a marker write was lost
    assert rows.get("k", load("fourth")) == "fourth"
    assert loads == ["first", "third", "fourth"]


def test_marked_cache_never_keeps_a_missing_row(db):
    rows = MarkedCache("test:missing", shared=True)
    assert rows.get("k", lambda: None) is None
    assert rows.get("k", lambda: "created") == "created"


def test_without_a_shared_cache_every_lookup_reads_the_database(db):
    rows = MarkedCache("test:local", shared=False)
    assert rows.get("k", lambda: 1) == 1
    assert rows.get("k", lambda: 2) == 2


def test_a_change_reaches_other_processes_after_commit(
    db, django_capture_on_commit_callbacks
):
    rows = MarkedCache("test:commit", shared=True)
    rows.get("k", lambda: "old")
    before = markers.read(rows.marker)
    with django_capture_on_commit_callbacks(execute=True):
        rows.changed()
    assert markers.read(rows.marker) != before


@pytest.fixture
def shared_rows(monkeypatch):
    """The in-process caches of keys and viewers on, as with Redis."""
    monkeypatch.setattr(auth.KEYS, "_shared", True)
    monkeypatch.setattr(viewers.DIRECTORY, "_shared", True)
    auth.KEYS._entries.clear()
    viewers.DIRECTORY.forget()


def _client(owner) -> APIClient:
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=make_key(owner, [ApiScope.RECOMMENDATIONS_READ])
    )
    return client


def test_a_revoked_key_is_refused_by_the_next_request(db, shared_rows):
    owner = get_user_model().objects.create_user("owner", password="x-Strong-pw-1")
    client = _client(owner)
    query = {"viewer": "someone", "scene": "live_feed", "size": 3}
    assert client.get("/api/v1/recommendations/", query).status_code == 200
    assert auth.KEYS._entries  # the key's row is now served from memory

    key = ApiKey.objects.get()
    key.revoked_at = timezone.now()
    key.save()

    assert client.get("/api/v1/recommendations/", query).status_code == 401


def test_a_switch_turned_off_is_obeyed_by_the_next_request(
    db, shared_rows, monkeypatch
):
    owner = get_user_model().objects.create_user("owner", password="x-Strong-pw-1")
    viewer = Viewer.objects.create(
        pseudonym=pseudonym_for("v-1"), created_at=timezone.now()
    )
    seen = []
    real = endpoint.recommend

    def recording(**kwargs):
        seen.append((kwargs["viewer_id"], kwargs["personalization"]))
        return real(**kwargs)

    monkeypatch.setattr(endpoint, "recommend", recording)
    client = _client(owner)
    query = {"viewer": "v-1", "scene": "live_feed", "size": 3}
    client.get("/api/v1/recommendations/", query)
    client.get("/api/v1/recommendations/", query)
    viewer.personalization_enabled = False
    viewer.save()
    client.get("/api/v1/recommendations/", query)

    assert seen == [(viewer.pk, True), (viewer.pk, True), (viewer.pk, False)]
