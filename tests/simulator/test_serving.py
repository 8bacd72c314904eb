"""The popularity baseline that both the API and the simulator serve through."""

from __future__ import annotations

import datetime as dt

import pytest

from recengine import serving
from recengine.models import Event, EventKind, LiveRoom, Product, Scene, Viewer
from recengine.pseudonym import pseudonym_for
from recengine.services.catalogue import upsert_catalogue
from recengine.serving.event_rows import new_event

NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


@pytest.fixture
def shop(db):
    """Four rooms: two live at NOW, one that ended, one that starts later."""
    upsert_catalogue(
        "viewers", [{"user_id": "v1", "region": "east", "spending_level": "low"}]
    )
    upsert_catalogue("merchants", [{"external_id": "m1", "name": "店铺"}])
    upsert_catalogue(
        "anchors",
        [
            {"external_id": "a1", "name": "主播一"},
            {"external_id": "a2", "name": "数字人", "is_digital_human": True},
        ],
    )
    upsert_catalogue(
        "products",
        [
            {
                "external_id": f"p{n}",
                "merchant": "m1",
                "category": "food",
                "title": f"商品{n}",
                "price": "9.90",
            }
            for n in range(1, 4)
        ],
    )
    rooms = [("live-1", "a1"), ("live-2", "a2"), ("ended", "a1"), ("later", "a1")]
    upsert_catalogue(
        "rooms",
        [
            {"external_id": key, "anchor": anchor, "title": key, "merchant": "m1"}
            for key, anchor in rooms
        ],
    )
    upsert_catalogue(
        "sessions",
        [
            {"external_id": "s1", "room": "live-1", "started_at": NOW - HOUR},
            {"external_id": "s2", "room": "live-2", "started_at": NOW - 2 * HOUR},
            {
                "external_id": "s3",
                "room": "ended",
                "started_at": NOW - 3 * HOUR,
                "ended_at": NOW - HOUR,
            },
            {"external_id": "s4", "room": "later", "started_at": NOW + HOUR},
        ],
    )
    return Viewer.objects.get(pseudonym=pseudonym_for("v1"))


def engagement(viewer: Viewer, kind: EventKind, number: int, **keys) -> Event:
    return new_event(
        event_id=f"e{kind}-{number}-{sorted(keys.items())}",
        kind=kind,
        occurred_at=NOW - dt.timedelta(minutes=number + 1),
        viewer_id=viewer.pk,
        **keys,
    )


def test_live_feed_serves_only_rooms_live_at_request_time(shop):
    result = serving.recommend(
        viewer_id=shop.pk, scene=Scene.LIVE_FEED, size=10, now=NOW, record=False
    )

    assert {item.id for item in result.items} == {"live-1", "live-2"}
    assert all(item.kind == "live_room" for item in result.items)


def test_a_room_that_went_live_later_is_served_then(shop):
    later = serving.recommend(
        viewer_id=None, scene=Scene.LIVE_FEED, size=10, now=NOW + 2 * HOUR
    )

    assert "later" in {item.id for item in later.items}


def test_exposures_are_logged_with_position_and_versions(shop):
    result = serving.recommend(
        viewer_id=shop.pk, scene=Scene.PRODUCT_FEED, size=3, now=NOW
    )

    exposures = Event.objects.filter(kind=EventKind.IMPRESSION).order_by("position")
    assert [e.product.external_id for e in exposures] == [i.id for i in result.items]
    assert [e.position for e in exposures] == [1, 2, 3]
    for exposure in exposures:
        assert exposure.scene == Scene.PRODUCT_FEED
        assert exposure.strategy == result.strategy == "popularity"
        assert exposure.model_version == result.model_version
        assert exposure.policy_version == result.policy_version == 0
        assert exposure.request_id == result.request_id
        assert exposure.occurred_at == NOW


def test_live_exposures_name_the_room_and_its_anchor(shop):
    serving.recommend(viewer_id=shop.pk, scene=Scene.LIVE_FEED, size=2, now=NOW)

    rows = Event.objects.filter(kind=EventKind.IMPRESSION)
    assert {(e.room.external_id, e.anchor.external_id) for e in rows} == {
        ("live-1", "a1"),
        ("live-2", "a2"),
    }


def test_nothing_is_logged_without_a_viewer_or_when_asked_not_to(shop):
    serving.recommend(viewer_id=None, scene=Scene.LIVE_FEED, size=5, now=NOW)
    serving.recommend(
        viewer_id=shop.pk, scene=Scene.LIVE_FEED, size=5, now=NOW, record=False
    )

    assert not Event.objects.exists()


def test_recent_orders_lift_a_product_to_the_top(shop):
    before = serving.recommend(
        viewer_id=None, scene=Scene.PRODUCT_FEED, size=3, now=NOW
    )
    product = shop_product("p3")
    serving.log_events(
        [engagement(shop, EventKind.ORDER, n, product_id=product) for n in range(3)]
    )

    after = serving.recommend(viewer_id=None, scene=Scene.PRODUCT_FEED, size=3, now=NOW)

    assert before.items[0].id == "p1"  # no engagement yet: ties break by key
    assert after.items[0].id == "p3"
    assert after.items[0].score > after.items[1].score == 0.0


