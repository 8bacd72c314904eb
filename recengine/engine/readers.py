"""What training and serving read from the database, through one allow-list (7.2).

The feature layer's readers cover interactions, exposures and the catalogue text;
the engine also needs the keys that tie items to anchors, merchants and categories,
registration dates and prices, the product and category of a short video, and
aggregates per day and per hour of day. Every field is declared below and checked
against the data grades when this module is imported; each query names only
declared fields. Aggregation happens in the database, so a window of ten million
events returns thousands of grouped rows, never the events themselves.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from typing import Any, Literal
from zoneinfo import ZoneInfo

import pandas as pd
from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Count, Sum
from django.db.models.functions import ExtractHour, TruncDay

from recengine.features.privacy import AllowList
from recengine.models import EventKind

logger = logging.getLogger(__name__)

EVENT = "recengine.Event"
ItemColumn = Literal["room", "product", "short_video"]

ENGINE_FIELDS = {
    "recengine.LiveRoom": (
        "id",
        "external_id",
        "anchor",
        "merchant",
        "category",
        "created_at",
        "title",
        "category__code",
    ),
    "recengine.Product": (
        "id",
        "external_id",
        "merchant",
        "category",
        "price",
        "created_at",
        "title",
        "category__code",
    ),
    "recengine.ShortVideo": ("id", "product", "category", "title", "category__code"),
    "recengine.Category": ("id", "code"),
    "recengine.Viewer": ("id", "personalization_enabled"),
    "recengine.InterestTag": ("id", "code", "is_sensitive"),
    "recengine.TagSuppression": ("viewer", "tag", "suppressed_at"),
    EVENT: (
        "id",
        "kind",
        "occurred_at",
        "viewer",
        "room",
        "product",
        "short_video",
        "dwell_seconds",
    ),
}
ENGINE = AllowList(ENGINE_FIELDS)


def _query(
    label: str, fields: Sequence[str], where: Mapping[str, Any]
) -> models.QuerySet:
    """A filtered queryset of ``label`` after checking every field it touches."""
    paths = [*fields, *(key.split("__")[0] for key in where)]
    ENGINE.require(label, paths)
    return apps.get_model(label)._default_manager.filter(**where).order_by()


def _window(start: dt.datetime, end: dt.datetime) -> dict[str, dt.datetime]:
    if start.tzinfo is None or end.tzinfo is None or end <= start:
        raise ValueError("A window needs aware bounds and must end after it starts.")
    return {"occurred_at__gte": start, "occurred_at__lt": end}


def categories() -> pd.DataFrame:
    rows = _query("recengine.Category", ["id", "code"], {}).values_list("id", "code")
    return pd.DataFrame.from_records(list(rows), columns=["id", "code"])


def rooms(before: dt.datetime) -> pd.DataFrame:
    """Live rooms registered before ``before``: keys, category and creation time."""
    fields = ["id", "external_id", "anchor", "merchant", "category", "created_at"]
    rows = _query("recengine.LiveRoom", fields, {"created_at__lt": before})
    frame = pd.DataFrame.from_records(list(rows.values_list(*fields)), columns=fields)
    return frame.sort_values("id", kind="stable").reset_index(drop=True)


def products(before: dt.datetime) -> pd.DataFrame:
    fields = ["id", "external_id", "merchant", "category", "price", "created_at"]
    rows = _query("recengine.Product", fields, {"created_at__lt": before})
    frame = pd.DataFrame.from_records(list(rows.values_list(*fields)), columns=fields)
    frame["price"] = frame["price"].astype(float)
    return frame.sort_values("id", kind="stable").reset_index(drop=True)


def video_links() -> pd.DataFrame:
    """Each short video's product (may be empty) and category."""
    fields = ["id", "product", "category"]
    rows = _query("recengine.ShortVideo", fields, {}).values_list(*fields)
    return pd.DataFrame.from_records(list(rows), columns=fields)


def daily_interactions(
    start: dt.datetime, end: dt.datetime, item: ItemColumn
) -> pd.DataFrame:
    """Events per (viewer, item, kind, UTC day) in ``[start, end)``, with dwell.

    ``day`` is the epoch second of the day's noon (clipped to ``end``), which is
    where the interest model places each day's events when it decays them by age.
    """
    where = {**_window(start, end), f"{item}__isnull": False}
    fields = ["viewer", item, "kind", "occurred_at", "dwell_seconds", "id"]
    grouped = (
        _query(EVENT, fields, where)
        .annotate(day=TruncDay("occurred_at", tzinfo=dt.UTC))
        .values("viewer", item, "kind", "day")
        .annotate(events=Count("id"), dwell=Sum("dwell_seconds"))
        .values_list("viewer", item, "kind", "day", "events", "dwell")
    )
    columns = ["viewer", "item", "kind", "day", "events", "dwell"]
    frame = pd.DataFrame.from_records(list(grouped.iterator(10_000)), columns=columns)
    noon = pd.to_datetime(frame["day"], utc=True) + pd.Timedelta(hours=12)
    seconds = (noon - pd.Timestamp(0, tz="UTC")).dt.total_seconds()
    frame["day"] = seconds.clip(upper=end.timestamp()).astype(float)
    frame["dwell"] = frame["dwell"].astype(float).fillna(0.0)
    logger.debug("daily interactions read", extra={"item": item, "rows": len(frame)})
    return frame


