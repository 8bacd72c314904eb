"""Permission-checked reads of moderation and AIGC data for the console and the API.

A user without the view permission gets an empty queryset, never an error that
tells them what exists.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.db.models import Count, QuerySet

from recengine.moderation.models import (
    OPEN_STATUSES,
    AigcCase,
    AigcLabel,
    Appeal,
    AppealStatus,
    Decision,
    ModerationCase,
    Queue,
    ScreenModel,
)

VIEW_CASES = "moderation.view_moderationcase"
REVIEW = "moderation.review_moderationcase"
VIEW_LABELS = "moderation.view_aigclabel"
VIEW_AIGC_CASES = "moderation.view_aigccase"
DECLARE = "moderation.declare_aigclabel"
ENFORCE = "moderation.enforce_aigccase"
HUMAN_QUEUES = [queue for queue in Queue if queue not in (Queue.NONE, Queue.APPEAL)]


def cases(user) -> QuerySet[ModerationCase]:
    if not user.has_perm(VIEW_CASES):
        return ModerationCase.objects.none()
    return ModerationCase.objects.select_related(
        "room", "product", "anchor", "claimed_by"
    )


def open_queue(user, queue: str) -> QuerySet[ModerationCase]:
    """Open, current cases of one queue, most urgent first."""
    return (
        cases(user)
        .filter(current=True, status__in=OPEN_STATUSES, queue=queue)
        .order_by("-priority", "screened_at", "pk")
    )


def queue_counts(user) -> dict[str, int]:
    rows = (
        cases(user)
        .filter(current=True, status__in=OPEN_STATUSES)
        .values("queue")
        .annotate(n=Count("pk"))
    )
    counts = {queue: 0 for queue in HUMAN_QUEUES}
    counts.update({row["queue"]: row["n"] for row in rows})
    return counts


def open_appeals(user) -> QuerySet[Appeal]:
    if not user.has_perm(VIEW_CASES):
        return Appeal.objects.none()
    return (
        Appeal.objects.filter(status=AppealStatus.OPEN)
        .select_related("case", "filed_by", "original_decider")
        .order_by("filed_at")
    )


def decisions(user, case: ModerationCase) -> QuerySet[Decision]:
    if not user.has_perm(VIEW_CASES):
        return Decision.objects.none()
    return case.decisions.select_related("decided_by").order_by("decided_at", "pk")


@dataclass(frozen=True)
class ReviewTime:
    queue: str
    label: str
    decisions: int
    p50_minutes: float | None
    p95_minutes: float | None


def review_times(user) -> list[ReviewTime]:
    """Minutes from routing to a reviewer's decision, per queue (clause 6.1.1)."""
    if not user.has_perm(VIEW_CASES):
        return []
    rows = Decision.objects.filter(
        automated=False, review_seconds__isnull=False
    ).values_list("queue", "review_seconds")
    by_queue: dict[str, list[float]] = {}
    for queue, seconds in rows.iterator(chunk_size=5000):
        by_queue.setdefault(queue, []).append(seconds / 60.0)
    out = []
    for queue in [*HUMAN_QUEUES, Queue.APPEAL]:
        values = np.array(by_queue.get(queue, []))
        out.append(
            ReviewTime(
                queue=queue.value,
                label=str(queue.label),
                decisions=len(values),
                p50_minutes=float(np.percentile(values, 50)) if len(values) else None,
                p95_minutes=float(np.percentile(values, 95)) if len(values) else None,
            )
        )
    return out


def active_screen(user) -> ScreenModel | None:
    if not user.has_perm(VIEW_CASES):
        return None
    return ScreenModel.objects.filter(is_active=True).order_by("-trained_at").first()


def labels(user) -> QuerySet[AigcLabel]:
    if not user.has_perm(VIEW_LABELS):
        return AigcLabel.objects.none()
    return AigcLabel.objects.select_related("room", "product", "declared_by").order_by(
        "-created_at", "-pk"
    )


def aigc_cases(user) -> QuerySet[AigcCase]:
    if not user.has_perm(VIEW_AIGC_CASES):
        return AigcCase.objects.none()
    return AigcCase.objects.select_related("room", "product", "anchor").order_by(
        "status", "-opened_at", "-pk"
    )


def labels_by_target(
    room_ids=(), product_ids=()
) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
    """Explicit labels of the given rooms and products, for catalogue lists."""
    rooms: dict[int, list[str]] = {}
    products: dict[int, list[str]] = {}
    rows = AigcLabel.objects.filter(active=True).values_list(
        "room_id", "product_id", "explicit"
    )
    rows = rows.filter(room_id__in=list(room_ids)) | rows.filter(
        product_id__in=list(product_ids)
    )
    for room, product, explicit in rows.order_by("pk"):
        target = (
            rooms.setdefault(room, []) if room else products.setdefault(product, [])
        )
        if explicit not in target:
            target.append(explicit)
    return rooms, products
