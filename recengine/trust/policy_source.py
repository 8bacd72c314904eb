"""What trust & safety contributes to the policy snapshot (a ``POLICY_SOURCES`` item).

Blacklist entries in force now, keyword matches compiled earlier, credit multipliers
and caps by tier, and quality boosts. ``valid_until`` is the next moment an entry
starts or expires, so serving rebuilds then without waiting for a publish.
"""

from __future__ import annotations

import math

from django.db.models import Q
from django.utils import timezone

from recengine.governance.policy import PolicyPart
from recengine.trust import credit
from recengine.trust.models import (
    BlacklistEntry,
    EntryState,
    MerchantCredit,
    QualityScore,
    TargetKind,
)

_TARGET_SETS = {
    TargetKind.ANCHOR: ("anchor_id", "blocked_anchors"),
    TargetKind.MERCHANT: ("merchant_id", "blocked_merchants"),
    TargetKind.PRODUCT: ("product_id", "blocked_products"),
    TargetKind.LIVE_ROOM: ("room_id", "blocked_rooms"),
}


def collect() -> PolicyPart:
    part = PolicyPart()
    now = timezone.now()
    _blacklist(part, now)
    _credit(part)
    _quality(part)
    return part


def _blacklist(part: PolicyPart, now) -> None:
    live = BlacklistEntry.objects.exclude(state=EntryState.LIFTED).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    )
    for entry in live.iterator():
        if entry.starts_at > now:
            part.valid_until = min(part.valid_until, entry.starts_at.timestamp())
            continue
        if entry.expires_at is not None:
            part.valid_until = min(part.valid_until, entry.expires_at.timestamp())
        if entry.kind == TargetKind.KEYWORD:
            part.keyword_blocked_rooms.update(entry.matched_rooms)
            part.keyword_blocked_products.update(entry.matched_products)
            continue
        attribute, target_set = _TARGET_SETS[entry.kind]
        getattr(part, target_set).add(getattr(entry, attribute))
    if part.valid_until <= now.timestamp():
        part.valid_until = math.inf


def _credit(part: PolicyPart) -> None:
    rows = MerchantCredit.objects.values_list("merchant_id", "tier", "restricted")
    for merchant, tier, restricted in rows.iterator():
        multiplier, cap = credit.exposure(tier, restricted=restricted)
        part.credit_multiplier[merchant] = multiplier
        part.exposure_cap[merchant] = cap


def _quality(part: PolicyPart) -> None:
    rows = QualityScore.objects.filter(boost__gt=1.0).values_list(
        "merchant_id", "boost"
    )
    part.quality_boost.update(rows.iterator())
