"""Thin loaders: the database aggregates the event log, Python gets small frames.

Nothing here reads events row by row: each function issues one or two grouped
queries whose result has one row per viewer, merchant, category or cohort member.
An exposure's merchant and category are the product's when the exposure shows a
product and the live room's otherwise.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from django.db import connection
from django.db.models import Count, F, Min, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from audits.metrics.ecosystem import zero_filled
from audits.metrics.experience import LONG_DWELL_SECONDS
from recengine.models import (
    Anchor,
    Category,
    Event,
    EventKind,
    LiveRoom,
    Merchant,
    Product,
    Viewer,
)

INTERACTIONS = (
    EventKind.LIKE,
    EventKind.COMMENT,
    EventKind.FOLLOW,
    EventKind.ADD_TO_CART,
    EventKind.GIFT,
)
POSITIVE_KINDS = (
    EventKind.LIKE,
    EventKind.FOLLOW,
    EventKind.ADD_TO_CART,
    EventKind.ORDER,
    EventKind.GIFT,
)
POSITIVE = Q(kind__in=POSITIVE_KINDS) | Q(
    kind=EventKind.DWELL, dwell_seconds__gte=LONG_DWELL_SECONDS
)


@dataclass(frozen=True)
class Period:
    """Half-open data period [start, end) in aware datetimes."""

    start: dt.datetime
    end: dt.datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("period bounds must be timezone-aware")
        if self.start >= self.end:
            raise ValueError("period start must come before its end")

    def events(self) -> QuerySet[Event]:
        return Event.objects.filter(
            occurred_at__gte=self.start, occurred_at__lt=self.end
        )


COUNTS = {
    "exposures": Count("id", filter=Q(kind=EventKind.IMPRESSION)),
    "clicks": Count("id", filter=Q(kind=EventKind.CLICK)),
    "orders": Count("id", filter=Q(kind=EventKind.ORDER)),
    "gmv": Sum("amount", filter=Q(kind=EventKind.ORDER)),
    "interactions": Count("id", filter=Q(kind__in=INTERACTIONS)),
    "positives": Count("id", filter=POSITIVE),
    "negatives": Count("id", filter=Q(kind=EventKind.NOT_INTERESTED)),
    "dwell_events": Count("id", filter=Q(kind=EventKind.DWELL)),
    "dwell_sum": Sum("dwell_seconds", filter=Q(kind=EventKind.DWELL)),
}


def viewer_counts(period: Period) -> pd.DataFrame:
    """One row per active viewer with the counts and sums of ``COUNTS``.

    A single grouped scan of the period's events; the viewers' groups are joined
    afterwards from the much smaller viewer table.
    """
    rows = period.events().values("viewer_id").annotate(**COUNTS).order_by()
    frame = pd.DataFrame.from_records(
        list(rows), columns=["viewer_id", *COUNTS]
    ).set_index("viewer_id")
    frame["gmv"] = frame["gmv"].astype(float).fillna(0.0)
    frame["dwell_sum"] = frame["dwell_sum"].astype(float).fillna(0.0)
    return frame


def event_totals(period: Period, counts: pd.DataFrame | None = None) -> dict:
    """Counts and sums of the whole period (from ``viewer_counts`` if given)."""
    counts = viewer_counts(period) if counts is None else counts
    sums = ("gmv", "dwell_sum")
    totals = {
        name: float(counts[name].sum()) if name in sums else int(counts[name].sum())
        for name in COUNTS
    }
    totals["not_interested"] = totals["negatives"]
    totals["gmv"] = round(float(totals["gmv"]), 2)
    totals["dwell_mean"] = (
        totals["dwell_sum"] / totals["dwell_events"] if totals["dwell_events"] else None
    )
    return totals


def viewer_frame(
    period: Period,
    counts: pd.DataFrame | None = None,
    lists: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per active viewer: groups, counts and served-list diversity
    (``list_diversity_by_viewer``, when the caller has not computed it yet)."""
    frame = viewer_counts(period) if counts is None else counts.copy()
    # The active viewers' id range rather than a list of every id: a hundred
    # thousand parameters cost the database more than the viewers outside it.
    ids = frame.index
    in_range = (
        Viewer.objects.filter(pk__gte=ids.min(), pk__lte=ids.max())
        if len(ids)
        else Viewer.objects.none()
    )
    groups = pd.DataFrame.from_records(
        list(in_range.values_list("pk", "spending_level", "region")),
        columns=["viewer_id", "spending_level", "region"],
    ).set_index("viewer_id")
    frame = frame.join(groups, how="left")
    frame["net_positives"] = frame["positives"] - frame["negatives"]

    lists = list_diversity_by_viewer(period) if lists is None else lists
    frame = frame.join(lists, how="left")
    frame[["lists", "diversity_sum"]] = frame[["lists", "diversity_sum"]].fillna(0)
    return frame


