"""AIGC labels on served items (clause 6.4.1): every item leaves with the explicit
labels the published policy holds for it, after whatever the catalogue attached."""

from __future__ import annotations

from dataclasses import replace

from recengine.governance.policy import PolicySnapshot
from recengine.serving.baseline import Ranked


def with_policy_labels(ranked: list[Ranked], policy: PolicySnapshot) -> list[Ranked]:
    if not policy.labels:
        return ranked
    out = []
    for entry in ranked:
        kind = entry.item.kind
        pk = entry.keys.room_id if kind == "live_room" else entry.keys.product_id
        extra = policy.labels.get((kind, pk), ()) if pk is not None else ()
        if not extra:
            out.append(entry)
            continue
        labels = list(dict.fromkeys([*entry.item.labels, *extra]))
        out.append(replace(entry, item=replace(entry.item, labels=labels)))
    return out
