"""Moderation checks (clauses 5.4.3, 6.1.1, 6.1.2) with planted violations."""

from __future__ import annotations

import datetime as dt

import pytest

from audits.checks.evaluate import evaluate
from recengine.moderation.models import CaseStatus, ContentKind, ModerationCase, Queue
from tests.conftest import PLATFORM_NOW

pytestmark = pytest.mark.django_db

LONG_AGO = PLATFORM_NOW - dt.timedelta(days=40)


def _case(*, status=CaseStatus.AUTO_APPROVED, screened_at=LONG_AGO, **fields):
    defaults = {
        "content_hash": "0" * 64,
        "excerpt": "",
        "risk_score": 0.1,
        "queue": Queue.NONE,
    }
    return ModerationCase.objects.create(
        status=status, screened_at=screened_at, **(defaults | fields)
    )


def _screen_everything(platform) -> None:
    for room in platform.rooms:
        _case(kind=ContentKind.ROOM_TITLE, room=room)
    for product in platform.products:
        _case(kind=ContentKind.PRODUCT, product=product)


def test_every_exposed_item_screened_first(context, catalogue_check, platform):
    _screen_everything(platform)
    outcome = evaluate(
        catalogue_check("screened-before-exposure", min_sample=1), context
    )
    assert (outcome.status, outcome.measurement.value) == ("pass", 1.0)


def test_an_item_screened_after_its_first_exposure_fails(
    context, catalogue_check, platform
):
    for room in platform.rooms:
        _case(kind=ContentKind.ROOM_TITLE, room=room)
    for product in platform.products[1:]:
        _case(kind=ContentKind.PRODUCT, product=product)
    late = platform.products[0]
    _case(kind=ContentKind.PRODUCT, product=late, screened_at=PLATFORM_NOW)

    outcome = evaluate(
        catalogue_check("screened-before-exposure", min_sample=1), context
    )
    assert outcome.status == "fail"
    assert outcome.measurement.sample_ids == [f"product:{late.pk}"]
    assert outcome.measurement.value == pytest.approx(5 / 6)


def test_high_risk_and_synthesised_cases_reach_a_human(
    context, catalogue_check, platform
):
    at = PLATFORM_NOW - dt.timedelta(days=2)
    room = platform.rooms[0]
    _case(
        kind=ContentKind.TRANSCRIPT,
        room=room,
        screened_at=at,
        high_risk=True,
        queue=Queue.HIGH_RISK,
        status=CaseStatus.PENDING,
    )
    synthetic = _case(
        kind=ContentKind.TRANSCRIPT, room=room, screened_at=at, ai_synthesised=True
    )

    human = evaluate(catalogue_check("high-risk-human-review", min_sample=1), context)
    aigc = evaluate(catalogue_check("aigc-special-review", min_sample=1), context)
    assert (human.status, human.measurement.value) == ("fail", 0.5)
    assert aigc.measurement.sample_ids == [synthetic.pk]

    synthetic.queue = Queue.AIGC
    synthetic.save()
    assert (
        evaluate(catalogue_check("aigc-special-review", min_sample=1), context).status
        == "pass"
    )


def test_nothing_pending_or_rejected_is_served(context, catalogue_check, platform):
    _screen_everything(platform)
    check = catalogue_check("blocked-items-never-served")
    assert evaluate(check, context).measurement.value == 0

    # Room 3's title was rejected a day ago; it was shown 2 hours ago.
    _case(
        kind=ContentKind.ROOM_TITLE,
        room=platform.rooms[2],
        status=CaseStatus.REJECTED,
        decided_at=PLATFORM_NOW - dt.timedelta(days=1),
    )
    outcome = evaluate(check, context)
    assert (outcome.status, outcome.measurement.value) == ("fail", 1)
    assert outcome.measurement.sample_ids == ["fx-0003"]


def _label(room, *, metadata, created_at=LONG_AGO):
    from recengine.moderation.models import AigcContent, AigcLabel

    return AigcLabel.objects.create(
        content=AigcContent.DIGITAL_HUMAN,
        room=room,
        tier="verified",
        explicit="AI生成",
        content_hash="1" * 64,
        metadata=metadata,
        signature="2" * 64,
        created_at=created_at,
    )


def test_digital_human_rooms_carry_both_labels(context, catalogue_check, platform):
    digital_room = platform.rooms[1]  # anchor 2 is a digital human
    check = catalogue_check("aigc-labels-served")
    outcome = evaluate(check, context)
    assert (outcome.status, outcome.measurement.value) == ("fail", 0.0)
    assert outcome.measurement.sample == 2

    # An implicit label missing its metadata block is no label.
    _label(digital_room, metadata={})
    assert evaluate(check, context).status == "fail"

    _label(digital_room, metadata={"Label": "1", "ContentProducer": "studio"})
    assert evaluate(check, context).status == "pass"


def _aigc_case(verdict, **fields):
    from recengine.moderation.models import AigcCase

    return AigcCase.objects.create(verdict=verdict, detail="found", **fields)


def test_an_impersonating_anchor_is_not_shown_without_consent(
    context, catalogue_check, platform, compliance_officer
):
    from recengine.moderation.models import ConsentRecord, PublicFigure

    anchor = platform.anchors[1]  # runs room 2, shown today and yesterday
    _aigc_case(
        "impersonation", anchor=anchor, opened_at=PLATFORM_NOW - dt.timedelta(days=3)
    )
    check = catalogue_check("no-unconsented-likeness")
    outcome = evaluate(check, context)
    assert (outcome.status, outcome.measurement.value) == ("fail", 2)

    figure = PublicFigure.objects.create(
        code="pf-1", name="某明星", created_at=LONG_AGO
    )
    ConsentRecord.objects.create(
        figure=figure,
        anchor=anchor,
        evidence="signed agreement",
        granted_at=PLATFORM_NOW - dt.timedelta(days=4),
        recorded_by=compliance_officer,
    )
    assert evaluate(check, context).measurement.value == 0


def test_label_abuse_is_restricted_or_closed(context, catalogue_check, platform):
    at = PLATFORM_NOW - dt.timedelta(days=2)
    _aigc_case("tampered", room=platform.rooms[1], opened_at=at, restricted=True)
    left_open = _aigc_case("stripped", room=platform.rooms[0], opened_at=at)

    check = catalogue_check("label-abuse-handled")
    outcome = evaluate(check, context)
    assert (outcome.status, outcome.measurement.value) == ("fail", 0.5)
    assert outcome.measurement.sample_ids == [left_open.pk]

    left_open.status = "closed"
    left_open.save()
    assert evaluate(check, context).status == "pass"
