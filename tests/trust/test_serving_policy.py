"""Serving obeys the published policy: the recommendation API and the provider."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.core.cache import cache
from django.utils import timezone

from recengine.governance import publishing
from recengine.governance.provider import PolicyProvider
from recengine.models import ApiScope, BroadcastSession
from recengine.trust.services import (
    NewEntry,
    add_blacklist_entry,
    import_credit,
    set_restriction,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a change's on-commit announcement, as a real commit would."""

    def run(action, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(**kwargs)

    return run


@pytest.fixture
def recommendations(key_for, platform):
    # Every room broadcasts now, so the live feed holds all three.
    BroadcastSession.objects.create(
        external_id="s-now-2",
        room=platform.rooms[1],
        started_at=timezone.now() - dt.timedelta(minutes=5),
    )
    client = key_for(ApiScope.RECOMMENDATIONS_READ)

    def get(scene: str) -> dict:
        response = client.get(
            "/api/v1/recommendations/", {"viewer": "u-1", "scene": scene, "size": 10}
        )
        assert response.status_code == 200, response.content
        return response.json()

    return get


def _ids(body: dict) -> set[str]:
    return {item["id"] for item in body["items"]}


def test_a_blacklisted_anchor_disappears_from_the_live_feed(
    recommendations, platform, trust_safety_user, committed
):
    assert _ids(recommendations("live_feed")) == {"r-1", "r-2", "r-3"}

    committed(
        add_blacklist_entry,
        actor=trust_safety_user,
        new=NewEntry(kind="anchor", target=platform.anchors[0], reason="fraud"),
    )

    body = recommendations("live_feed")
    assert _ids(body) == {"r-2"}
    assert body["policy_version"] == 1


def test_restricted_and_keyword_blocked_products_leave_the_product_feed(
    recommendations, platform, trust_safety_user, committed
):
    assert _ids(recommendations("product_feed")) == {"p-1", "p-2", "p-3"}

    committed(
        set_restriction,
        actor=trust_safety_user,
        merchant=platform.merchants[0],
        restricted=True,
        reason="counterfeit",
    )
    committed(
        add_blacklist_entry,
        actor=trust_safety_user,
        new=NewEntry(kind="keyword", pattern="牛肉干", reason="recall"),
    )

    body = recommendations("product_feed")
    assert _ids(body) == {"p-2"}
    assert body["policy_version"] == 2


def test_a_merchant_below_the_credit_floor_is_not_recommended(
    recommendations, platform, trust_safety_user, committed
):
    committed(
        import_credit,
        actor=trust_safety_user,
        rows=[{"merchant": "m-2", "score": "12"}],
        source="market regulator",
    )

    assert _ids(recommendations("product_feed")) == {"p-1"}
    assert _ids(recommendations("live_feed")) == {"r-1", "r-3"}


# -- the provider -------------------------------------------------------------


def test_the_provider_follows_the_marker_and_the_database(platform, trust_safety_user):
    provider = PolicyProvider(use_cache=True)
    cache.delete(publishing.POLICY_VERSION_KEY)
    assert provider().version == 0

    add_blacklist_entry(
        actor=trust_safety_user,
        new=NewEntry(kind="product", target=platform.products[0], reason="fake"),
    )
    # The test transaction never commits, so announce as the commit would.
    publishing.announce(1)

    snapshot = provider()
    assert snapshot.version == 1
    assert snapshot.blocked_products == {platform.products[0].pk}
    assert provider() is snapshot  # unchanged version: no rebuild


def test_an_unreadable_marker_falls_back_to_the_database(platform, trust_safety_user):
    provider = PolicyProvider(use_cache=True)
    add_blacklist_entry(
        actor=trust_safety_user,
        new=NewEntry(kind="live_room", target=platform.rooms[0], reason="fake"),
    )

    with mock.patch.object(cache, "get", side_effect=ConnectionError("redis down")):
        snapshot = provider()

    assert snapshot.version == 1
    assert snapshot.blocked_rooms == {platform.rooms[0].pk}


def test_no_confirmed_version_means_no_answer(platform):
    provider = PolicyProvider(use_cache=False)
    with (
        mock.patch.object(
            publishing, "current_version", side_effect=RuntimeError("database down")
        ),
        pytest.raises(RuntimeError),
    ):
        provider()


def test_the_snapshot_is_rebuilt_when_an_entry_expires(platform, trust_safety_user):
    now = timezone.now()
    add_blacklist_entry(
        actor=trust_safety_user,
        new=NewEntry(
            kind="anchor",
            target=platform.anchors[1],
            reason="cooling-off period",
            expires_at=now + dt.timedelta(minutes=30),
        ),
    )
    wall = [now.timestamp()]
    provider = PolicyProvider(use_cache=False, wall_clock=lambda: wall[0])
    first = provider()
    assert first.blocked_anchors == {platform.anchors[1].pk}

    wall[0] += 31 * 60
    with mock.patch("recengine.trust.policy_source.timezone.now") as clock:
        clock.return_value = now + dt.timedelta(minutes=31)
        second = provider()

    assert second is not first
    assert second.blocked_anchors == frozenset()
