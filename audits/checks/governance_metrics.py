"""Governance checks on the blacklist and merchant credit (clauses 5.4.3, 6.2).

A blacklist entry binds from ``starts_at`` until it is lifted or expires; an
exposure binds to an entry when it shows the listed live room or product, a room
of the listed anchor, or a product or room of the listed merchant.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from django.db.models import Exists, OuterRef, Q, QuerySet

from audits.checks.registry import (
    AuditContext,
    Measurement,
    MetricUnavailable,
    metric,
)
from recengine.models import Event, EventKind
from recengine.trust.models import (
    BlacklistEntry,
    CreditTier,
    MerchantCredit,
    TargetKind,
)

# From the best credit to the worst: exposure may not rise along this order.
TIER_ORDER = (CreditTier.A, CreditTier.B, CreditTier.C, CreditTier.D)


def _binding(entries: QuerySet, target: dict[str, Any]) -> Exists:
    in_force = (
        Q(starts_at__lte=OuterRef("occurred_at"))
        & (Q(lifted_at__isnull=True) | Q(lifted_at__gt=OuterRef("occurred_at")))
        & (Q(expires_at__isnull=True) | Q(expires_at__gt=OuterRef("occurred_at")))
    )
    return Exists(entries.filter(in_force, **target))


def blacklisted_exposures_of(events: QuerySet[Event]) -> QuerySet[Event]:
    entries = BlacklistEntry.objects.all()
    shown = (
        _binding(entries, {"room": OuterRef("room_id")})
        | _binding(entries, {"product": OuterRef("product_id")})
        | _binding(entries, {"anchor": OuterRef("room__anchor_id")})
        | _binding(entries, {"merchant": OuterRef("product__merchant_id")})
        | _binding(entries, {"merchant": OuterRef("room__merchant_id")})
        | _keyword_matches()
    )
    return events.filter(kind=EventKind.IMPRESSION).filter(shown)


def _keyword_matches() -> Q:
    """Keyword entries bind the rooms and products their pattern matched; there
    are few of them, so each becomes one condition."""
    condition = Q(pk__in=[])
    keywords = BlacklistEntry.objects.filter(kind=TargetKind.KEYWORD)
    for entry in keywords.only(
        "starts_at", "lifted_at", "expires_at", "matched_rooms", "matched_products"
    ):
        window = Q(occurred_at__gte=entry.starts_at)
        for end in (entry.lifted_at, entry.expires_at):
            if end is not None:
                window &= Q(occurred_at__lt=end)
        items = Q(room_id__in=entry.matched_rooms, product__isnull=True) | Q(
            product_id__in=entry.matched_products
        )
        condition |= window & items
    return condition


@metric("governance.blacklisted_exposures")
def blacklisted_exposures(context: AuditContext, check: dict[str, Any]) -> Measurement:
    exposures = context.period.events().filter(kind=EventKind.IMPRESSION)
    total = exposures.count()
    if not total:
        raise MetricUnavailable("no exposures in the period")
    offending = blacklisted_exposures_of(exposures)
    count = offending.count()
    return Measurement(
        count,
        total,
        "impressions of a live room, product, anchor or merchant while a "
        "blacklist entry against it was in force",
        sample_ids=list(offending.values_list("event_id", flat=True)[:20]),
    )


def exposure_by_tier(context: AuditContext) -> pd.DataFrame:
    """Mean exposures per merchant in each credit tier, zero-exposure merchants in."""
    credit = pd.DataFrame.from_records(
        list(MerchantCredit.objects.values_list("merchant_id", "tier")),
        columns=["merchant", "tier"],
    )
    if credit.empty:
        return credit
    merchants = context.merchant_exposures
    credit["exposures"] = credit["merchant"].map(merchants).fillna(0)
    table = credit.groupby("tier")["exposures"].agg(["mean", "size"])
    return table.reindex([tier for tier in TIER_ORDER if tier in table.index])


@metric("governance.credit_monotonicity_violations")
def credit_monotonicity(context: AuditContext, check: dict[str, Any]) -> Measurement:
    table = exposure_by_tier(context)
    if len(table) < 2:
        raise MetricUnavailable("fewer than two credit tiers hold merchants")
    means = table["mean"].to_list()
    tiers = [str(tier) for tier in table.index]
    # Each pair of adjacent tiers where the worse credit got more exposure.
    rises = [
        f"{tiers[i]}<{tiers[i + 1]}"
        for i in range(len(means) - 1)
        if means[i + 1] > means[i]
    ]
    return Measurement(
        len(rises),
        int(table["size"].sum()),
        "adjacent credit tiers (A best to D worst) where mean exposure per "
        "merchant rises as credit falls",
        sample_ids=rises,
        detail={
            "tiers": tiers,
            "mean_exposures": means,
            "merchants": table["size"].astype(int).to_list(),
        },
    )
