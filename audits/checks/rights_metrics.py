"""Viewer-rights checks (clause 6.3): the off switch and "not interested" obeyed,
and one price for everyone (clause 4.4, Art. 21 of the algorithm recommendation
rules)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from django.db.models import (
    Avg,
    Count,
    Exists,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    Value,
)
from django.db.models.functions import Cast, Coalesce, TruncDate
from django.utils import timezone

from audits.checks.registry import (
    SAMPLE_IDS,
    AuditContext,
    Measurement,
    MetricUnavailable,
    metric,
)
from audits.metrics.loaders import Period
from recengine.models import Event, EventKind, TagSuppression, Viewer, ViewerInterest

PERSONALISED = "personalised"
# Viewer groups whose prices for one product may be compared, by catalogue grouping.
PRICE_GROUPS = {
    "viewer.spending_level": "viewer__spending_level",
    "viewer.region": "viewer__region",
}
# Relative gaps below this are floating-point noise of amount / quantity, not prices.
PRICE_NOISE = 1e-9
# A "not interested" is honoured when the same item is not shown to the same viewer
# again within this many days (the 清朗 action asks for a control that works).
NOT_INTERESTED_DAYS = 7


def opt_out_times(end: dt.datetime) -> pd.Series:
    """When each viewer who is opted out at ``end`` switched personalisation off.

    Read from the viewer history: the first "off" record after the last "on"
    record before ``end``.
    """
    history = Viewer.history.filter(history_date__lt=end).values_list(
        "id", "history_date", "personalization_enabled"
    )
    frame = pd.DataFrame.from_records(
        list(history), columns=["viewer", "at", "enabled"]
    ).sort_values(["viewer", "at"], kind="stable")
    if frame.empty:
        return pd.Series(dtype="datetime64[ns, UTC]")
    last = frame.groupby("viewer").tail(1)
    off_now = set(last.loc[~last["enabled"], "viewer"])
    frame = frame[frame["viewer"].isin(off_now)]
    last_on = frame[frame["enabled"]].groupby("viewer")["at"].max()
    frame = frame.join(last_on.rename("last_on"), on="viewer")
    off = frame[~frame["enabled"] & ~(frame["at"] <= frame["last_on"])]
    return off.groupby("viewer")["at"].min()


@metric("rights.non_personalised_after_opt_out_share")
def non_personalised_after_opt_out(
    context: AuditContext, check: dict[str, Any]
) -> Measurement:
    switched = opt_out_times(context.period.end)
    if switched.empty:
        raise MetricUnavailable("no viewer switched personalisation off")
    condition = Q()
    for viewer, at in switched.items():
        condition |= Q(viewer_id=viewer, occurred_at__gte=max(at, context.period.start))
    exposures = context.period.events().filter(condition, kind=EventKind.IMPRESSION)
    total = exposures.count()
    if not total:
        raise MetricUnavailable("no exposure after an opt-out in the period")
    personalised = exposures.filter(strategy=PERSONALISED)
    count = personalised.count()
    return Measurement(
        (total - count) / total,
        total,
        "impressions served to a viewer after switching personalisation off "
        "that name a non-personalised strategy / all such impressions",
        sample_ids=list(personalised.values_list("event_id", flat=True)[:20]),
        detail={"viewers": len(switched)},
    )


@metric("rights.not_interested_honoured_share")
def not_interested_honoured(
    context: AuditContext, check: dict[str, Any]
) -> Measurement:
    total, broken = context.scan("not_interested", not_interested_scan)
    if not total:
        raise MetricUnavailable("no not-interested event in the period")
    return Measurement(
        (total - len(broken)) / total,
        total,
        f"not-interested events whose item was not shown to the same viewer again "
        f"within {NOT_INTERESTED_DAYS} days / all not-interested events",
        sample_ids=broken[:20],
    )


def not_interested_scan(period: Period) -> tuple[int, list[str]]:
    """Not-interested events of the period, and the ids of those whose item was
    shown to the same viewer again within ``NOT_INTERESTED_DAYS``."""
    feedback = (
        period.events()
        .filter(kind=EventKind.NOT_INTERESTED)
        .filter(Q(product__isnull=False) | Q(room__isnull=False))
    )
    total = feedback.count()
    if not total:
        return 0, []
    # Each rejection looks for a later exposure of its item to its viewer in the
    # (viewer, time) index: rejections are few, exposures many.
    at = OuterRef("occurred_at")
    later = Event.objects.filter(
        kind=EventKind.IMPRESSION,
        viewer_id=OuterRef("viewer_id"),
        occurred_at__gt=at,
        occurred_at__lte=at + dt.timedelta(days=NOT_INTERESTED_DAYS),
    )
    shown_again = Q(
        Exists(later.filter(product_id=OuterRef("product_id"))),
        product__isnull=False,
    ) | Q(
        Exists(later.filter(product__isnull=True, room_id=OuterRef("room_id"))),
        product__isnull=True,
    )
    broken = feedback.filter(shown_again).values_list("event_id", flat=True)
    return total, sorted(broken)


@metric("rights.deleted_tags_reappeared")
def deleted_tags_reappeared(
    context: AuditContext, check: dict[str, Any]
) -> Measurement:
    """Deleted tags back in the profile with no later behaviour to explain them.

    A viewer may earn a tag again through what they do after deleting it; a tag
    that returns without any event in its category since the deletion was rebuilt
    from the forgotten events (clause 6.3.2).
    """
    deletions = TagSuppression.objects.filter(suppressed_at__lt=context.period.end)
    total = deletions.count()
    if not total:
        raise MetricUnavailable("no viewer deleted a tag")
    in_profile = ViewerInterest.objects.filter(
        viewer_id=OuterRef("viewer_id"), tag_id=OuterRef("tag_id")
    )
    later = Event.objects.filter(
        viewer_id=OuterRef("viewer_id"),
        occurred_at__gt=OuterRef("suppressed_at"),
        occurred_at__lt=context.period.end,
    ).filter(
        Q(product__category=OuterRef("tag__category"))
        | Q(product__isnull=True, room__category=OuterRef("tag__category"))
    )
    back = deletions.filter(Exists(in_profile), ~Exists(later))
    return Measurement(
        back.count(),
        total,
        "deleted tags present in the viewer's profile again without any event "
        "in the tag's category since the deletion",
        sample_ids=list(back.values_list("pk", flat=True)[:20]),
    )


@metric("rights.price_dispersion")
def price_dispersion(context: AuditContext, check: dict[str, Any]) -> Measurement:
    """Largest relative gap between viewer groups in the unit price of one product
    on one local calendar day (Art. 21: no price set by the buyer's traits).

    An order's unit price is its amount over its quantity, an order without a
    quantity being one unit. Per (product, day) cell, each group's mean unit price;
    a group with fewer than ``min_group_orders`` orders in the cell (a check
    parameter, default 1) is left out of it. The value is the largest
    (highest mean - lowest) / lowest over cells that still compare two groups; the
    sample is the number of such cells.
    """
    group = _price_group(check.get("grouping"))
    min_orders = int((check.get("params") or {}).get("min_group_orders", 1))
    means = _unit_price_means(context.period.events(), group, max(min_orders, 1))
    if means.empty:
        raise MetricUnavailable("no paid order with a product in the period")

    cells = means.groupby(["product", "day"])["mean"].agg(["min", "max", "size"])
    compared = cells[cells["size"] > 1]
    if compared.empty:
        raise MetricUnavailable("no product bought by two viewer groups on one day")
    gaps = ((compared["max"] - compared["min"]) / compared["min"]).sort_values(
        ascending=False, kind="stable"
    )

    worst = gaps.index[0]
    unequal = gaps[gaps > PRICE_NOISE]
    return Measurement(
        float(gaps.iloc[0]),
        len(compared),
        f"max over (product, local day) of (highest - lowest) / lowest mean unit "
        f"price (amount / quantity) across groups by {group}",
        sample_ids=[f"{product}@{day}" for product, day in unequal.index[:SAMPLE_IDS]],
        detail={
            "grouping": group,
            "min_group_orders": min_orders,
            "cells_with_a_gap": len(unequal),
            "worst": {
                "product": int(worst[0]),
                "day": worst[1],
                "means": _cell_means(means, worst),
            },
        },
    )


def _price_group(grouping: str | None) -> str:
    if grouping in (None, "", "none"):
        return "viewer.spending_level"
    if grouping not in PRICE_GROUPS:
        raise MetricUnavailable(f"prices are not compared by {grouping}")
    return grouping


def _unit_price_means(events, group: str, min_orders: int) -> pd.DataFrame:
    """Mean unit price per (product, local day, viewer group), in one query."""
    units = Cast(
        Coalesce("quantity", Value(1), output_field=IntegerField()), FloatField()
    )
    rows = (
        events.filter(kind=EventKind.ORDER, product__isnull=False, amount__gt=0)
        .annotate(
            day=TruncDate("occurred_at", tzinfo=timezone.get_current_timezone()),
            unit_price=Cast("amount", FloatField()) / units,
        )
        .values("product_id", "day", PRICE_GROUPS[group])
        .annotate(orders=Count("id"), mean=Avg("unit_price"))
        .filter(orders__gte=min_orders)
        .order_by()
    )
    frame = pd.DataFrame.from_records(
        [
            (row["product_id"], row["day"], row[PRICE_GROUPS[group]], row["mean"])
            for row in rows
        ],
        columns=["product", "day", "group", "mean"],
    )
    frame["day"] = frame["day"].map(str)
    frame["mean"] = frame["mean"].astype(float)
    return frame


def _cell_means(means: pd.DataFrame, cell: tuple[int, str]) -> dict[str, float]:
    product, day = cell
    rows = means[(means["product"] == product) & (means["day"] == day)]
    return {str(row.group): round(row.mean, 4) for row in rows.itertuples()}
