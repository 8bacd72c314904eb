"""Merchant credit, restriction, violations, appeals, quality and re-registration."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from recengine.governance.publishing import build_snapshot, current_version
from recengine.models import Anchor, Merchant
from recengine.services.rows import BatchRejected
from recengine.trust.models import (
    AppealState,
    CaseState,
    MerchantCredit,
    QualityScore,
    ReregistrationCase,
    Violation,
)
from recengine.trust.services import (
    NewEntry,
    TrustError,
    add_blacklist_entry,
    compute_quality_scores,
    decide_appeal,
    decide_case,
    detect_reregistrations,
    file_appeal,
    import_credit,
    record_violation,
    set_restriction,
)
from recengine.trust.services.quality import score_merchant

pytestmark = pytest.mark.django_db


def test_credit_import_sets_tiers_multipliers_and_caps(platform, trust_safety_user):
    written = import_credit(
        actor=trust_safety_user,
        rows=[
            {"merchant": "m-1", "score": "91", "orders": "200", "complaints": "1"},
            {"merchant": "m-2", "score": 58.5, "returns": 30},
        ],
        source="market regulator 2026-03",
    )

    assert written == 2
    credit = {c.merchant.external_id: c for c in MerchantCredit.objects.all()}
    assert (credit["m-1"].tier, credit["m-2"].tier) == ("A", "C")
    snapshot = build_snapshot(current_version())
    m1, m2 = platform.merchants[0].pk, platform.merchants[1].pk
    assert snapshot.credit_multiplier == {m1: 1.0, m2: 0.6}
    assert snapshot.exposure_cap == {m1: 3, m2: 2}
    history = credit["m-2"].history.get()
    assert history.history_user == trust_safety_user
    assert history.history_change_reason.startswith("6.2.2 credit 58.5 (C)")


def test_a_bad_credit_row_rejects_the_whole_import(platform, trust_safety_user):
    rows = [
        {"merchant": "m-1", "score": "90"},
        {"merchant": "m-404", "score": "90"},
        {"merchant": "m-2", "score": "101"},
        {"merchant": "m-2", "score": "abc", "colour": "red"},
        {"merchant": "m-1", "score": "-3", "orders": "1.5"},
    ]
    with pytest.raises(BatchRejected) as rejected:
        import_credit(actor=trust_safety_user, rows=rows, source="feed")

    found = {(e.row, e.field) for e in rejected.value.errors}
    assert found == {
        (1, "merchant"),
        (2, "score"),
        (3, "colour"),
        (3, "merchant"),
        (3, "score"),
        (4, "merchant"),
        (4, "score"),
        (4, "orders"),
    }
    assert not MerchantCredit.objects.exists()
    assert current_version() == 0


def test_restriction_and_appeal_with_a_different_decider(
    platform, trust_safety_user, second_trust_user
):
    merchant = platform.merchants[0]
    set_restriction(
        actor=trust_safety_user, merchant=merchant, restricted=True, reason="fakes"
    )
    assert build_snapshot(current_version()).credit_multiplier[merchant.pk] == 0.0
    with pytest.raises(TrustError, match="already"):
        set_restriction(
            actor=trust_safety_user, merchant=merchant, restricted=True, reason="again"
        )

    appeal = file_appeal(
        actor=trust_safety_user,
        merchant=merchant,
        statement="Supplier licence attached",
        requested_score=80,
    )
    with pytest.raises(TrustError, match="someone other"):
        decide_appeal(actor=trust_safety_user, appeal=appeal, uphold=True, reason="ok")

    decide_appeal(
        actor=second_trust_user, appeal=appeal, uphold=True, reason="licence valid"
    )

    appeal.refresh_from_db()
    credit = MerchantCredit.objects.get(merchant=merchant)
    assert appeal.state == AppealState.UPHELD
    assert appeal.decided_by == second_trust_user
    assert (credit.restricted, credit.tier, credit.score) == (False, "B", 80.0)
    snapshot = build_snapshot(current_version())
    assert snapshot.credit_multiplier[merchant.pk] == 0.85
    with pytest.raises(TrustError, match="already decided"):
        decide_appeal(actor=second_trust_user, appeal=appeal, uphold=False, reason="x")


def test_violations_are_recorded_and_future_ones_refused(platform, trust_safety_user):
    today = timezone.localdate()
    violation = record_violation(
        actor=trust_safety_user,
        merchant=platform.merchants[1],
        kind="counterfeit",
        occurred_on=today,
        description="<script>alert(1)</script> fake nuts",
    )
    assert violation.history.get().history_user == trust_safety_user

    with pytest.raises(TrustError, match="future"):
        record_violation(
            actor=trust_safety_user,
            merchant=platform.merchants[1],
            kind="counterfeit",
            occurred_on=today + dt.timedelta(days=2),
            description="later",
        )
    with pytest.raises(TrustError, match="unknown violation kind"):
        record_violation(
            actor=trust_safety_user,
            merchant=platform.merchants[1],
            kind="jaywalking",
            occurred_on=today,
            description="x",
        )
    assert Violation.objects.count() == 1


def test_quality_score_by_hand():
    supervision = MerchantCredit(orders=100, complaints=5, returns=10)
    parts = score_merchant(
        supervision,
        {"shown": 100, "rejected": 1, "clicks": 10, "orders": 1},
        1,
        {"screened": 40, "withheld": 2},
    )
    # complaints 0.5, returns 0.7, moderation 0.5, not interested 0.8, conversion 0.5
    expected = 0.30 * 0.5 + 0.20 * 0.7 + 0.20 * 0.5 + 0.15 * 0.8 + 0.15 * 0.5 - 0.1
    assert parts["score"] == pytest.approx(expected, abs=1e-4)
    assert score_merchant(None, {}, 0)["score"] == pytest.approx(0.5)


def test_rejected_content_lowers_its_merchants_quality(
    platform, trust_safety_user, reviewer_user
):
    from recengine.moderation.models import CaseStatus, ContentKind, ModerationCase

    compute_quality_scores(actor=trust_safety_user, now=platform.now)
    before = QualityScore.objects.get(merchant=platform.merchants[0]).score
    for product in platform.products:
        ModerationCase.objects.create(
            kind=ContentKind.PRODUCT,
            product=product,
            content_hash=f"h-{product.pk}",
            excerpt=product.title,
            risk_score=0.9,
            screened_at=platform.now,
            status=CaseStatus.REJECTED
            if product.merchant_id == platform.merchants[0].pk
            else CaseStatus.APPROVED,
        )

    compute_quality_scores(actor=trust_safety_user, now=platform.now)

    scores = {q.merchant_id: q for q in QualityScore.objects.all()}
    assert scores[platform.merchants[0].pk].score < before
    assert scores[platform.merchants[0].pk].components["moderation"] == 0.0
    assert scores[platform.merchants[1].pk].components["moderation"] == 1.0


def test_quality_scores_feed_the_boost(platform, trust_safety_user):
    import_credit(
        actor=trust_safety_user,
        rows=[
            {"merchant": "m-1", "score": 95, "orders": 500},
            {"merchant": "m-2", "score": 60, "orders": 100, "complaints": 20},
        ],
        source="feed",
    )
    record_violation(
        actor=trust_safety_user,
        merchant=platform.merchants[1],
        kind="false_advertising",
        occurred_on=timezone.localdate(),
        description="claims",
    )

    compute_quality_scores(actor=trust_safety_user, now=platform.now)

    scores = {q.merchant.external_id: q for q in QualityScore.objects.all()}
    assert scores["m-1"].score > scores["m-2"].score
    assert scores["m-1"].boost > 1.0 == scores["m-2"].boost
    boost = build_snapshot(current_version()).quality_boost
    assert boost == {platform.merchants[0].pk: scores["m-1"].boost}


def _returning_anchor(platform, **traits) -> Anchor:
    return Anchor.objects.create(
        external_id="a-new", name="小美二号", created_at=platform.now, **traits
    )


def test_a_blacklisted_anchor_returning_under_a_new_account_is_queued(
    platform, trust_safety_user, second_trust_user
):
    old = platform.anchors[0]
    old.legal_identity_hash = "L" * 64
    old.save()
    add_blacklist_entry(
        actor=trust_safety_user, new=NewEntry(kind="anchor", target=old, reason="fraud")
    )
    newcomer = _returning_anchor(platform, legal_identity_hash="L" * 64)

    opened = detect_reregistrations()

    assert [(c.anchor, c.matched_on) for c in opened] == [(newcomer, "legal_identity")]
    assert detect_reregistrations() == []  # one case per suspect

    decide_case(actor=second_trust_user, case=opened[0], confirm=True, note="same ID")
    case = ReregistrationCase.objects.get()
    assert case.state == CaseState.CONFIRMED
    assert newcomer.pk in build_snapshot(current_version()).blocked_anchors
    with pytest.raises(TrustError, match="already decided"):
        decide_case(actor=second_trust_user, case=case, confirm=False, note="x")


def test_a_merchant_sharing_a_payment_account_is_queued_at_once(
    platform, trust_safety_user
):
    old = platform.merchants[1]
    old.payment_account_hash = "P" * 64
    old.save()
    Merchant.objects.create(
        external_id="m-new",
        name="新田园",
        payment_account_hash="P" * 64,
        created_at=platform.now,
    )

    add_blacklist_entry(
        actor=trust_safety_user,
        new=NewEntry(kind="merchant", target=old, reason="counterfeit"),
    )

    case = ReregistrationCase.objects.get()
    assert (case.merchant.external_id, case.matched_on) == ("m-new", "payment_account")
    assert case.state == CaseState.OPEN