def list_diversity_by_viewer(period: Period) -> pd.DataFrame:
    """Per viewer: served lists of two or more items and their diversity summed.

    The diversity of one list, (n^2 - sum n_c^2) / (n (n - 1)), is computed in the
    database from per-(list, category) counts, so only one row per viewer leaves it.
    """
    per_category = (
        period.events()
        .filter(kind=EventKind.IMPRESSION)
        .exclude(request_id="")
        .annotate(list_category=Coalesce("product__category", "room__category"))
        .values("request_id", "viewer_id", "list_category")
        .annotate(items=Count("id"))
        .order_by()
    )
    inner, params = per_category.query.sql_with_params()
    sql = f"""
        SELECT viewer_id, COUNT(*) AS lists, SUM(diversity) AS diversity_sum
        FROM (
            SELECT request_id, viewer_id,
                   (1.0 * SUM(items) * SUM(items) - SUM(items * items))
                   / (1.0 * SUM(items) * (SUM(items) - 1)) AS diversity
            FROM ({inner}) AS per_category
            GROUP BY request_id, viewer_id
            HAVING SUM(items) >= 2
        ) AS per_list
        GROUP BY viewer_id
    """  # noqa: S608 - the inner query is Django's own, its values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    frame = pd.DataFrame(rows, columns=["viewer_id", "lists", "diversity_sum"])
    return frame.astype({"lists": "int64", "diversity_sum": "float64"}).set_index(
        "viewer_id"
    )


SUMMARY_COLUMNS = [
    "product_id",
    "room_id",
    "model_version",
    "exposures",
    "first",
    "unprovenanced",
]


def exposure_summary(period: Period) -> pd.DataFrame:
    """The period's impressions in one grouped scan, one row per (product, live
    room, model version): ``exposures``, the ``first`` moment one was shown and
    how many lacked strategy, model or policy version (``unprovenanced``).

    Several checks and Table 1 read the same impressions; they share this frame
    (``AuditContext.exposures``) rather than each scanning the log again.
    """
    missing = Q(strategy="") | Q(model_version="") | Q(policy_version__isnull=True)
    rows = (
        period.events()
        .filter(kind=EventKind.IMPRESSION)
        .values_list("product_id", "room_id", "model_version")
        .annotate(
            exposures=Count("id"),
            first=Min("occurred_at"),
            unprovenanced=Count("id", filter=missing),
        )
        .order_by()
    )
    frame = pd.DataFrame.from_records(list(rows), columns=SUMMARY_COLUMNS)
    for column in ("product_id", "room_id"):
        frame[column] = frame[column].astype("Int64")
    return frame


def item_exposures(period: Period, summary: pd.DataFrame | None = None) -> pd.DataFrame:
    """Exposures per shown item: ``kind`` ("product" when the exposure shows a
    product, else "room"), ``item``, ``merchant``, ``category`` and
    ``exposures``. Merchants and categories come from the catalogue tables."""
    summary = exposure_summary(period) if summary is None else summary
    raw = (
        summary.groupby(["product_id", "room_id"], dropna=False)["exposures"]
        .sum()
        .reset_index()
    )
    shown = raw["product_id"].notna()
    products = _catalogue(Product, raw.loc[shown, "product_id"])
    rooms = _catalogue(LiveRoom, raw.loc[~shown & raw["room_id"].notna(), "room_id"])
    parts = [
        _attributed(raw[shown], "product", "product_id", products),
        _attributed(raw[~shown], "room", "room_id", rooms),
    ]
    # An empty part would decide nothing about the dtypes of the other.
    items = pd.concat([part for part in parts if len(part)] or parts, ignore_index=True)
    return items.groupby(["kind", "item"], as_index=False).agg(
        merchant=("merchant", "first"),
        category=("category", "first"),
        exposures=("exposures", "sum"),
    )


