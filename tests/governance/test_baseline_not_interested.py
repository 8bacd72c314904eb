"""The popularity baseline obeys "not interested" too (clause 6.3.3).

It serves a platform before any model is active, and the simulator's replays, so a
viewer's rejection must hold there as well as in the learned engine.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from recengine import serving
from recengine.models import Event, EventKind, Scene
from recengine.serving.baseline import PopularityBaseline
from recengine.serving.event_rows import new_event

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_memory():
    serving.reset()
    yield
    serving.reset()


def rejection(number: int, viewer, *, at: dt.datetime, room=None, product=None):
    return new_event(
        event_id=f"ni-{number}",
        kind=EventKind.NOT_INTERESTED,
        occurred_at=at,
        viewer_id=viewer.pk,
        room_id=room.pk if room else None,
        product_id=product.pk if product else None,
    )


def served_rooms(viewer, now, *, personalization=True) -> list[str]:
    result = serving.recommend(
        viewer_id=viewer.pk,
        scene=Scene.LIVE_FEED,
        size=10,
        now=now,
        record=False,
        personalization=personalization,
    )
    return [item.id for item in result.items]


def test_a_rejected_room_leaves_that_viewers_next_response_only(platform):
    viewer, other = platform.viewers
    room = platform.rooms[0]
    assert room.external_id in served_rooms(viewer, platform.now)

    serving.log_events(
        [rejection(1, viewer, at=platform.now - dt.timedelta(minutes=1), room=room)]
    )

    assert room.external_id not in served_rooms(viewer, platform.now)
    assert room.external_id in served_rooms(other, platform.now)


def test_with_personalisation_off_nothing_personal_is_read(platform):
    viewer = platform.viewers[0]
    room = platform.rooms[0]
    serving.log_events(
        [rejection(2, viewer, at=platform.now - dt.timedelta(minutes=1), room=room)]
    )

    served = served_rooms(viewer, platform.now, personalization=False)

    assert room.external_id in served


def test_another_process_reads_the_rejection_from_the_log(platform):
    viewer = platform.viewers[0]
    product = platform.products[0]
    now = timezone.now()
    Event.objects.bulk_create(
        [rejection(3, viewer, at=now - dt.timedelta(hours=1), product=product)]
    )
    elsewhere = PopularityBaseline()

    def served() -> list[str]:
        ranked = elsewhere.rank(
            scene=Scene.PRODUCT_FEED,
            size=10,
            now=now,
            request_id="r",
            viewer_id=viewer.pk,
        )
        return [entry.item.id for entry in ranked]

    assert product.external_id not in served()
    # Past the suppression period the product comes back.
    later = PopularityBaseline()
    ranked = later.rank(
        scene=Scene.PRODUCT_FEED,
        size=10,
        now=now + dt.timedelta(days=31),
        request_id="r",
        viewer_id=viewer.pk,
    )
    assert product.external_id in [entry.item.id for entry in ranked]
