"""Table 1 checks (clause 8.1) on small planted datasets.

Each dataset lives in its own period after the shared platform's events, so that
the figures below can be checked by hand.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from audits.checks import AuditContext
from audits.checks.evaluate import evaluate
from audits.metrics.loaders import Period
from recengine.models import AnchorPersona, EventKind, Merchant, Product
from tests.conftest import PLATFORM_NOW

pytestmark = pytest.mark.django_db

START = PLATFORM_NOW + dt.timedelta(hours=1)


@pytest.fixture
def later():
    """A fresh context per evaluation: a context computes Table 1 only once."""

    def fresh() -> AuditContext:
        period = Period(START, START + dt.timedelta(days=3))
        return AuditContext(period=period, now=period.end, parameters={"n_boot": 50})

    return fresh


def _show(make_event, viewer, count: int, minutes: int = 0, **item):
    return [
        make_event(
            EventKind.IMPRESSION,
            START + dt.timedelta(minutes=minutes + n),
            viewer,
            **item,
        )
        for n in range(count)
    ]


def _outcome(later, catalogue_check, check_id):
    outcome = evaluate(catalogue_check(check_id, min_sample=1), later())
    return outcome.status, outcome.measurement.value


def test_negative_feedback_rate(later, catalogue_check, platform, make_event):
    viewer, room = platform.viewers[0], platform.rooms[0]
    _show(make_event, viewer, 20, room=room)
    assert _outcome(later, catalogue_check, "ux-negative-feedback") == ("pass", 0.0)

    for minute in (30, 31):
        make_event(
            EventKind.NOT_INTERESTED,
            START + dt.timedelta(minutes=minute),
            viewer,
            room=room,
        )
    assert _outcome(later, catalogue_check, "ux-negative-feedback") == ("fail", 0.1)


def test_category_coverage(later, catalogue_check, platform, make_event):
    viewer = platform.viewers[0]
    _show(make_event, viewer, 4, room=platform.rooms[0])
    # Beauty only, of beauty and food.
    assert _outcome(later, catalogue_check, "eco-category-coverage") == ("fail", 0.5)

    _show(make_event, viewer, 1, minutes=10, room=platform.rooms[1])
    assert _outcome(later, catalogue_check, "eco-category-coverage") == ("pass", 1.0)


def _served_list(make_event, viewer, rooms, request_id: str, minute: int):
    for offset, room in enumerate(rooms):
        make_event(
            EventKind.IMPRESSION,
            START + dt.timedelta(minutes=minute + offset),
            viewer,
            room=room,
            request_id=request_id,
        )


def test_served_list_diversity(later, catalogue_check, platform, make_event):
    viewer = platform.viewers[0]
    beauty_a, food, beauty_b = platform.rooms
    _served_list(make_event, viewer, [beauty_a, beauty_b], "req-1", 0)
    assert _outcome(later, catalogue_check, "served-list-diversity") == ("fail", 0.0)

    # A second list of beauty and food: diversity 1; the mean over lists is 0.5.
    _served_list(make_event, viewer, [beauty_a, food], "req-2", 10)
    assert _outcome(later, catalogue_check, "served-list-diversity") == ("pass", 0.5)


@pytest.fixture
def five_merchants(platform) -> list[Product]:
    """Three more merchants with one food product each: five merchants in all."""
    food = platform.categories[1]
    products = [platform.products[0], platform.products[1]]
    for index in range(3):
        merchant = Merchant.objects.create(
            external_id=f"m-extra-{index}",
            name=f"店铺{index}",
            created_at=PLATFORM_NOW - dt.timedelta(days=40),
        )
        products.append(
            Product.objects.create(
                external_id=f"p-extra-{index}",
                merchant=merchant,
                category=food,
                title="杂粮",
                price=Decimal("9.90"),
                created_at=PLATFORM_NOW - dt.timedelta(days=40),
            )
        )
    return products


def test_traffic_gini_over_all_merchants(
    later, catalogue_check, platform, make_event, five_merchants
):
    viewer = platform.viewers[0]
    _show(make_event, viewer, 10, product=five_merchants[0])
    # All traffic to one of five merchants: G = 2·4·10 / (2·25·2) = 0.8.
    assert _outcome(later, catalogue_check, "fair-traffic-gini") == ("fail", 0.8)


def test_traffic_gini_passes_on_even_traffic(
    later, catalogue_check, platform, make_event, five_merchants
):
    viewer = platform.viewers[0]
    for index, product in enumerate(five_merchants):
        _show(make_event, viewer, 2, minutes=10 * index, product=product)
    assert _outcome(later, catalogue_check, "fair-traffic-gini") == ("pass", 0.0)


def _clicks(make_event, viewer, count: int, room):
    for n in range(count):
        make_event(
            EventKind.CLICK, START + dt.timedelta(minutes=40 + n), viewer, room=room
        )


def test_ctr_ratio_between_regions(later, catalogue_check, platform, make_event):
    east, south = platform.viewers
    room = platform.rooms[0]
    for viewer in (east, south):
        _show(make_event, viewer, 10, room=room)
    _clicks(make_event, east, 2, room)
    _clicks(make_event, south, 2, room)
    assert _outcome(later, catalogue_check, "fair-ctr-region") == ("pass", 1.0)

    _clicks(make_event, south, 3, room)
    # East 0.2 against south 0.5: a ratio of 0.4, far outside [0.8, 1.25].
    assert _outcome(later, catalogue_check, "fair-ctr-region") == (
        "fail",
        pytest.approx(0.4),
    )


def test_quality_content_lift(later, catalogue_check, platform, make_event):
    # Anchor 1 is measured as a quality anchor: rooms 1 and 3 and the product
    # room 1 sells are quality content (3 of 6 items).
    AnchorPersona.objects.create(
        anchor=platform.anchors[0],
        professionalism=0.9,
        clarity=0.8,
        interactivity=0.7,
        model_version="persona-1",
        computed_at=PLATFORM_NOW,
    )
    viewer = platform.viewers[0]
    _show(make_event, viewer, 2, room=platform.rooms[0])
    _show(make_event, viewer, 8, minutes=10, room=platform.rooms[1])
    # Quality got 2 of 10 exposures against half the supply: lift 0.4.
    assert _outcome(later, catalogue_check, "quality-content-lift") == (
        "fail",
        pytest.approx(0.4),
    )

    _show(make_event, viewer, 10, minutes=30, room=platform.rooms[2])
    # 12 of 20 now: lift 1.2.
    assert _outcome(later, catalogue_check, "quality-content-lift") == (
        "pass",
        pytest.approx(1.2),
    )


def test_quality_lift_not_assessed_without_personas(
    later, catalogue_check, platform, make_event
):
    _show(make_event, platform.viewers[0], 3, room=platform.rooms[0])
    outcome = evaluate(catalogue_check("quality-content-lift", min_sample=1), later())
    assert outcome.status == "not_assessed"
    assert "persona" in outcome.reason