def _catalogue(model, ids: pd.Series) -> pd.DataFrame:
    values = model.objects.filter(pk__in=ids.dropna().astype(int).unique().tolist())
    rows = list(values.values_list("pk", "merchant_id", "category_id"))
    return pd.DataFrame.from_records(rows, columns=["item", "merchant", "category"])


def _attributed(
    raw: pd.DataFrame, kind: str, column: str, catalogue: pd.DataFrame
) -> pd.DataFrame:
    frame = raw.dropna(subset=[column]).assign(kind=kind)
    frame = frame.rename(columns={column: "item"})[["kind", "item", "exposures"]]
    frame["item"] = frame["item"].astype("int64")
    return frame.merge(catalogue, on="item", how="left")


def merchant_exposures(period: Period, items: pd.DataFrame | None = None) -> pd.Series:
    """Exposures of every merchant registered before the period ended, zeros kept."""
    items = item_exposures(period) if items is None else items
    counts = items.dropna(subset=["merchant"]).groupby("merchant")["exposures"].sum()
    counts.index = counts.index.astype("int64")
    eligible = Merchant.objects.filter(created_at__lt=period.end).values_list(
        "pk", flat=True
    )
    return zero_filled(counts, eligible)


def content_exposures(period: Period, items: pd.DataFrame | None = None) -> pd.Series:
    """Exposures of every live room and product (index ``("room"|"product", id)``)
    registered before the period ended, zeros kept."""
    items = item_exposures(period) if items is None else items
    counts = pd.Series(
        items["exposures"].to_numpy(),
        index=pd.Index(list(zip(items["kind"], items["item"], strict=True))),
    )
    eligible = [
        (kind, pk)
        for kind, model in (("product", Product), ("room", LiveRoom))
        for pk in model.objects.filter(created_at__lt=period.end).values_list(
            "pk", flat=True
        )
    ]
    return zero_filled(counts, eligible)


def category_sets(
    period: Period, items: pd.DataFrame | None = None
) -> tuple[set[int], set[int]]:
    """(categories with exposure, categories holding any product or live room)."""
    items = item_exposures(period) if items is None else items
    exposed = set(items["category"].dropna().astype(int).tolist())
    eligible = set(
        Category.objects.filter(
            Q(pk__in=Product.objects.values("category"))
            | Q(pk__in=LiveRoom.objects.values("category"))
        ).values_list("pk", flat=True)
    )
    return exposed, eligible


def cold_start_cohort(period: Period, entity: str, within_days: int) -> pd.DataFrame:
    """New anchors or merchants with their exposures and orders in their first
    ``within_days`` days.

    The cohort is every entity registered in the period early enough for its
    whole window to end inside it; a later one has not had its chance yet.
    """
    if entity not in ("anchor", "merchant"):
        raise ValueError("entity must be 'anchor' or 'merchant'")
    window = dt.timedelta(days=within_days)
    model = Anchor if entity == "anchor" else Merchant
    cohort = model.objects.filter(
        created_at__gte=period.start, created_at__lte=period.end - window
    ).values_list("pk", flat=True)

    # Room events reach a merchant only when they show no product (see above).
    paths = (
        [("room__anchor", Q(room__isnull=False))]
        if entity == "anchor"
        else [
            ("product__merchant", Q(product__isnull=False)),
            ("room__merchant", Q(product__isnull=True)),
        ]
    )
    parts = [_window_counts(path, where, cohort, window) for path, where in paths]
    parts = [part for part in parts if not part.empty]
    counts = (
        pd.concat(parts).groupby(level=0).sum()
        if parts
        else pd.DataFrame(columns=["exposures", "orders"])
    )
    frame = counts.reindex(pd.Index(list(cohort), name=entity), fill_value=0)
    return frame.astype("int64")


def _window_counts(
    path: str, where: Q, cohort: QuerySet, window: dt.timedelta
) -> pd.DataFrame:
    created = F(f"{path}__created_at")
    rows = (
        Event.objects.filter(
            where,
            **{f"{path}__in": cohort},
            kind__in=(EventKind.IMPRESSION, EventKind.ORDER),
            occurred_at__gte=created,
            occurred_at__lt=created + window,
        )
        .values(path)
        .annotate(
            exposures=Count("id", filter=Q(kind=EventKind.IMPRESSION)),
            orders=Count("id", filter=Q(kind=EventKind.ORDER)),
        )
        .order_by()
    )
    frame = pd.DataFrame.from_records(list(rows), columns=[path, "exposures", "orders"])
    return frame.set_index(path)
