"""Viewer-rights checks (clause 6.3) with planted violations."""

from __future__ import annotations

import datetime as dt

import pytest

from audits.checks.evaluate import evaluate
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


def test_price_dispersion_across_spending_groups(context, platform, make_event):
    product = platform.products[0]
    at = PLATFORM_NOW - dt.timedelta(days=3)
    for viewer, amount in zip(platform.viewers, ("100.00", "120.00"), strict=True):
        make_event(EventKind.ORDER, at, viewer, product=product, amount=amount)

    # The high spenders paid 89.00 (the platform's order) and 100.00, 94.50 on
    # average; the low spender paid 120.00.
    measured = price_dispersion(context, {})
    assert measured.value == pytest.approx((120 - 94.5) / 94.5)
    assert measured.sample_ids == [product.pk]


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
