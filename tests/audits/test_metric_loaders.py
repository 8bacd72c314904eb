"""Table 1 metrics from the event log, against values computed by hand.

The shared ``platform`` has, between yesterday and now, 9 exposures, 3 clicks and
3 orders worth 165.50 (viewer 1 is a high spender in the east, viewer 2 a low
spender in the south). ``served`` adds three served lists, dwells, interactions and
one "not interested", and a third merchant whose only product was never shown.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from types import SimpleNamespace

import pytest

from audits.metrics.loaders import (
    Period,
    category_sets,
    cold_start_cohort,
    content_exposures,
    event_totals,
    merchant_exposures,
    viewer_frame,
)
from audits.metrics.table1 import compute_table1
from recengine.models import (
    Anchor,
    Category,
    Event,
    EventKind,
    LiveRoom,
    Merchant,
    Product,
)


def _events(now: dt.datetime, plan: list[tuple]) -> None:
    Event.objects.bulk_create(
        Event(
            event_id=f"audit-{index:03d}",
            kind=kind,
            occurred_at=now - dt.timedelta(minutes=30),
            viewer=viewer,
            **fields,
        )
        for index, (kind, viewer, fields) in enumerate(plan)
    )


@pytest.fixture
def served(platform) -> SimpleNamespace:
    toys = Category.objects.create(code="toys", name_zh="玩具", name_en="Toys")
    idle = Merchant.objects.create(
        external_id="m-3",
        name="积木铺",
        created_at=platform.now - dt.timedelta(days=60),
    )
    unseen = Product.objects.create(
        external_id="p-4",
        merchant=idle,
        category=toys,
        title="拼装积木",
        price=Decimal("30.00"),
        created_at=idle.created_at,
    )
    high, low = platform.viewers
    rooms, products = platform.rooms, platform.products
    imp = EventKind.IMPRESSION
    _events(
        platform.now,
        [
            (imp, high, {"room": rooms[0], "request_id": "req-a"}),
            (imp, high, {"product": products[1], "request_id": "req-a"}),
            (imp, high, {"product": products[2], "request_id": "req-a"}),
            (imp, low, {"room": rooms[2], "request_id": "req-b"}),
            (imp, low, {"product": products[0], "request_id": "req-b"}),
            (imp, low, {"product": products[1], "request_id": "req-c"}),
            (EventKind.DWELL, high, {"room": rooms[0], "dwell_seconds": 45.0}),
            (EventKind.DWELL, low, {"room": rooms[2], "dwell_seconds": 10.0}),
            (EventKind.LIKE, high, {"room": rooms[0]}),
            (EventKind.COMMENT, low, {"room": rooms[2], "text": "好看"}),
            (EventKind.FOLLOW, low, {"room": rooms[2]}),
            (EventKind.NOT_INTERESTED, low, {"product": products[1]}),
        ],
    )
    period = Period(
        start=platform.now - dt.timedelta(days=2),
        end=platform.now + dt.timedelta(hours=1),
    )
    return SimpleNamespace(
        platform=platform, period=period, idle=idle, unseen=unseen, toys=toys
    )


def test_event_totals_by_hand(served):
    totals = event_totals(served.period)

    assert totals["exposures"] == 15
    assert (totals["clicks"], totals["orders"], totals["gmv"]) == (3, 3, 165.5)
    assert (totals["interactions"], totals["not_interested"]) == (3, 1)
    # Orders 3, a like, a follow and the 45-second dwell.
    assert totals["positives"] == 6
    assert totals["dwell_mean"] == pytest.approx(27.5)


def test_viewer_frame_by_hand(served):
    high, low = served.platform.viewers

    frame = viewer_frame(served.period)

    row = frame.loc[high.pk]
    assert (row.spending_level, row.region) == ("high", "east")
    assert (row.exposures, row.clicks, row.orders, row.net_positives) == (8, 1, 2, 4)
    assert (row.lists, row.diversity_sum) == (1, pytest.approx(2 / 3))
    row = frame.loc[low.pk]
    assert (row.exposures, row.clicks, row.orders, row.net_positives) == (7, 2, 1, 1)
    # req-b holds two beauty items; req-c has one item and no pair.
    assert (row.lists, row.diversity_sum) == (1, 0.0)


def test_merchant_and_content_exposures_keep_zeros(served):
    merchants = merchant_exposures(served.period)
    content = content_exposures(served.period)
    rooms, products = served.platform.rooms, served.platform.products

    first, second = served.platform.merchants
    assert merchants.to_dict() == {first.pk: 6, second.pk: 7, served.idle.pk: 0}
    assert content[("room", rooms[0].pk)] == 4
    assert content[("product", products[1].pk)] == 3
    assert content[("product", served.unseen.pk)] == 0
    assert (len(content), int(content.sum())) == (7, 15)


def test_category_sets(served):
    beauty, food = served.platform.categories

    exposed, eligible = category_sets(served.period)

    assert exposed == {beauty.pk, food.pk}
    assert eligible == {beauty.pk, food.pk, served.toys.pk}


def test_compute_table1_by_hand(served):
    rooms = served.platform.rooms
    quality_merchant = served.platform.merchants[0].pk
    quality_content = {("room", rooms[0].pk), ("product", served.unseen.pk)}

    results = compute_table1(
        served.period,
        quality_content=quality_content,
        quality_merchants={quality_merchant},
        violations=(19, 20),
        cost_per_exposure=0.5,
        n_boot=50,
        seed=3,
    )

    assert results["ux.dwell_seconds_mean"] == pytest.approx(27.5)
    assert results["ux.interaction_rate"] == pytest.approx(3 / 15)
    assert results["ux.negative_feedback_rate"] == pytest.approx(1 / 15)
    assert results["ux.intra_list_diversity"] == pytest.approx(1 / 3)
    assert results["ux.satisfaction_proxy"] == pytest.approx(5 / 15)
    assert results["business.ctr"] == pytest.approx(0.2)
    assert results["business.cvr"] == pytest.approx(1.0)
    assert results["business.gmv"] == pytest.approx(165.5)
    assert results["business.roi"] == pytest.approx(165.5 / 7.5)
    assert results["ecosystem.category_coverage"] == pytest.approx(2 / 3)
    assert results["ecosystem.violation_interception_rate"] == pytest.approx(0.95)
    merchants = results["ecosystem.quality_merchant_exposure_lift"]
    assert merchants["lift"] == pytest.approx((6 / 13) / (1 / 3))
    content = results["ecosystem.quality_content_exposure_lift"]
    assert content["lift"] == pytest.approx((4 / 15) / (2 / 7))


def test_compute_table1_fairness_by_hand(served):
    results = compute_table1(served.period, n_boot=50, seed=3)

    gini = results["fairness.traffic_gini"]
    # Merchants 6, 7 and 0 exposures; room 3 has no merchant.
    assert gini["gini"] == pytest.approx(14 / 39)
    assert gini["merchants"] == 3
    assert gini["top_1_percent_share"] == pytest.approx(7 / 13)
    assert gini["lorenz"]["traffic"] == pytest.approx([0, 0, 6 / 13, 1])
    ctr = results["fairness.group_ratio.ctr"]["spending_level"]
    assert ctr["values"] == pytest.approx({"high": 1 / 8, "low": 2 / 7})
    assert ctr["ratio"] == pytest.approx((1 / 8) / (2 / 7))
    assert ctr["flagged"] is True
    satisfaction = results["fairness.group_ratio.satisfaction"]["region"]
    assert satisfaction["values"] == pytest.approx({"east": 4 / 8, "south": 1 / 7})
    cvr = results["fairness.group_ratio.cvr"]["spending_level"]
    assert cvr["values"] == pytest.approx({"high": 2.0, "low": 0.5})
    diversity = results["fairness.group_ratio.diversity"]["spending_level"]
    assert diversity["values"] == pytest.approx({"high": 2 / 3, "low": 0.0})


def test_cold_start_cohort_counts_only_each_entitys_first_days(platform):
    start = platform.now - dt.timedelta(days=3)
    period = Period(start=start, end=platform.now)
    beauty = platform.categories[0]
    newcomer = Merchant.objects.create(
        external_id="m-new", name="新店", created_at=start + dt.timedelta(hours=1)
    )
    quiet = Merchant.objects.create(
        external_id="m-quiet", name="静店", created_at=start + dt.timedelta(days=1)
    )
    Merchant.objects.create(  # registered too late for a whole day inside the period
        external_id="m-late",
        name="晚店",
        created_at=platform.now - dt.timedelta(hours=2),
    )
    anchor = Anchor.objects.create(
        external_id="a-new", name="新主播", created_at=newcomer.created_at
    )
    room = LiveRoom.objects.create(
        external_id="r-new",
        anchor=anchor,
        merchant=newcomer,
        category=beauty,
        title="新人开播",
        created_at=newcomer.created_at,
    )
    first_sale = Product.objects.create(
        external_id="p-quiet",
        merchant=quiet,
        category=beauty,
        title="香皂",
        price=Decimal("9.90"),
        created_at=quiet.created_at,
    )
    viewer = platform.viewers[0]
    Event.objects.bulk_create(
        [
            Event(
                event_id=f"cold-{hours}",
                kind=EventKind.IMPRESSION,
                occurred_at=newcomer.created_at + dt.timedelta(hours=hours),
                viewer=viewer,
                room=room,
            )
            for hours in (2, 3, 30)
        ]
        + [
            Event(
                event_id="cold-order",
                kind=EventKind.ORDER,
                occurred_at=quiet.created_at + dt.timedelta(hours=5),
                viewer=viewer,
                product=first_sale,
                amount=Decimal("9.90"),
            )
        ]
    )

    merchants = cold_start_cohort(period, "merchant", within_days=1)
    anchors = cold_start_cohort(period, "anchor", within_days=1)

    assert merchants.to_dict("index") == {
        newcomer.pk: {"exposures": 2, "orders": 0},
        quiet.pk: {"exposures": 0, "orders": 1},
    }
    assert anchors.to_dict("index") == {anchor.pk: {"exposures": 2, "orders": 0}}


def test_period_must_be_aware_and_ordered(platform):
    with pytest.raises(ValueError, match="timezone-aware"):
        Period(start=dt.datetime(2026, 3, 1), end=dt.datetime(2026, 3, 2))  # noqa: DTZ001
    with pytest.raises(ValueError, match="before its end"):
        Period(start=platform.now, end=platform.now)


def test_a_period_without_events_yields_no_numbers_and_no_errors(served):
    quiet = Period(
        start=served.platform.now - dt.timedelta(days=400),
        end=served.platform.now - dt.timedelta(days=300),
    )

    results = compute_table1(quiet, n_boot=10)

    assert math.isnan(results["business.ctr"])
    assert math.isnan(results["ux.intra_list_diversity"])
    assert results["business.gmv"] == 0
    # No merchant had registered yet, so there is no traffic to distribute.
    assert results["fairness.traffic_gini"]["merchants"] == 0
    assert math.isnan(results["fairness.traffic_gini"]["gini"])
    assert results["fairness.group_ratio.ctr"]["region"]["values"] == {}


def test_merchants_without_any_exposure_count_as_equal_traffic(served):
    later = Period(
        start=served.platform.now + dt.timedelta(days=1),
        end=served.platform.now + dt.timedelta(days=2),
    )

    results = compute_table1(later, n_boot=10)

    gini = results["fairness.traffic_gini"]
    assert (gini["merchants"], gini["gini"]) == (3, 0.0)
    assert results["ecosystem.category_coverage"] == 0.0
    assert math.isnan(results["ecosystem.quality_merchant_exposure_lift"]["share"])
