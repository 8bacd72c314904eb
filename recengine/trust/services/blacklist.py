"""Blacklist actions (clause 6.2.3): add, bulk add, request and approve a lift.

Each action writes its history row and publishes a policy version in the same
transaction; serving obeys the new version within a second of the commit.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from recengine.governance.publishing import publish_policy
from recengine.history import person, stamp
from recengine.models import Anchor, LiveRoom, Merchant, Product
from recengine.services.rows import BatchRejected, RowError
from recengine.trust import keywords
from recengine.trust.models import BlacklistEntry, Clause, EntryState, TargetKind

logger = logging.getLogger(__name__)

TARGET_MODELS = {
    TargetKind.ANCHOR: (Anchor, "anchor"),
    TargetKind.MERCHANT: (Merchant, "merchant"),
    TargetKind.PRODUCT: (Product, "product"),
    TargetKind.LIVE_ROOM: (LiveRoom, "room"),
}
MAX_BULK_ROWS = 1000
MAX_TEXT = 500


class TrustError(ValueError):
    """A refused action; nothing was changed."""


@dataclass(frozen=True)
class NewEntry:
    """What a new entry says, checked before anything is written."""

    kind: str
    target: object | None = None
    pattern: str = ""
    is_regex: bool = False
    reason: str = ""
    clause: str = Clause.BLACKLIST
    evidence: str = ""
    starts_at: dt.datetime | None = None
    expires_at: dt.datetime | None = None


def check_entry(entry: NewEntry) -> NewEntry:
    """Refuse an entry that names no valid target or no reason."""
    if entry.kind not in TargetKind.values:
        raise TrustError(f"unknown target kind {entry.kind!r}")
    if not entry.reason.strip():
        raise TrustError("a reason is required")
    if len(entry.reason) > MAX_TEXT:
        raise TrustError(f"the reason is longer than {MAX_TEXT} characters")
    if entry.clause not in Clause.values:
        raise TrustError(f"unknown clause {entry.clause!r}")
    if entry.kind == TargetKind.KEYWORD:
        try:
            keywords.check_pattern(entry.pattern, is_regex=entry.is_regex)
        except keywords.PatternInvalid as problem:
            raise TrustError(str(problem)) from None
    else:
        model, _ = TARGET_MODELS[entry.kind]
        if not isinstance(entry.target, model):
            raise TrustError(f"the target must be a {entry.kind}")
    starts = entry.starts_at or timezone.now()
    if entry.expires_at is not None and entry.expires_at <= starts:
        raise TrustError("the expiry must lie after the start")
    return entry


@transaction.atomic
def add_blacklist_entry(*, actor, new: NewEntry) -> BlacklistEntry:
    """Blacklist one target and publish the policy that blocks it."""
    entry = _create(actor=actor, new=check_entry(new))
    publish_policy(
        actor=actor,
        reason=f"blacklist entry {entry.pk}: {new.reason}",
        clause=new.clause,
    )
    _queue_reregistrations(entry)
    return entry


@transaction.atomic
def bulk_add_blacklist(
    *,
    actor,
    rows: list[dict],
    reason: str,
    clause: str = Clause.BLACKLIST,
    evidence: str = "",
    expires_at: dt.datetime | None = None,
) -> list[BlacklistEntry]:
    """Many targets with one shared reason: all of them or none (``BatchRejected``).

    A row is ``{"kind": ..., "target": external id}`` or ``{"kind": "keyword",
    "target": pattern}``.
    """
    if not rows:
        raise BatchRejected([RowError(-1, "rows", "the list is empty")])
    if len(rows) > MAX_BULK_ROWS:
        raise BatchRejected([RowError(-1, "rows", f"at most {MAX_BULK_ROWS} rows")])
    checked, errors = _check_rows(rows, reason, clause, evidence, expires_at)
    if errors:
        raise BatchRejected(errors)

    entries = [_create(actor=actor, new=new) for new in checked]
    publish_policy(
        actor=actor,
        reason=f"{len(entries)} blacklist entries: {reason}",
        clause=clause,
    )
    for entry in entries:
        _queue_reregistrations(entry)
    return entries


def _check_rows(rows, reason, clause, evidence, expires_at):
    checked, errors, seen = [], [], {}
    for index, row in enumerate(rows):
        kind = str(row.get("kind", "")).strip()
        value = str(row.get("target", "")).strip()
        if (kind, value) in seen:
            errors.append(RowError(index, "target", f"repeats row {seen[kind, value]}"))
            continue
        seen[kind, value] = index
        try:
            new = NewEntry(
                kind=kind,
                target=_lookup(kind, value),
                pattern=value if kind == TargetKind.KEYWORD else "",
                reason=reason,
                clause=clause,
                evidence=evidence,
                expires_at=expires_at,
            )
            checked.append(check_entry(new))
        except TrustError as problem:
            errors.append(RowError(index, "target", str(problem)))
    return checked, errors


def _lookup(kind: str, external_id: str):
    if kind not in TARGET_MODELS:
        return None
    model, _ = TARGET_MODELS[kind]
    found = model.objects.filter(external_id=external_id).first()
    if found is None:
        raise TrustError(f"unknown {kind} {external_id!r}")
    return found


def _create(*, actor, new: NewEntry) -> BlacklistEntry:
    now = timezone.now()
    entry = BlacklistEntry(
        kind=new.kind,
        pattern=new.pattern.strip(),
        is_regex=new.is_regex,
        reason=new.reason.strip(),
        clause=new.clause,
        evidence=new.evidence,
        starts_at=new.starts_at or now,
        expires_at=new.expires_at,
        created_by=person(actor),
        created_at=now,
    )
    if new.kind == TargetKind.KEYWORD:
        entry.matched_rooms, entry.matched_products = keywords.match(
            entry.pattern, is_regex=entry.is_regex
        )
        entry.compiled_at = now
    else:
        setattr(entry, TARGET_MODELS[new.kind][1], new.target)
    _save(entry, actor, f"blacklisted ({new.clause}): {entry.reason}")
    logger.info("blacklist entry added", extra={"entry": entry.pk, "kind": new.kind})
    return entry


def _queue_reregistrations(entry: BlacklistEntry) -> None:
    from recengine.trust.services.reregistration import cases_for_entry

    cases_for_entry(entry)


@transaction.atomic
def request_lift(*, actor, entry: BlacklistEntry, reason: str) -> BlacklistEntry:
    """First pair of eyes: ask for an entry to be lifted. It applies until approved."""
    entry = BlacklistEntry.objects.select_for_update().get(pk=entry.pk)
    _check_liftable(entry, reason)
    if entry.state == EntryState.LIFT_REQUESTED:
        raise TrustError("a lift of this entry is already waiting for approval")

    entry.state = EntryState.LIFT_REQUESTED
    entry.lift_requested_by = person(actor)
    entry.lift_reason = reason.strip()
    _save(entry, actor, f"lift requested ({entry.clause}): {entry.lift_reason}")
    return entry


@transaction.atomic
def approve_lift(*, actor, entry: BlacklistEntry, reason: str) -> BlacklistEntry:
    """Second pair of eyes: someone other than the requester lifts the entry."""
    entry = BlacklistEntry.objects.select_for_update().get(pk=entry.pk)
    _check_liftable(entry, reason)
    if entry.state != EntryState.LIFT_REQUESTED:
        raise TrustError("nobody has requested a lift of this entry")
    if person(actor) is None or entry.lift_requested_by_id == actor.pk:
        raise TrustError("a lift must be approved by a person other than the requester")

    entry.state = EntryState.LIFTED
    entry.lifted_by = actor
    entry.lifted_at = timezone.now()
    _save(entry, actor, f"lift approved ({entry.clause}): {reason.strip()}")
    publish_policy(
        actor=actor, reason=f"blacklist entry {entry.pk} lifted", clause=entry.clause
    )
    return entry


@transaction.atomic
def reject_lift(*, actor, entry: BlacklistEntry, reason: str) -> BlacklistEntry:
    """The second person refuses the lift; the entry stays active."""
    entry = BlacklistEntry.objects.select_for_update().get(pk=entry.pk)
    _check_liftable(entry, reason)
    if entry.state != EntryState.LIFT_REQUESTED:
        raise TrustError("nobody has requested a lift of this entry")
    if person(actor) is None or entry.lift_requested_by_id == actor.pk:
        raise TrustError("a lift must be decided by a person other than the requester")

    entry.state = EntryState.ACTIVE
    _save(entry, actor, f"lift refused ({entry.clause}): {reason.strip()}")
    return entry


def _check_liftable(entry: BlacklistEntry, reason: str) -> None:
    if not reason.strip():
        raise TrustError("a reason is required")
    if len(reason) > MAX_TEXT:
        raise TrustError(f"the reason is longer than {MAX_TEXT} characters")
    if entry.state == EntryState.LIFTED:
        raise TrustError("this entry was already lifted")
    if entry.expires_at is not None and entry.expires_at <= timezone.now():
        raise TrustError("this entry has expired and no longer applies")


def _save(instance, actor, reason: str) -> None:
    stamp(instance, actor=actor, reason=reason)
    instance.save()
