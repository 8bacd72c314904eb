"""Blacklist and credit checks (clauses 6.2.2, 6.2.3) with planted violations."""

from __future__ import annotations

import datetime as dt

import pytest

from audits.checks.evaluate import evaluate
from recengine.models import EventKind
from recengine.trust.models import BlacklistEntry, MerchantCredit, TargetKind
from tests.conftest import PLATFORM_NOW

pytestmark = pytest.mark.django_db


def _blacklist(*, starts_at, lifted_at=None, **target) -> BlacklistEntry:
    return BlacklistEntry.objects.create(
        reason="fraud",
        starts_at=starts_at,
        lifted_at=lifted_at,
        created_at=starts_at,
        **target,
    )


def test_a_blacklisted_room_shown_after_the_entry_took_effect_fails(
    context, catalogue_check, platform
):
    room = platform.rooms[0]
    _blacklist(
        kind=TargetKind.LIVE_ROOM,
        room=room,
        starts_at=PLATFORM_NOW - dt.timedelta(hours=4),
    )

    outcome = evaluate(catalogue_check("blacklist-zero-exposure"), context)
    # Room 1 was shown 3 hours ago; its earlier exposures came before the entry.
    assert (outcome.status, outcome.measurement.value) == ("fail", 1)
    assert outcome.measurement.sample_ids == ["fx-0002"]


def test_a_blacklisted_merchant_binds_its_products_and_rooms(
    context, catalogue_check, platform
):
    _blacklist(
        kind=TargetKind.MERCHANT,
        merchant=platform.merchants[1],
        starts_at=PLATFORM_NOW - dt.timedelta(days=30),
    )
    outcome = evaluate(catalogue_check("blacklist-zero-exposure"), context)
    # Room 2 (twice) and products 2 and 3 belong to merchant 2.
    assert outcome.measurement.value == 4


def test_blacklist_passes_when_entries_were_obeyed(context, catalogue_check, platform):
    _blacklist(
        kind=TargetKind.LIVE_ROOM,
        room=platform.rooms[1],
        starts_at=PLATFORM_NOW - dt.timedelta(days=30),
        lifted_at=PLATFORM_NOW - dt.timedelta(days=25),
    )
    _blacklist(
        kind=TargetKind.KEYWORD,
        pattern="彩妆",
        starts_at=PLATFORM_NOW - dt.timedelta(hours=1),
        matched_rooms=[platform.rooms[2].pk],
    )
    outcome = evaluate(catalogue_check("blacklist-zero-exposure"), context)
    assert (outcome.status, outcome.measurement.value) == ("pass", 0)


def test_a_keyword_entry_binds_the_rooms_it_matched(context, catalogue_check, platform):
    _blacklist(
        kind=TargetKind.KEYWORD,
        pattern="彩妆",
        starts_at=PLATFORM_NOW - dt.timedelta(hours=3),
        matched_rooms=[platform.rooms[2].pk],
    )
    outcome = evaluate(catalogue_check("blacklist-zero-exposure"), context)
    assert outcome.measurement.sample_ids == ["fx-0003"]


def _credit(merchant, tier: str, score: float) -> None:
    MerchantCredit.objects.create(
        merchant=merchant, score=score, tier=tier, updated_at=PLATFORM_NOW
    )


def test_exposure_must_not_rise_as_credit_falls(
    context, catalogue_check, platform, make_event
):
    # Merchant 1 has 5 exposures in the period, merchant 2 has 4, then 7.
    good, poor = platform.merchants
    for minute in range(3):
        make_event(
            EventKind.IMPRESSION,
            PLATFORM_NOW - dt.timedelta(minutes=30 + minute),
            platform.viewers[0],
            product=platform.products[1],
        )
    _credit(good, "A", 92)
    _credit(poor, "D", 31)

    outcome = evaluate(
        catalogue_check("exposure-monotone-in-credit", min_sample=1), context
    )
    assert (outcome.status, outcome.measurement.value) == ("fail", 1)
    assert outcome.measurement.sample_ids == ["A<D"]
    assert outcome.measurement.detail["tiers"] == ["A", "D"]


def test_exposure_falling_with_credit_passes(context, catalogue_check, platform):
    good, poor = platform.merchants
    _credit(good, "B", 75)
    _credit(poor, "C", 55)
    # 5 exposures for the B merchant, 4 for the C merchant: falling with credit.
    outcome = evaluate(
        catalogue_check("exposure-monotone-in-credit", min_sample=1), context
    )
    assert (outcome.status, outcome.measurement.value) == ("pass", 0)
