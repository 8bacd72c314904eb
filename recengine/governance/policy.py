"""The policy snapshot: every governance decision serving must obey, as plain data.

The console owns blacklists, merchant credit, moderation outcomes and AIGC labels;
serving never imports console code. Whoever publishes a policy builds a
``PolicySnapshot`` whose ``version`` increases with every change, and serving keeps
the newest one it could confirm (DESIGN.md "Policy snapshot").
"""

from __future__ import annotations

from dataclasses import dataclass, field

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

    def blocks_room(self, room: int, anchor: int, merchant: int | None) -> bool:
        return (
            room in self.blocked_rooms
            or room in self.keyword_blocked_rooms
            or room in self.unreviewed_rooms
            or anchor in self.blocked_anchors
            or (merchant is not None and merchant in self.blocked_merchants)
        )

    def blocks_product(self, product: int, merchant: int) -> bool:
        return (
            product in self.blocked_products
            or product in self.keyword_blocked_products
            or product in self.unreviewed_products
            or merchant in self.blocked_merchants
        )

    def multiplier(self, merchant: int | None) -> float:
        if merchant is None:
            return 1.0
        return self.credit_multiplier.get(merchant, 1.0)


NO_POLICY = PolicySnapshot(version=0)
