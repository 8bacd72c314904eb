"""Viewer-rights checks (clause 6.3) and one price for everyone (clause 4.4), with
planted violations."""

from __future__ import annotations

import datetime as dt

import pytest

from audits.checks.evaluate import evaluate
from audits.checks.registry import MetricUnavailable
from audits.checks.rights_metrics import price_dispersion
from recengine.models import EventKind, Viewer
from tests.conftest import PLATFORM_NOW

pytestmark = pytest.mark.django_db

SWITCHED_OFF = PLATFORM_NOW - dt.timedelta(days=5)


@pytest.fixture
def opted_out(platform, make_event) -> Viewer:
    """A viewer switches personalisation off five days ago, recorded in history."""
    viewer = Viewer.objects.create(
        pseudonym="9" * 64,
        region="north",
        spending_level="medium",
        created_at=PLATFORM_NOW - dt.timedelta(days=50),
    )
    make_event(
        EventKind.IMPRESSION,
        SWITCHED_OFF - dt.timedelta(hours=1),
        viewer,
        room=platform.rooms[0],
        strategy="personalised",
    )
    viewer.personalization_enabled = False
    viewer._change_reason = "viewer switched personalisation off"
    viewer.save()
    viewer.history.filter(personalization_enabled=False).update(
        history_date=SWITCHED_OFF
    )
    return viewer


def test_opt_out_is_honoured_when_later_exposures_are_non_personalised(
    context, catalogue_check, platform, opted_out, make_event
):
    make_event(
        EventKind.IMPRESSION,
        SWITCHED_OFF + dt.timedelta(hours=2),
        opted_out,
        room=platform.rooms[1],
        strategy="non_personalised",
    )
    outcome = evaluate(catalogue_check("opt-out-honoured"), context)
    assert outcome.status == "pass"
    # The personalised exposure before the switch does not count against it.
    assert outcome.measurement.sample == 1


def test_a_personalised_exposure_after_opt_out_fails(
    context, catalogue_check, platform, opted_out, make_event
):
    late = make_event(
        EventKind.IMPRESSION,
        SWITCHED_OFF + dt.timedelta(days=1),
        opted_out,
        room=platform.rooms[1],
        strategy="personalised",
    )
    outcome = evaluate(catalogue_check("opt-out-honoured"), context)
    assert outcome.status == "fail"
    assert late.event_id in outcome.measurement.sample_ids


def _not_interested(make_event, viewer, room, at):
    return make_event(EventKind.NOT_INTERESTED, at, viewer, room=room)


def test_not_interested_honoured_when_the_room_stays_away(
    context, catalogue_check, platform, make_event
):
    viewer, room = platform.viewers[1], platform.rooms[2]
    at = PLATFORM_NOW - dt.timedelta(days=10)
    _not_interested(make_event, viewer, room, at)
    # Shown to someone else, and to the same viewer after the 7 days: both fine.
    make_event(
        EventKind.IMPRESSION, at + dt.timedelta(hours=1), platform.viewers[0], room=room
    )
    make_event(EventKind.IMPRESSION, at + dt.timedelta(days=8), viewer, room=room)

    outcome = evaluate(
        catalogue_check("not-interested-honoured", min_sample=1), context
    )
    assert (outcome.status, outcome.measurement.value) == ("pass", 1.0)


def test_not_interested_broken_when_the_room_comes_back(
    context, catalogue_check, platform, make_event
):
    viewer, room = platform.viewers[1], platform.rooms[2]
    at = PLATFORM_NOW - dt.timedelta(days=10)
    broken = _not_interested(make_event, viewer, room, at)
    _not_interested(make_event, viewer, platform.rooms[1], at)
    make_event(EventKind.IMPRESSION, at + dt.timedelta(days=2), viewer, room=room)

    outcome = evaluate(
        catalogue_check("not-interested-honoured", min_sample=1), context
    )
    assert (outcome.status, outcome.measurement.value) == ("fail", 0.5)
    assert outcome.measurement.sample_ids == [broken.event_id]


# The shared platform's own orders are today and yesterday: none shares a cell.
ORDER_DAY = PLATFORM_NOW - dt.timedelta(days=3)


@pytest.fixture
def buyers(platform) -> dict[str, Viewer]:
    """The platform's high and low spenders and a second high spender elsewhere."""
    high, low = platform.viewers
    other = Viewer.objects.create(
        pseudonym="8" * 64,
        region="north",
        spending_level="high",
        created_at=PLATFORM_NOW - dt.timedelta(days=50),
    )
    return {"high": high, "low": low, "other high": other}


def _order(make_event, viewer, product, amount: str, quantity=None, at=ORDER_DAY):
    return make_event(
        EventKind.ORDER,
        at,
        viewer,
        product=product,
        amount=amount,
        quantity=quantity,
    )


def test_unit_price_is_the_amount_over_the_quantity(
    context, platform, buyers, make_event
):
    product = platform.products[0]
    _order(make_event, buyers["high"], product, "20.00", quantity=2)
    _order(make_event, buyers["low"], product, "10.00")

    measured = price_dispersion(context, {})

    assert (measured.value, measured.sample) == (0.0, 1)
    assert measured.sample_ids == []


