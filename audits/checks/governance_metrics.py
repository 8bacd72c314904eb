"""Governance checks on the blacklist and merchant credit (clauses 5.4.3, 6.2).

A blacklist entry binds from ``starts_at`` until it is lifted or expires; an
exposure binds to an entry when it shows the listed live room or product, a room
of the listed anchor, or a product or room of the listed merchant.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from django.db.models import Q, QuerySet

from audits.checks.registry import (
    AuditContext,
    Measurement,
    MetricUnavailable,
    metric,
    sample_event_ids,
)
from recengine.models import Event, EventKind, LiveRoom, Product
from recengine.trust.models import (
    BlacklistEntry,
    CreditTier,
    MerchantCredit,
    TargetKind,
)

# From the best credit to the worst: exposure may not rise along this order.
TIER_ORDER = (CreditTier.A, CreditTier.B, CreditTier.C, CreditTier.D)


def blacklisted_exposures_of(events: QuerySet[Event]) -> QuerySet[Event]:
    """The impressions among ``events`` shown while an entry bound them.

    One condition per entry, on the event's own indexed columns (room, product,
    time): entries are few and impressions many, so each entry is looked up in the
    event indexes instead of every impression being looked up among the entries.
    """
    condition = Q(pk__in=[])
    for entry in BlacklistEntry.objects.only(
        "kind",
        "anchor_id",
        "merchant_id",
        "product_id",
        "room_id",
        "starts_at",
        "lifted_at",
        "expires_at",
        "matched_rooms",
        "matched_products",
    ):
        window = Q(occurred_at__gte=entry.starts_at)
        for end in (entry.lifted_at, entry.expires_at):
            if end is not None:
                window &= Q(occurred_at__lt=end)
        condition |= window & _targets(entry)
    return events.filter(kind=EventKind.IMPRESSION).filter(condition)


def _targets(entry: BlacklistEntry) -> Q:
    """What an exposure shows when it falls under ``entry``: the listed room or
    product, a room of the listed anchor, a product or room of the listed
    merchant, or a room or product a keyword entry matched."""
    shown = Q(pk__in=[])
    if entry.room_id is not None:
        shown |= Q(room_id=entry.room_id)
    if entry.product_id is not None:
        shown |= Q(product_id=entry.product_id)
    if entry.anchor_id is not None:
        rooms = LiveRoom.objects.filter(anchor_id=entry.anchor_id).values("pk")
        shown |= Q(room_id__in=rooms)
    if entry.merchant_id is not None:
        products = Product.objects.filter(merchant_id=entry.merchant_id).values("pk")
        rooms = LiveRoom.objects.filter(merchant_id=entry.merchant_id).values("pk")
        shown |= Q(product_id__in=products) | Q(room_id__in=rooms)
    if entry.kind == TargetKind.KEYWORD:
        shown |= Q(room_id__in=entry.matched_rooms or [], product__isnull=True)
        shown |= Q(product_id__in=entry.matched_products or [])
    return shown


@metric("governance.blacklisted_exposures")
def blacklisted_exposures(context: AuditContext, check: dict[str, Any]) -> Measurement:
    total = context.exposure_total
    if not total:
        raise MetricUnavailable("no exposures in the period")
    exposures = context.period.events().filter(kind=EventKind.IMPRESSION)
    offending = blacklisted_exposures_of(exposures)
    count = offending.count()
    return Measurement(
        count,
        total,
        "impressions of a live room, product, anchor or merchant while a "
        "blacklist entry against it was in force",
        sample_ids=sample_event_ids(offending, count),
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
