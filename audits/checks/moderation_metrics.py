"""Moderation checks (clauses 6.1, 6.4): every exposed item screened first, risky
and AI-synthesised content routed to people, nothing blocked ever shown, and AI
anchors and backgrounds labelled wherever they are shown.

An exposure shows a product when it names one and its live room otherwise; the
moderation case of a product is its product information, of a live room its title.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from django.db.models import Exists, F, Min, OuterRef, Q

from audits.checks.registry import (
    AuditContext,
    Measurement,
    MetricUnavailable,
    metric,
    sample_event_ids,
)
from recengine.models import EventKind, LiveRoom
from recengine.moderation.models import (
    AigcCase,
    AigcCaseStatus,
    AigcContent,
    AigcLabel,
    CaseStatus,
    ConsentRecord,
    ContentKind,
    ModerationCase,
    Queue,
    Verdict,
)

ITEM_CASES = (("product", ContentKind.PRODUCT), ("room", ContentKind.ROOM_TITLE))


def _first_exposures(context: AuditContext, item: str) -> pd.DataFrame:
    """Each shown product (or live room shown without a product) with the first
    moment it was exposed in the period, from the shared exposure summary."""
    summary = context.exposures
    if item == "room":
        shown = summary[summary["product_id"].isna() & summary["room_id"].notna()]
    else:
        shown = summary[summary["product_id"].notna()]
    first = shown.groupby(f"{item}_id")["first"].min()
    return pd.DataFrame(
        {"item": first.index.astype("int64"), "first": first.to_numpy()}
    )


@metric("moderation.screened_before_exposure_share")
def screened_before_exposure(
    context: AuditContext, check: dict[str, Any]
) -> Measurement:
    total, unscreened = 0, []
    for item, kind in ITEM_CASES:
        first = _first_exposures(context, item)
        screens = ModerationCase.objects.filter(
            kind=kind, **{f"{item}__in": first["item"].tolist()}
        )
        earliest = pd.DataFrame.from_records(
            list(
                screens.values(f"{item}_id")
                .annotate(screened=Min("screened_at"))
                .order_by()
                .values_list(f"{item}_id", "screened")
            ),
            columns=["item", "screened"],
        )
        merged = first.merge(earliest, on="item", how="left")
        late = merged["screened"].isna() | (merged["screened"] > merged["first"])
        total += len(merged)
        unscreened += [f"{item}:{key}" for key in merged.loc[late, "item"]]
    if not total:
        raise MetricUnavailable("no exposures in the period")
    return Measurement(
        (total - len(unscreened)) / total,
        total,
        "exposed products and live rooms with a machine screen before their "
        "first exposure in the period / all exposed items",
        sample_ids=unscreened,
    )


def _routed_share(cases, what: str) -> Measurement:
    total = cases.count()
    if not total:
        raise MetricUnavailable(f"no {what} screened in the period")
    unrouted = cases.filter(queue=Queue.NONE)
    count = unrouted.count()
    return Measurement(
        (total - count) / total,
        total,
        f"{what} routed to a human review queue / all {what}",
        sample_ids=list(unrouted.values_list("pk", flat=True)[:20]),
    )


def _screened_in(context: AuditContext):
    return ModerationCase.objects.filter(
        screened_at__gte=context.period.start, screened_at__lt=context.period.end
    )


@metric("moderation.escalated_to_human_share")
def escalated_to_human(context: AuditContext, check: dict[str, Any]) -> Measurement:
    risky = _screened_in(context).filter(Q(high_risk=True) | Q(ai_synthesised=True))
    return _routed_share(risky, "high-risk or AI-synthesised cases")


@metric("moderation.aigc_reviewed_share")
def aigc_reviewed(context: AuditContext, check: dict[str, Any]) -> Measurement:
    synthesised = _screened_in(context).filter(ai_synthesised=True)
    return _routed_share(synthesised, "AI-synthesised cases")


def _blocking(item: str, kind: str) -> Exists:
    """A case of the shown item that was pending or rejected at exposure time."""
    at = OuterRef("occurred_at")
    pending = Q(screened_at__lte=at) & (
        Q(
            decided_at__isnull=True,
            status__in=(CaseStatus.PENDING, CaseStatus.ESCALATED),
        )
        | Q(decided_at__gt=at)
    )
    rejected = Q(status=CaseStatus.REJECTED, decided_at__lte=at)
    cases = ModerationCase.objects.filter(kind=kind, **{item: OuterRef(f"{item}_id")})
    return Exists(cases.filter(pending | rejected))


@metric("governance.blocked_exposures")
def blocked_exposures(context: AuditContext, check: dict[str, Any]) -> Measurement:
    total = context.exposure_total
    if not total:
        raise MetricUnavailable("no exposures in the period")
    exposures = context.period.events().filter(kind=EventKind.IMPRESSION)
    # Only items that ever had a case able to block them are looked at: the
    # event indexes find their impressions, the rest of the log is never probed.
    products = _ever_blocking("product", ContentKind.PRODUCT)
    shown = Q(product_id__in=products) & _blocking("product", ContentKind.PRODUCT)
    shown |= (
        Q(product__isnull=True)
        & Q(room_id__in=_ever_blocking("room", ContentKind.ROOM_TITLE))
        & _blocking("room", ContentKind.ROOM_TITLE)
    )
    offending = exposures.filter(shown)
    count = offending.count()
    return Measurement(
        count,
        total,
        "impressions of a product or live room whose moderation case was pending "
        "or rejected at that moment",
        sample_ids=sample_event_ids(offending, count),
    )


def _ever_blocking(item: str, kind: str) -> list[int]:
    """Items with a case that was pending for a while, is pending, or rejected."""
    cases = ModerationCase.objects.filter(kind=kind, **{f"{item}__isnull": False})
    blocking = cases.filter(
        Q(decided_at__isnull=True)
        | Q(decided_at__gt=F("screened_at"))
        | Q(status=CaseStatus.REJECTED)
    )
    return list(blocking.values_list(f"{item}_id", flat=True).distinct())


def _labelled_from(content: str, rooms: list[int]) -> dict[int, object]:
    """Per room: when its first active label of ``content`` with both parts
    (explicit text, implicit metadata) was created."""
    labels = (
        AigcLabel.objects.filter(room__in=rooms, content=content, active=True)
        .exclude(explicit="")
        .exclude(metadata={})
        .values("room_id")
        .annotate(first=Min("created_at"))
        .order_by()
    )
    return {row["room_id"]: row["first"] for row in labels}


@metric("aigc.labelled_exposure_share")
def labelled_exposure_share(
    context: AuditContext, check: dict[str, Any]
) -> Measurement:
    """An exposure of a room with a digital-human anchor or a virtual background
    is labelled when, for each, an active label with both parts was created
    before it. The rooms are few, so each gets one condition on the indexed
    (room, time) of the log: shown before its labels, or shown with none."""
    needs = {
        AigcContent.DIGITAL_HUMAN: set(
            LiveRoom.objects.filter(anchor__is_digital_human=True).values_list(
                "pk", flat=True
            )
        ),
        AigcContent.VIRTUAL_BACKGROUND: set(
            LiveRoom.objects.filter(virtual_background=True).values_list(
                "pk", flat=True
            )
        ),
    }
    rooms = sorted(set().union(*needs.values()))
    shown = context.period.events().filter(kind=EventKind.IMPRESSION)
    synthetic = shown.filter(room_id__in=rooms)
    # How many there were is in the audit's exposure summary; only the unlabelled
    # ones need the log.
    summary = context.exposures
    total = int(summary.loc[summary["room_id"].isin(rooms), "exposures"].sum())
    if not total:
        raise MetricUnavailable("no exposure of AI-generated anchors or backgrounds")

    since: dict[int, list] = {room: [] for room in rooms}
    for content, needing in needs.items():
        found = _labelled_from(content, sorted(needing))
        for room in needing:
            since[room].append(found.get(room))
    unlabelled_rooms = [room for room, at in since.items() if None in at]
    condition = Q(room_id__in=unlabelled_rooms)
    for room, at in since.items():
        if None not in at:
            condition |= Q(room_id=room, occurred_at__lt=max(at))
    unlabelled = synthetic.filter(condition)
    count = unlabelled.count()
    return Measurement(
        (total - count) / total,
        total,
        "exposures of live rooms with a digital-human anchor or a virtual "
        "background that carried an active explicit and implicit label for each",
        sample_ids=sample_event_ids(unlabelled, count),
    )


@metric("aigc.unconsented_likeness_exposures")
def unconsented_likeness_exposures(
    context: AuditContext, check: dict[str, Any]
) -> Measurement:
    """Exposures of an anchor found imitating a public figure, after the finding,
    while no consent record for that anchor was in force (an impersonation case
    does not name the figure, so any consent of the anchor counts)."""
    at = OuterRef("occurred_at")
    found = AigcCase.objects.filter(
        verdict=Verdict.IMPERSONATION,
        anchor=OuterRef("room__anchor_id"),
        opened_at__lte=at,
    )
    consented = ConsentRecord.objects.filter(
        anchor=OuterRef("room__anchor_id"), granted_at__lte=at
    ).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=at))
    summary = context.exposures
    total = int(summary.loc[summary["room_id"].notna(), "exposures"].sum())
    if not total:
        raise MetricUnavailable("no live-room exposures in the period")
    shown = context.period.events().filter(kind=EventKind.IMPRESSION)
    suspects = AigcCase.objects.filter(verdict=Verdict.IMPERSONATION).values("anchor")
    rooms = LiveRoom.objects.filter(anchor__in=suspects).values_list("pk", flat=True)
    offending = shown.filter(room_id__in=list(rooms)).filter(
        Exists(found), ~Exists(consented)
    )
    count = offending.count()
    return Measurement(
        count,
        total,
        "live-room exposures of an anchor with an impersonation finding and no "
        "consent record in force at that moment",
        sample_ids=sample_event_ids(offending, count),
    )


LABEL_ABUSE = (Verdict.TAMPERED, Verdict.STRIPPED, Verdict.FORGED)


@metric("aigc.label_abuse_handled_share")
def label_abuse_handled(context: AuditContext, check: dict[str, Any]) -> Measurement:
    cases = AigcCase.objects.filter(
        verdict__in=LABEL_ABUSE,
        opened_at__gte=context.period.start,
        opened_at__lt=context.period.end,
    )
    total = cases.count()
    if not total:
        raise MetricUnavailable("no tampered, stripped or forged label in the period")
    open_cases = cases.filter(restricted=False, status=AigcCaseStatus.OPEN)
    count = open_cases.count()
    return Measurement(
        (total - count) / total,
        total,
        "tampered, stripped or forged labels whose content was restricted or "
        "whose case was closed / all such cases",
        sample_ids=list(open_cases.values_list("pk", flat=True)[:20]),
    )
