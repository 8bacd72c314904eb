"""Re-registration: a blacklisted anchor or merchant back under a new account.

An account sharing a hashed legal identity, payment account or device fingerprint
with a blacklisted one opens a case for a person to decide; confirming it
blacklists the new account too.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from recengine.history import person
from recengine.models import Anchor, Merchant
from recengine.trust.models import (
    BlacklistEntry,
    CaseState,
    EntryState,
    MatchedOn,
    ReregistrationCase,
    TargetKind,
)
from recengine.trust.services.blacklist import (
    NewEntry,
    TrustError,
    _save,
    add_blacklist_entry,
)

logger = logging.getLogger(__name__)

# Trait field of each account kind, and what a match on it means.
TRAITS = {
    TargetKind.ANCHOR: (
        ("legal_identity_hash", MatchedOn.LEGAL_IDENTITY),
        ("device_fingerprint_hash", MatchedOn.DEVICE),
    ),
    TargetKind.MERCHANT: (
        ("legal_identity_hash", MatchedOn.LEGAL_IDENTITY),
        ("payment_account_hash", MatchedOn.PAYMENT_ACCOUNT),
    ),
}


def cases_for_entry(entry: BlacklistEntry) -> list[ReregistrationCase]:
    """Open a case for every other account sharing a trait with the entry's target."""
    if entry.kind not in TRAITS or entry.state == EntryState.LIFTED:
        return []
    target = entry.target
    model = Anchor if entry.kind == TargetKind.ANCHOR else Merchant
    field = "anchor" if entry.kind == TargetKind.ANCHOR else "merchant"
    blacklisted = _blacklisted_ids(entry.kind, field)

    opened = []
    for trait, matched_on in TRAITS[entry.kind]:
        value = getattr(target, trait)
        if not value:
            continue
        suspects = model.objects.filter(**{trait: value}).exclude(pk=target.pk)
        for suspect in suspects.exclude(pk__in=blacklisted):
            case = _open(entry, field, suspect, matched_on)
            if case is not None:
                opened.append(case)
    return opened


def _blacklisted_ids(kind: str, field: str) -> set[int]:
    live = BlacklistEntry.objects.filter(kind=kind).exclude(state=EntryState.LIFTED)
    return set(live.values_list(f"{field}_id", flat=True))


def _open(entry, field, suspect, matched_on) -> ReregistrationCase | None:
    if ReregistrationCase.objects.filter(entry=entry, **{field: suspect}).exists():
        return None
    case = ReregistrationCase(
        entry=entry,
        matched_on=matched_on,
        detected_at=timezone.now(),
        **{field: suspect},
    )
    _save(case, None, f"6.2.3 re-registration detected: {matched_on}")
    logger.warning(
        "re-registration suspected",
        extra={"case": case.pk, "entry": entry.pk, "suspect": suspect.pk},
    )
    return case


@transaction.atomic
def detect_reregistrations() -> list[ReregistrationCase]:
    """Sweep every live anchor and merchant entry (new accounts arrive any time)."""
    entries = BlacklistEntry.objects.filter(
        kind__in=list(TRAITS), starts_at__lte=timezone.now()
    ).exclude(state=EntryState.LIFTED)
    opened = []
    for entry in entries.select_related("anchor", "merchant"):
        opened += cases_for_entry(entry)
    return opened


@transaction.atomic
def decide_case(
    *, actor, case: ReregistrationCase, confirm: bool, note: str
) -> ReregistrationCase:
    """Confirm (blacklist the new account too) or dismiss a re-registration case."""
    case = ReregistrationCase.objects.select_for_update().get(pk=case.pk)
    if case.state != CaseState.OPEN:
        raise TrustError("this case was already decided")
    if not note.strip():
        raise TrustError("a reason is required")

    case.state = CaseState.CONFIRMED if confirm else CaseState.DISMISSED
    case.decided_by = person(actor)
    case.decided_at = timezone.now()
    case.decision_note = note.strip()[:500]
    _save(case, actor, f"6.2.3 re-registration {case.state}: {case.decision_note}")
    if confirm:
        kind = TargetKind.ANCHOR if case.anchor_id else TargetKind.MERCHANT
        add_blacklist_entry(
            actor=actor,
            new=NewEntry(
                kind=kind,
                target=case.suspect,
                reason=f"re-registration of blacklist entry {case.entry_id}: "
                f"{case.decision_note}"[:500],
                evidence=f"{case.get_matched_on_display()}",
            ),
        )
    return case