def test_engagement_is_read_back_from_the_log_after_a_restart(shop):
    room = shop_room("live-2")
    serving.log_events(
        [engagement(shop, EventKind.CLICK, n, room_id=room) for n in range(4)]
    )
    serving.reset()  # a new process: nothing in memory

    result = serving.recommend(viewer_id=None, scene=Scene.LIVE_FEED, size=2, now=NOW)

    assert result.items[0].id == "live-2"
    assert result.items[0].score > 3.0  # four clicks within the hour, barely decayed


def test_declared_digital_humans_carry_a_label(shop):
    result = serving.recommend(viewer_id=None, scene=Scene.LIVE_FEED, size=2, now=NOW)

    labels = {item.id: item.labels for item in result.items}
    assert labels["live-2"] == ["aigc:digital_human"]
    assert labels["live-1"] == []


@pytest.mark.parametrize(
    ("scene", "size", "now"),
    [
        ("home_feed", 10, NOW),
        (Scene.LIVE_FEED, 0, NOW),
        (Scene.LIVE_FEED, 1000, NOW),
        (Scene.LIVE_FEED, 10, NOW.replace(tzinfo=None)),
    ],
)
def test_malformed_requests_are_refused(shop, scene, size, now):
    with pytest.raises(ValueError):
        serving.recommend(viewer_id=shop.pk, scene=scene, size=size, now=now)


def test_a_failed_replay_discards_its_unflushed_exposures(shop):
    engine = serving.PopularityBaseline(catalogue_ttl=None, engagement_ttl=None)

    with pytest.raises(RuntimeError), serving.dedicated(engine, exposure_batch=1000):
        serving.recommend(viewer_id=shop.pk, scene=Scene.LIVE_FEED, size=2, now=NOW)
        raise RuntimeError("replay failed")

    assert not Event.objects.exists()


def test_fast_rows_equal_model_construction():
    values = {
        "event_id": "x",
        "kind": EventKind.CLICK,
        "occurred_at": NOW,
        "viewer_id": 1,
        "room_id": 2,
        "scene": Scene.LIVE_FEED,
    }
    built, fast = Event(**values), new_event(**values)

    assert {k: v for k, v in built.__dict__.items() if k != "_state"} == {
        k: v for k, v in fast.__dict__.items() if k != "_state"
    }
    assert fast._state.adding and fast.pk is None
    with pytest.raises(TypeError):
        new_event(viewer=1)


def shop_product(key: str) -> int:
    return Product.objects.get(external_id=key).pk


def shop_room(key: str) -> int:
    return LiveRoom.objects.get(external_id=key).pk


@pytest.fixture
def busy_evening(shop):
    """Twelve more live rooms; room k has 12 - k clicks in the last hour."""
    keys = [f"busy-{k:02d}" for k in range(12)]
    upsert_catalogue(
        "rooms",
        [{"external_id": key, "anchor": "a1", "title": key} for key in keys],
    )
    upsert_catalogue(
        "sessions",
        [
            {"external_id": f"s-{key}", "room": key, "started_at": NOW - HOUR}
            for key in keys
        ],
    )
    clicks = [
        engagement(shop, EventKind.CLICK, n, room_id=shop_room(key))
        for k, key in enumerate(keys[:8])
        for n in range(12 - k)
    ]
    serving.log_events(clicks)
    return keys


def test_every_fifth_slot_explores_beyond_the_most_popular(busy_evening):
    result = serving.recommend(viewer_id=None, scene=Scene.LIVE_FEED, size=10, now=NOW)

    served = [item.id for item in result.items]
    popular = [served[p] for p in (0, 1, 2, 3, 5, 6, 7, 8)]
    assert popular == busy_evening[:8]
    assert {served[4], served[9]} <= set(busy_evening[8:]) | {"live-1", "live-2"}
    assert result.items[4].reason != result.items[0].reason


def test_a_broadcast_leaves_the_live_feed_the_second_it_ends(shop):
    upsert_catalogue(
        "rooms", [{"external_id": "brief", "anchor": "a1", "title": "brief"}]
    )
    ends = NOW + dt.timedelta(seconds=30)
    upsert_catalogue(
        "sessions",
        [
            {
                "external_id": "s-brief",
                "room": "brief",
                "started_at": NOW - HOUR,
                "ended_at": ends,
            }
        ],
    )

    def live_at(moment: dt.datetime) -> set[str]:
        result = serving.recommend(
            viewer_id=None, scene=Scene.LIVE_FEED, size=10, now=moment
        )
        return {item.id for item in result.items}

    assert "brief" in live_at(ends - dt.timedelta(seconds=1))
    assert "brief" not in live_at(ends)
    assert "brief" not in live_at(ends + dt.timedelta(seconds=5))
