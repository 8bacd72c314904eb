"""The data layer: weighted interactions, labelled exposures and the catalogue."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from types import SimpleNamespace

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from recengine.features import datasets
from recengine.models import (
    Anchor,
    BroadcastSession,
    Category,
    Event,
    EventKind,
    LiveRoom,
    Merchant,
    Product,
    Scene,
    Viewer,
    ViewerIdentity,
)

T0 = dt.datetime(2025, 6, 1, 10, 0, tzinfo=dt.UTC)
START, END = T0 - dt.timedelta(hours=1), T0 + dt.timedelta(days=1)
CREATED = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


def _at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


@pytest.fixture
def shop(db) -> SimpleNamespace:
    """Two viewers, two rooms and two products with a hand-countable event log."""
    beauty, _ = Category.objects.get_or_create(
        code="beauty", defaults={"name_zh": "美妆", "name_en": "Beauty"}
    )
    merchant = Merchant.objects.create(external_id="m", name="店", created_at=CREATED)
    anchor = Anchor.objects.create(external_id="a", name="主播", created_at=CREATED)
    products = [
        Product.objects.create(
            external_id=f"p{i}",
            merchant=merchant,
            category=beauty,
            title=f"面霜{i}",
            price=Decimal("99.00"),
            created_at=CREATED,
        )
        for i in (1, 2)
    ]
    rooms = [
        LiveRoom.objects.create(
            external_id=f"r{i}",
            anchor=anchor,
            category=beauty,
            title=f"直播间{i}",
            created_at=CREATED,
        )
        for i in (1, 2)
    ]
    rooms[0].products.add(products[0])
    viewers = [
        Viewer.objects.create(
            pseudonym=c * 64, region="east", spending_level="low", created_at=CREATED
        )
        for c in "ab"
    ]
    ViewerIdentity.objects.create(viewer=viewers[0], phone="13912345678")
    _log(viewers, rooms, products)
    return SimpleNamespace(viewers=viewers, rooms=rooms, products=products)


def _log(viewers, rooms, products) -> None:
    a, b = viewers
    live = {"scene": Scene.LIVE_FEED}
    plan = [
        (EventKind.IMPRESSION, 0, a, rooms[0], None, {**live, "position": 1}),
        (EventKind.IMPRESSION, 5, a, rooms[1], None, {**live, "position": 2}),
        (EventKind.CLICK, 10, a, rooms[0], None, {}),
        (EventKind.LIKE, 60, a, rooms[0], None, {}),
        (EventKind.DWELL, 130, a, rooms[0], None, {"dwell_seconds": 120.0}),
        (EventKind.ORDER, 300, a, rooms[0], products[0], {"amount": Decimal("99")}),
        (EventKind.CLICK, -2 * 86_400, a, rooms[0], None, {}),
        (EventKind.IMPRESSION, 20, b, rooms[0], None, {**live, "position": 1}),
        (EventKind.IMPRESSION, 100, b, rooms[0], None, {**live, "position": 1}),
        (EventKind.CLICK, 110, b, rooms[0], None, {}),
        (EventKind.NOT_INTERESTED, 120, b, rooms[1], None, {}),
        (EventKind.IMPRESSION, 0, b, None, products[1], {"scene": Scene.PRODUCT_FEED}),
        (EventKind.CLICK, 40 * 60, b, None, products[1], {}),
    ]
    Event.objects.bulk_create(
        Event(
            event_id=f"ds-{n}",
            kind=kind,
            occurred_at=_at(seconds),
            viewer=viewer,
            room=room,
            product=product,
            **extra,
        )
        for n, (kind, seconds, viewer, room, product, extra) in enumerate(plan)
    )


def test_room_interactions_sum_kind_weights_and_dwell(shop):
    interactions = datasets.interaction_matrix(START, END, item="room")
    a, b = (v.pk for v in shop.viewers)

    assert list(interactions.viewer_ids) == [a, b]
    assert list(interactions.item_ids) == [shop.rooms[0].pk]
    dense = interactions.matrix.toarray()
    # a: click 1 + like 2 + order 5 + log1p(2 minutes of dwell); b: one click.
    assert dense[0, 0] == pytest.approx(8 + math.log1p(2.0), rel=1e-6)
    assert dense[1, 0] == pytest.approx(1.0)
    assert interactions.matrix.dtype == np.float32


def test_product_interactions_and_custom_weights(shop):
    interactions = datasets.interaction_matrix(
        START, END, item="product", weights={EventKind.ORDER: 1.0}, dwell_weight=0.0
    )

    assert list(interactions.item_ids) == [shop.products[0].pk]
    assert interactions.matrix.toarray().tolist() == [[1.0]]


def test_the_window_is_half_open(shop):
    before = datasets.interaction_matrix(START - dt.timedelta(days=3), START)
    at_order = datasets.interaction_matrix(_at(300), _at(301), item="product")
    until_order = datasets.interaction_matrix(START, _at(300), item="product")

    assert before.matrix.toarray().tolist() == [[1.0]]
    assert at_order.matrix.toarray().tolist() == [[5.0]]
    assert until_order.matrix.nnz == 0
    with pytest.raises(ValueError, match="end after"):
        datasets.interaction_matrix(END, START)


def test_clicks_and_orders_label_the_last_exposure_before_them(shop):
    table = datasets.impression_table(START, END, item="room")
    a, b = (v.pk for v in shop.viewers)
    rows = {
        (row.viewer, row.item, row.timestamp): (row.click, row.order)
        for row in table.itertuples()
    }
    second = T0.timestamp()

    assert len(table) == 4
    assert rows[(a, shop.rooms[0].pk, second)] == (1, 1)
    assert rows[(a, shop.rooms[1].pk, second + 5)] == (0, 0)
    assert rows[(b, shop.rooms[0].pk, second + 20)] == (0, 0)
    assert rows[(b, shop.rooms[0].pk, second + 100)] == (1, 0)
    assert set(table["position"]) == {1, 2}


def test_a_click_after_the_attribution_window_is_no_click(shop):
    strict = datasets.impression_table(START, END, item="product")
    lenient = datasets.impression_table(
        START, END, item="product", click_window=dt.timedelta(hours=1)
    )

    assert strict["click"].tolist() == [0]
    assert lenient["click"].tolist() == [1]


def test_readers_select_declared_columns_only(shop):
    with CaptureQueriesContext(connection) as queries:
        datasets.interaction_matrix(START, END)
        datasets.impression_table(START, END)
        datasets.load_catalogue(END)

    statements = " ".join(query["sql"].lower() for query in queries.captured_queries)
    assert ViewerIdentity._meta.db_table not in statements
    assert "pseudonym" not in statements
    assert "phone" not in statements


def test_catalogue_collects_broadcasts_and_danmaku_of_the_window(shop):
    room = shop.rooms[0]
    BroadcastSession.objects.create(
        external_id="s1",
        room=room,
        started_at=T0,
        ended_at=T0 + dt.timedelta(hours=2),
        transcript="这款面霜的成分是烟酰胺。",
        audio_stats={"speech_rate_cpm": 210.0, "pause_ratio": 0.2},
    )
    Event.objects.create(
        event_id="ds-comment",
        kind=EventKind.COMMENT,
        occurred_at=_at(600),
        viewer=shop.viewers[1],
        room=room,
        text="敏感肌能用吗",
    )

    catalogue = datasets.load_catalogue(END, lookback=dt.timedelta(days=1))

    rooms = catalogue.rooms
    first = list(rooms.ids).index(room.pk)
    assert rooms.transcripts[first] == ["这款面霜的成分是烟酰胺。"]
    assert rooms.audio[first][0]["pause_ratio"] == 0.2
    assert rooms.minutes_on_air[first] == pytest.approx(120.0)
    assert rooms.danmaku[first] == ["敏感肌能用吗"]
    assert rooms.visits[first] == 2
    assert list(rooms.products[first]) == [shop.products[0].pk]
    assert rooms.start_hours[first][0] == pytest.approx(18.0)  # 10:00 UTC in Shanghai
    assert catalogue.products.prices.tolist() == [99.0, 99.0]
