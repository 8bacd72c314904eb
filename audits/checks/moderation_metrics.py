"""Moderation checks (clauses 6.1, 6.4): every exposed item screened first, risky
and AI-synthesised content routed to people, nothing blocked ever shown, and AI
anchors and backgrounds labelled wherever they are shown.

An exposure shows a product when it names one and its live room otherwise; the
moderation case of a product is its product information, of a live room its title.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from django.db.models import Exists, Min, OuterRef, Q

from audits.checks.registry import (
    AuditContext,
    Measurement,
    MetricUnavailable,
    metric,
)
from recengine.models import EventKind
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


def _first_exposures(context: AuditContext, item: str):
    exposures = context.period.events().filter(kind=EventKind.IMPRESSION)
    if item == "room":
        exposures = exposures.filter(product__isnull=True, room__isnull=False)
    else:
        exposures = exposures.filter(product__isnull=False)
    return exposures.values(f"{item}_id").annotate(first=Min("occurred_at")).order_by()


@metric("moderation.screened_before_exposure_share")
def screened_before_exposure(
    context: AuditContext, check: dict[str, Any]
) -> Measurement:
    total, unscreened = 0, []
    for item, kind in ITEM_CASES:
        first = pd.DataFrame.from_records(
            list(_first_exposures(context, item).values_list(f"{item}_id", "first")),
            columns=["item", "first"],
        )
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
    exposures = context.period.events().filter(kind=EventKind.IMPRESSION)
    total = exposures.count()
    if not total:
        raise MetricUnavailable("no exposures in the period")
    shown = Q(product__isnull=False) & _blocking("product", ContentKind.PRODUCT)
    shown |= Q(product__isnull=True) & _blocking("room", ContentKind.ROOM_TITLE)
    offending = exposures.filter(shown)
    return Measurement(
        offending.count(),
        total,
        "impressions of a product or live room whose moderation case was pending "
        "or rejected at that moment",
        sample_ids=list(offending.values_list("event_id", flat=True)[:20]),
    )


def _labelled(content: str) -> Exists:
    """An active label of ``content`` with both parts (explicit text, implicit
    metadata) on the shown live room, created before the exposure."""
    labels = AigcLabel.objects.filter(
        room=OuterRef("room_id"),
        content=content,
        active=True,
        created_at__lte=OuterRef("occurred_at"),
    ).exclude(explicit="")
    return Exists(labels.exclude(metadata={}))


@metric("aigc.labelled_exposure_share")
def labelled_exposure_share(
    context: AuditContext, check: dict[str, Any]
) -> Measurement:
    shown = context.period.events().filter(
        kind=EventKind.IMPRESSION, room__isnull=False
    )
    digital = Q(room__anchor__is_digital_human=True)
    virtual = Q(room__virtual_background=True)
    synthetic = shown.filter(digital | virtual)
    total = synthetic.count()
    if not total:
        raise MetricUnavailable("no exposure of AI-generated anchors or backgrounds")
    unlabelled = synthetic.filter(
        (digital & ~_labelled(AigcContent.DIGITAL_HUMAN))
        | (virtual & ~_labelled(AigcContent.VIRTUAL_BACKGROUND))
    )
    count = unlabelled.count()
    return Measurement(
        (total - count) / total,
        total,
        "exposures of live rooms with a digital-human anchor or a virtual "
        "background that carried an active explicit and implicit label for each",
        sample_ids=list(unlabelled.values_list("event_id", flat=True)[:20]),
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
    shown = context.period.events().filter(
        kind=EventKind.IMPRESSION, room__isnull=False
    )
    total = shown.count()
    if not total:
        raise MetricUnavailable("no live-room exposures in the period")
    offending = shown.filter(Exists(found), ~Exists(consented))
    return Measurement(
        offending.count(),
        total,
        "live-room exposures of an anchor with an impersonation finding and no "
        "consent record in force at that moment",
        sample_ids=list(offending.values_list("event_id", flat=True)[:20]),
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