def test_gap_is_between_group_means_of_unit_prices(
    context, platform, buyers, make_event
):
    product = platform.products[0]
    # High spenders: 10.00 and 36.00 for 3 units, a mean unit price of 11.00.
    _order(make_event, buyers["high"], product, "10.00", quantity=1)
    _order(make_event, buyers["other high"], product, "36.00", quantity=3)
    _order(make_event, buyers["low"], product, "10.00")

    measured = price_dispersion(context, {"grouping": "viewer.spending_level"})

    assert measured.value == pytest.approx((11 - 10) / 10)
    day = ORDER_DAY.date().isoformat()
    assert measured.sample_ids == [f"{product.pk}@{day}"]
    assert measured.detail["worst"]["means"] == {"high": 11.0, "low": 10.0}


def test_regions_are_compared_when_the_check_groups_by_region(
    context, platform, buyers, make_event
):
    # Both buyers spend high: one group by spending level, two by region.
    product = platform.products[1]
    _order(make_event, buyers["high"], product, "50.00")
    _order(make_event, buyers["other high"], product, "55.00")

    by_region = price_dispersion(context, {"grouping": "viewer.region"})

    assert by_region.value == pytest.approx(0.1)
    with pytest.raises(MetricUnavailable):
        price_dispersion(context, {"grouping": "viewer.spending_level"})


def test_only_one_local_day_is_one_time(context, platform, buyers, make_event):
    # 23:30 and 00:30 in Shanghai: the same UTC date, two local days.
    product = platform.products[0]
    evening = ORDER_DAY.replace(hour=23, minute=30)
    _order(make_event, buyers["high"], product, "12.00", at=evening)
    _order(
        make_event,
        buyers["low"],
        product,
        "10.00",
        at=evening + dt.timedelta(hours=1),
    )

    with pytest.raises(MetricUnavailable, match="two viewer groups on one day"):
        price_dispersion(context, {})


def test_groups_with_too_few_orders_are_left_out(context, platform, buyers, make_event):
    product = platform.products[0]
    _order(make_event, buyers["high"], product, "10.00")
    _order(make_event, buyers["other high"], product, "10.00")
    _order(make_event, buyers["low"], product, "12.00")

    assert price_dispersion(context, {}).value == pytest.approx(0.2)
    with pytest.raises(MetricUnavailable):
        price_dispersion(context, {"params": {"min_group_orders": 2}})


def test_price_dispersion_is_not_assessed_without_two_groups(
    context, catalogue_check, platform
):
    # The shared platform's orders: each product bought by one group on one day.
    outcome = evaluate(catalogue_check("price-dispersion"), context)

    assert outcome.status == "not_assessed"
    assert outcome.reason == "no product bought by two viewer groups on one day"


def test_one_price_for_every_spending_level_passes(
    context, catalogue_check, platform, buyers, make_event
):
    product = platform.products[0]
    _order(make_event, buyers["high"], product, "178.00", quantity=2)
    _order(make_event, buyers["low"], product, "89.00")

    outcome = evaluate(catalogue_check("price-dispersion", min_sample=1), context)

    assert (outcome.status, outcome.measurement.value) == ("pass", 0.0)


def test_low_spenders_charged_20_percent_more_fails(
    context, catalogue_check, platform, buyers, make_event
):
    # Planted: the same product on the same day, 89.00 to a high spender and
    # 106.80 (89.00 x 1.2) a unit to a low spender buying two.
    product = platform.products[0]
    _order(make_event, buyers["high"], product, "89.00")
    _order(make_event, buyers["low"], product, "213.60", quantity=2)

    outcome = evaluate(catalogue_check("price-dispersion", min_sample=1), context)

    assert outcome.status == "fail"
    assert outcome.measurement.value == pytest.approx(0.2)
    day = ORDER_DAY.date().isoformat()
    assert outcome.measurement.evidence()["sample_ids"] == [f"{product.pk}@{day}"]


def _delete_tag(viewer_user, at):
    from recengine.models import TagSuppression, ViewerInterest

    interest = ViewerInterest.objects.filter(viewer=viewer_user.viewer).first()
    suppression = TagSuppression.objects.create(
        viewer=viewer_user.viewer, tag=interest.tag, suppressed_at=at
    )
    return interest, suppression


def test_a_deleted_tag_that_stays_gone_passes(context, catalogue_check, viewer_user):
    interest, _ = _delete_tag(viewer_user, PLATFORM_NOW - dt.timedelta(days=3))
    interest.delete()
    outcome = evaluate(catalogue_check("deleted-tags-stay-gone"), context)
    assert (outcome.status, outcome.measurement.value) == ("pass", 0)


def test_a_deleted_tag_rebuilt_from_forgotten_events_fails(
    context, catalogue_check, viewer_user
):
    # The tag is still in the profile and nothing since the deletion explains it.
    _interest, suppression = _delete_tag(
        viewer_user, PLATFORM_NOW - dt.timedelta(days=3)
    )
    outcome = evaluate(catalogue_check("deleted-tags-stay-gone"), context)
    assert (outcome.status, outcome.measurement.value) == ("fail", 1)
    assert outcome.measurement.sample_ids == [suppression.pk]