def item_outcomes(start: dt.datetime, end: dt.datetime, item: ItemColumn):
    """Events and summed dwell per (item, kind) in ``[start, end)``."""
    where = {**_window(start, end), f"{item}__isnull": False}
    fields = [item, "kind", "id", "dwell_seconds", "occurred_at"]
    grouped = (
        _query(EVENT, fields, where)
        .values(item, "kind")
        .annotate(events=Count("id"), dwell=Sum("dwell_seconds"))
        .values_list(item, "kind", "events", "dwell")
    )
    frame = pd.DataFrame.from_records(
        list(grouped), columns=["item", "kind", "events", "dwell"]
    )
    frame["dwell"] = frame["dwell"].astype(float).fillna(0.0)
    return frame


ENGAGEMENT_KINDS = (EventKind.CLICK, EventKind.ADD_TO_CART, EventKind.ORDER)


def hourly_engagement(
    start: dt.datetime, end: dt.datetime, item: ItemColumn
) -> pd.DataFrame:
    """Engagement events per (item, kind, local hour of day) in ``[start, end)``."""
    zone = ZoneInfo(settings.TIME_ZONE)
    where = {
        **_window(start, end),
        f"{item}__isnull": False,
        "kind__in": list(ENGAGEMENT_KINDS),
    }
    grouped = (
        _query(EVENT, [item, "kind", "id", "occurred_at"], where)
        .annotate(hour=ExtractHour("occurred_at", tzinfo=zone))
        .values(item, "kind", "hour")
        .annotate(events=Count("id"))
        .values_list(item, "kind", "hour", "events")
    )
    return pd.DataFrame.from_records(
        list(grouped), columns=["item", "kind", "hour", "events"]
    )


def not_interested(start: dt.datetime, end: dt.datetime) -> pd.DataFrame:
    """Every "not interested" of ``[start, end)``: viewer, room, product, when."""
    fields = ["viewer", "room", "product", "occurred_at"]
    where = {**_window(start, end), "kind": EventKind.NOT_INTERESTED}
    rows = _query(EVENT, [*fields, "kind"], where).values_list(*fields)
    frame = pd.DataFrame.from_records(list(rows.iterator(10_000)), columns=fields)
    moments = pd.to_datetime(frame["occurred_at"], utc=True)
    frame["occurred_at"] = (moments - pd.Timestamp(0, tz="UTC")).dt.total_seconds()
    return frame


def personalization_enabled(viewer_id: int) -> bool:
    """One indexed lookup per request, so switching off takes effect at once."""
    value = (
        _query("recengine.Viewer", ["id", "personalization_enabled"], {"id": viewer_id})
        .values_list("personalization_enabled", flat=True)
        .first()
    )
    return bool(value)


def item_titles(label: str) -> pd.DataFrame:
    """Key, title and category code of every room, product or short video: what
    an item's interest tag is read from (``recengine.taxonomy.tag_code_for``)."""
    fields = ["id", "title", "category__code"]
    rows = _query(label, fields, {}).values_list(*fields)
    return pd.DataFrame.from_records(
        list(rows.iterator(10_000)), columns=["id", "title", "category"]
    )


def tag_ids() -> dict[str, int]:
    """Key of each tag of the vocabulary that a viewer may hold."""
    fields = ["id", "code", "is_sensitive"]
    rows = _query("recengine.InterestTag", fields, {"is_sensitive": False})
    return {code: pk for pk, code in rows.values_list("id", "code")}


def tag_suppressions(since: dt.datetime) -> pd.DataFrame:
    """Tags viewers deleted at or after ``since``: viewer, tag, when (epoch s)."""
    fields = ["viewer", "tag", "suppressed_at"]
    rows = _query("recengine.TagSuppression", fields, {"suppressed_at__gte": since})
    frame = pd.DataFrame.from_records(list(rows.values_list(*fields)), columns=fields)
    moments = pd.to_datetime(frame["suppressed_at"], utc=True)
    frame["suppressed_at"] = (moments - pd.Timestamp(0, tz="UTC")).dt.total_seconds()
    return frame
