"""Viewer-rights checks (clause 6.3): the off switch and "not interested" obeyed,
and one price for everyone (Art. 21 of the algorithm recommendation rules)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from django.db.models import Avg, Exists, OuterRef, Q

from audits.checks.registry import (
    AuditContext,
    Measurement,
    MetricUnavailable,
    metric,
)
from recengine.models import Event, EventKind, TagSuppression, Viewer, ViewerInterest

PERSONALISED = "personalised"
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
    feedback = _item_frame(
        context.period.events().filter(kind=EventKind.NOT_INTERESTED), "event_id"
    )
    if feedback.empty:
        raise MetricUnavailable("no not-interested event in the period")

    # Later exposures of the same items to the same viewers, in one query; the
    # matching of each event to its 7-day window happens in the frame.
    window = dt.timedelta(days=NOT_INTERESTED_DAYS)
    shown = _item_frame(
        Event.objects.filter(
            kind=EventKind.IMPRESSION,
            viewer_id__in=feedback["viewer"].unique().tolist(),
            occurred_at__gt=context.period.start,
            occurred_at__lte=context.period.end + window,
        ).filter(
            Q(
                product_id__in=feedback.loc[
                    feedback["kind"] == "product", "item"
                ].tolist()
            )
            | Q(room_id__in=feedback.loc[feedback["kind"] == "room", "item"].tolist())
        ),
        "id",
    )
    pairs = feedback.merge(
        shown, on=["viewer", "kind", "item"], suffixes=("", "_shown")
    )
    later = pairs["at_shown"] > pairs["at"]
    later &= pairs["at_shown"] <= pairs["at"] + window
    broken = sorted(pairs.loc[later, "key"].unique())
    total = len(feedback)
    return Measurement(
        (total - len(broken)) / total,
        total,
        f"not-interested events whose item was not shown to the same viewer again "
        f"within {NOT_INTERESTED_DAYS} days / all not-interested events",
        sample_ids=broken[:20],
    )


def _item_frame(events, key: str) -> pd.DataFrame:
    """Events as (key, viewer, kind, item, at); a product when one is named, else
    the live room."""
    rows = events.filter(Q(product__isnull=False) | Q(room__isnull=False)).values_list(
        key, "viewer_id", "product_id", "room_id", "occurred_at"
    )
    frame = pd.DataFrame.from_records(
        list(rows), columns=["key", "viewer", "product", "room", "at"]
    )
    is_product = frame["product"].notna()
    frame["kind"] = is_product.map({True: "product", False: "room"})
    frame["item"] = frame["product"].where(is_product, frame["room"]).astype("Int64")
    return frame[["key", "viewer", "kind", "item", "at"]]


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
    """Largest relative gap between viewer spending groups in what they paid for
    one product in the period: (highest group mean - lowest) / lowest, an order
    counting as one unit. Not in catalogue 1.0: a later version can name it."""
    orders = (
        context.period.events()
        .filter(kind=EventKind.ORDER, product__isnull=False, amount__gt=0)
        .values("product_id", "viewer__spending_level")
        .annotate(mean=Avg("amount"))
        .order_by()
    )
    frame = pd.DataFrame.from_records(list(orders))
    if frame.empty:
        raise MetricUnavailable("no orders in the period")
    frame["mean"] = frame["mean"].astype(float)
    per_product = frame.groupby("product_id")["mean"].agg(["min", "max", "size"])
    compared = per_product[per_product["size"] > 1]
    if compared.empty:
        raise MetricUnavailable("no product ordered by two viewer groups")
    spread = ((compared["max"] - compared["min"]) / compared["min"]).sort_values(
        ascending=False
    )
    return Measurement(
        float(spread.iloc[0]),
        len(compared),
        "max over products of (highest - lowest) / lowest mean order amount "
        "across viewer spending groups",
        sample_ids=[int(pk) for pk, gap in spread.items() if gap > 0],
    )
