"""Blacklist actions: add, bulk add, four-eyes lift, expiry, keywords, history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from recengine.governance.publishing import build_snapshot, current_version
from recengine.services.rows import BatchRejected
from recengine.trust.models import BlacklistEntry, EntryState, PolicyVersion
from recengine.trust.services import (
    NewEntry,
    TrustError,
    add_blacklist_entry,
    approve_lift,
    bulk_add_blacklist,
    refresh_policy,
    reject_lift,
    request_lift,
)

pytestmark = pytest.mark.django_db


def _anchor_entry(platform, actor, **extra) -> BlacklistEntry:
    new = NewEntry(
        kind="anchor", target=platform.anchors[0], reason="fake credentials", **extra
    )
    return add_blacklist_entry(actor=actor, new=new)


def test_adding_an_entry_publishes_a_policy_that_blocks_the_anchor(
    platform, trust_safety_user
):
    entry = _anchor_entry(platform, trust_safety_user, evidence="screenshot 1")

    version = current_version()
    snapshot = build_snapshot(version)
    assert version == 1
    assert snapshot.blocked_anchors == {platform.anchors[0].pk}
    assert snapshot.blocks_room(platform.rooms[0].pk, platform.anchors[0].pk, None)
    published = PolicyVersion.objects.get(version=1)
    assert published.published_by == trust_safety_user
    assert published.clause == "6.2.3"
    history = entry.history.get()
    assert history.history_user == trust_safety_user
    assert history.history_change_reason.startswith("blacklisted (6.2.3)")


def test_an_entry_without_reason_or_with_an_unknown_target_changes_nothing(
    platform, trust_safety_user
):
    with pytest.raises(TrustError, match="reason"):
        add_blacklist_entry(
            actor=trust_safety_user,
            new=NewEntry(kind="anchor", target=platform.anchors[0], reason="  "),
        )
    with pytest.raises(TrustError, match="must be a merchant"):
        add_blacklist_entry(
            actor=trust_safety_user,
            new=NewEntry(kind="merchant", target=platform.anchors[0], reason="x"),
        )

    assert not BlacklistEntry.objects.exists()
    assert current_version() == 0


def test_a_lift_needs_a_second_person(platform, trust_safety_user, second_trust_user):
    entry = _anchor_entry(platform, trust_safety_user)
    request_lift(actor=trust_safety_user, entry=entry, reason="appeal upheld")

    with pytest.raises(TrustError, match="other than the requester"):
        approve_lift(actor=trust_safety_user, entry=entry, reason="self approval")
    entry.refresh_from_db()
    assert entry.state == EntryState.LIFT_REQUESTED
    # Still applies while the lift waits.
    assert platform.anchors[0].pk in build_snapshot(current_version()).blocked_anchors

    approve_lift(actor=second_trust_user, entry=entry, reason="checked the appeal")

    entry.refresh_from_db()
    assert entry.state == EntryState.LIFTED
    assert entry.lifted_by == second_trust_user
    assert build_snapshot(current_version()).blocked_anchors == frozenset()
    reasons = list(
        entry.history.order_by("history_date").values_list(
            "history_change_reason", "history_user__username"
        )
    )
    assert reasons[1] == ("lift requested (6.2.3): appeal upheld", "ts-lin")
    assert reasons[2] == ("lift approved (6.2.3): checked the appeal", "ts-zhou")


def test_a_refused_lift_keeps_the_entry(platform, trust_safety_user, second_trust_user):
    entry = _anchor_entry(platform, trust_safety_user)
    request_lift(actor=trust_safety_user, entry=entry, reason="please")

    reject_lift(actor=second_trust_user, entry=entry, reason="evidence stands")

    entry.refresh_from_db()
    assert entry.state == EntryState.ACTIVE
    with pytest.raises(TrustError, match="nobody has requested"):
        approve_lift(actor=second_trust_user, entry=entry, reason="late")


def test_an_expired_entry_stops_applying_and_cannot_be_lifted(
    platform, trust_safety_user
):
    now = timezone.now()
    entry = _anchor_entry(
        platform,
        trust_safety_user,
        starts_at=now - dt.timedelta(days=2),
        expires_at=now + dt.timedelta(hours=1),
    )
    snapshot = build_snapshot(current_version())
    assert snapshot.valid_until == pytest.approx(entry.expires_at.timestamp())

    # An hour later: the version was published before the entry expired.
    PolicyVersion.objects.update(published_at=now - dt.timedelta(hours=1))
    BlacklistEntry.objects.filter(pk=entry.pk).update(
        expires_at=now - dt.timedelta(seconds=1)
    )
    entry.refresh_from_db()

    assert build_snapshot(current_version()).blocked_anchors == frozenset()
    with pytest.raises(TrustError, match="expired"):
        request_lift(actor=trust_safety_user, entry=entry, reason="tidy up")
    # The periodic refresh records the expiry as a policy version.
    assert refresh_policy() == 2


def test_an_entry_that_starts_later_applies_from_its_start(platform, trust_safety_user):
    start = timezone.now() + dt.timedelta(hours=2)
    _anchor_entry(platform, trust_safety_user, starts_at=start)

    snapshot = build_snapshot(current_version())
    assert snapshot.blocked_anchors == frozenset()
    assert snapshot.valid_until == pytest.approx(start.timestamp())


def test_keyword_entries_match_titles_descriptions_and_transcripts(
    platform, trust_safety_user
):
    platform.products[2].description = "祖传秘方 包治百病"
    platform.products[2].save()
    platform.sessions[2].transcript = "今天讲讲包治百病的面霜"
    platform.sessions[2].save()

    add_blacklist_entry(
        actor=trust_safety_user,
        new=NewEntry(kind="keyword", pattern="包治百病", reason="medical claim"),
    )
    add_blacklist_entry(
        actor=trust_safety_user,
        new=NewEntry(
            kind="keyword", pattern=r"礼盒$", is_regex=True, reason="pattern test"
        ),
    )

    snapshot = build_snapshot(current_version())
    assert snapshot.keyword_blocked_products == {
        platform.products[1].pk,
        platform.products[2].pk,
    }
    assert snapshot.keyword_blocked_rooms == {platform.rooms[2].pk}


def test_a_broken_or_dangerous_pattern_is_refused(platform, trust_safety_user):
    for pattern in ("(unclosed", "(a+)+$"):
        with pytest.raises(TrustError):
            add_blacklist_entry(
                actor=trust_safety_user,
                new=NewEntry(
                    kind="keyword", pattern=pattern, is_regex=True, reason="x"
                ),
            )
    assert not BlacklistEntry.objects.exists()


def test_new_content_matching_a_keyword_is_caught_by_the_refresh(
    platform, trust_safety_user
):
    add_blacklist_entry(
        actor=trust_safety_user,
        new=NewEntry(kind="keyword", pattern="三无产品", reason="no licence"),
    )
    assert refresh_policy() is None

    platform.rooms[1].title = "三无产品清仓"
    platform.rooms[1].save()

    assert refresh_policy() == 2
    assert build_snapshot(2).keyword_blocked_rooms == {platform.rooms[1].pk}


def test_bulk_add_is_all_or_nothing_with_a_report_per_row(platform, trust_safety_user):
    rows = [
        {"kind": "anchor", "target": "a-1"},
        {"kind": "merchant", "target": "m-404"},
        {"kind": "keyword", "target": ""},
        {"kind": "anchor", "target": "a-1"},
        {"kind": "planet", "target": "x"},
    ]
    with pytest.raises(BatchRejected) as rejected:
        bulk_add_blacklist(actor=trust_safety_user, rows=rows, reason="sweep")

    assert [(e.row, e.message) for e in rejected.value.errors] == [
        (1, "unknown merchant 'm-404'"),
        (2, "the pattern is empty"),
        (3, "repeats row 0"),
        (4, "unknown target kind 'planet'"),
    ]
    assert not BlacklistEntry.objects.exists()
    assert current_version() == 0

    entries = bulk_add_blacklist(
        actor=trust_safety_user,
        rows=[
            {"kind": "anchor", "target": "a-2"},
            {"kind": "product", "target": "p-1"},
            {"kind": "live_room", "target": "r-3"},
        ],
        reason="counterfeit ring",
    )
    assert [e.reason for e in entries] == ["counterfeit ring"] * 3
    assert current_version() == 1
    snapshot = build_snapshot(1)
    assert snapshot.blocked_anchors == {platform.anchors[1].pk}
    assert snapshot.blocked_products == {platform.products[0].pk}
    assert snapshot.blocked_rooms == {platform.rooms[2].pk}
