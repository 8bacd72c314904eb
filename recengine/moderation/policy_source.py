"""What moderation and AIGC labelling contribute to the policy snapshot.

Content the machine screen has not seen yet, pending high-risk and rejected content
are never recommended (clause 6.1): a room
counts when its title, its recent talk or danmaku, or its anchor's credentials are
such; restricted AIGC cases withhold their room or product; AI personas posing as a
public figure are blocked (6.4.2); and every labelled item carries its explicit
label (6.4.1).
"""

from __future__ import annotations

from django.db.models import Q

from recengine.governance.policy import PolicyPart
from recengine.models import LiveRoom
from recengine.moderation.models import (
    OPEN_STATUSES,
    AigcCase,
    AigcCaseStatus,
    AigcLabel,
    CaseStatus,
    ContentKind,
    ModerationCase,
    Verdict,
)

WITHHELD = Q(status=CaseStatus.REJECTED) | Q(status__in=OPEN_STATUSES, high_risk=True)


def collect() -> PolicyPart:
    part = PolicyPart()
    _screened(part)
    _withheld_cases(part)
    _restricted_cases(part)
    _labels(part)
    return part


def _screened(part: PolicyPart) -> None:
    """Once the machine screen has run, only what it has seen may be served: a new
    product or room waits for its first screen (clause 6.1, "before exposure")."""
    cases = ModerationCase.objects.all()
    if not cases.exists():
        return
    part.screened_products = set(
        cases.filter(kind=ContentKind.PRODUCT).values_list("product_id", flat=True)
    )
    part.screened_rooms = set(
        cases.filter(kind=ContentKind.ROOM_TITLE).values_list("room_id", flat=True)
    )


def _withheld_cases(part: PolicyPart) -> None:
    rows = ModerationCase.objects.filter(WITHHELD, current=True).values_list(
        "kind", "room_id", "product_id", "anchor_id"
    )
    anchors = set()
    for kind, room, product, anchor in rows.iterator(chunk_size=5000):
        if kind == ContentKind.PRODUCT:
            part.unreviewed_products.add(product)
        elif kind == ContentKind.CREDENTIALS:
            anchors.add(anchor)
        else:
            part.unreviewed_rooms.add(room)
    if anchors:
        rooms = LiveRoom.objects.filter(anchor__in=anchors).values_list("pk", flat=True)
        part.unreviewed_rooms.update(rooms)


def _restricted_cases(part: PolicyPart) -> None:
    rows = AigcCase.objects.filter(
        status=AigcCaseStatus.OPEN, restricted=True
    ).values_list("verdict", "room_id", "product_id", "anchor_id")
    for verdict, room, product, anchor in rows:
        if room is not None:
            part.unreviewed_rooms.add(room)
        if product is not None:
            part.unreviewed_products.add(product)
        if anchor is not None and verdict == Verdict.IMPERSONATION:
            part.blocked_anchors.add(anchor)


def _labels(part: PolicyPart) -> None:
    rows = (
        AigcLabel.objects.filter(active=True)
        .order_by("pk")
        .values_list("room_id", "product_id", "explicit")
    )
    for room, product, explicit in rows.iterator(chunk_size=5000):
        key = ("live_room", room) if room is not None else ("product", product)
        if explicit not in part.labels.get(key, ()):
            part.labels[key] = (*part.labels.get(key, ()), explicit)
