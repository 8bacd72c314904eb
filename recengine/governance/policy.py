"""The policy snapshot: every governance decision serving must obey, as plain data.

The console owns blacklists, merchant credit, moderation outcomes and AIGC labels;
serving never imports console code. Whoever publishes a policy builds a
``PolicySnapshot`` whose ``version`` increases with every change, and serving keeps
the newest one it could confirm (DESIGN.md "Policy snapshot").
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

EMPTY: frozenset[int] = frozenset()


@dataclass(frozen=True)
class PolicySnapshot:
    version: int
    blocked_anchors: frozenset[int] = EMPTY
    blocked_merchants: frozenset[int] = EMPTY
    blocked_products: frozenset[int] = EMPTY
    blocked_rooms: frozenset[int] = EMPTY
    # Compiled by the publisher from keyword / pattern entries matched against titles,
    # descriptions and transcripts, so serving never runs a regex per request.
    keyword_blocked_rooms: frozenset[int] = EMPTY
    keyword_blocked_products: frozenset[int] = EMPTY
    # Items whose moderation is pending at high risk, or rejected (clause 6.1).
    unreviewed_rooms: frozenset[int] = EMPTY
    unreviewed_products: frozenset[int] = EMPTY
    # Merchant credit (clause 6.2.2): exposure multiplier in [0, 1]; 0 = restricted.
    credit_multiplier: dict[int, float] = field(default_factory=dict)
    # Quality boost (clause 6.2.1): multiplier >= 1 for quality content and merchants.
    quality_boost: dict[int, float] = field(default_factory=dict)
    # AIGC labels (clause 6.4) by ("live_room" | "product", pk).
    labels: dict[tuple[str, int], tuple[str, ...]] = field(default_factory=dict)
    # Merchant credit (clause 6.2.2): most items of one merchant in a list, by tier.
    exposure_cap: dict[int, int] = field(default_factory=dict)
    # Epoch seconds at which an entry starts or expires: the snapshot must be rebuilt
    # then even if no one publishes, so an expired entry stops applying on time.
    valid_until: float = math.inf
    # Clause 6.1: once the platform runs the machine screen, only items it has
    # screened may be served; None means no screening gate (it never ran).
    screened_rooms: frozenset[int] | None = None
    screened_products: frozenset[int] | None = None

    def blocks_room(self, room: int, anchor: int, merchant: int | None) -> bool:
        return (
            room in self.blocked_rooms
            or room in self.keyword_blocked_rooms
            or room in self.unreviewed_rooms
            or (self.screened_rooms is not None and room not in self.screened_rooms)
            or anchor in self.blocked_anchors
            or (merchant is not None and merchant in self.blocked_merchants)
        )

    def blocks_product(self, product: int, merchant: int) -> bool:
        return (
            product in self.blocked_products
            or product in self.keyword_blocked_products
            or product in self.unreviewed_products
            or (
                self.screened_products is not None
                and product not in self.screened_products
            )
            or merchant in self.blocked_merchants
        )

    def multiplier(self, merchant: int | None) -> float:
        if merchant is None:
            return 1.0
        return self.credit_multiplier.get(merchant, 1.0)


NO_POLICY = PolicySnapshot(version=0)


def allowed_items(
    policy: PolicySnapshot,
    kind: str,
    pk: np.ndarray,
    *,
    anchor: np.ndarray | None,
    merchant: np.ndarray | None,
) -> np.ndarray:
    """Which of these items (parallel key arrays) the policy lets through.

    Screened once the screen runs (6.1), not blacklisted, keyword-matched or
    unreviewed, not of a blocked anchor or merchant, not of a restricted merchant
    (credit multiplier or exposure cap of zero, 6.2.2). ``kind`` is "live_room" or
    "product"; an array given as None blocks nothing by that key.
    """
    live = kind == "live_room"
    blocked = (
        policy.blocked_rooms | policy.keyword_blocked_rooms | policy.unreviewed_rooms
        if live
        else policy.blocked_products
        | policy.keyword_blocked_products
        | policy.unreviewed_products
    )
    mask = ~np.isin(pk, list(blocked))
    screened = policy.screened_rooms if live else policy.screened_products
    if screened is not None:
        mask &= np.isin(pk, np.fromiter(screened, dtype=np.int64))
    if anchor is not None:
        mask &= ~np.isin(anchor, list(policy.blocked_anchors))
    if merchant is not None:
        restricted = {m for m, f in policy.credit_multiplier.items() if f <= 0}
        restricted |= {m for m, cap in policy.exposure_cap.items() if cap <= 0}
        mask &= ~np.isin(merchant, list(policy.blocked_merchants | restricted))
    return mask


@dataclass
class PolicyPart:
    """What one policy source contributes; the publisher merges the parts.

    Same fields as ``PolicySnapshot`` without the version, mutable so a source can
    fill it step by step. Merging unions the sets, keeps the lowest credit
    multiplier and exposure cap, the highest quality boost, the earliest
    ``valid_until``, intersects the allow-lists of screened items and concatenates
    labels.
    """

    blocked_anchors: set[int] = field(default_factory=set)
    blocked_merchants: set[int] = field(default_factory=set)
    blocked_products: set[int] = field(default_factory=set)
    blocked_rooms: set[int] = field(default_factory=set)
    keyword_blocked_rooms: set[int] = field(default_factory=set)
    keyword_blocked_products: set[int] = field(default_factory=set)
    unreviewed_rooms: set[int] = field(default_factory=set)
    unreviewed_products: set[int] = field(default_factory=set)
    credit_multiplier: dict[int, float] = field(default_factory=dict)
    quality_boost: dict[int, float] = field(default_factory=dict)
    labels: dict[tuple[str, int], tuple[str, ...]] = field(default_factory=dict)
    exposure_cap: dict[int, int] = field(default_factory=dict)
    valid_until: float = math.inf
    # Allow-lists: None contributes no gate; several sources intersect.
    screened_rooms: set[int] | None = None
    screened_products: set[int] | None = None
