"""Data layer (clause 5.1, layer 1): the event log and the catalogue as arrays.

The catalogue loader lives in ``catalogue_loader`` and is re-exported here, so that
every reader of the data layer is found in this module.

Every reader takes an explicit window ``[start, end)``, aggregates in the database
where it can, and reads through an ``AllowList`` that names each field it touches
(clause 7.2). Viewers appear only as integer database keys: the builders never read
pseudonyms, let alone identities.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp
from django.db.models import Count, Sum

from recengine.features.catalogue_loader import CATALOGUE_FIELDS, load_catalogue
from recengine.features.privacy import AllowList
from recengine.models import EventKind

logger = logging.getLogger(__name__)

ItemColumn = Literal["room", "product", "short_video"]
EVENT = "recengine.Event"

INTERACTION_FIELDS = {
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
IMPRESSION_FIELDS = {
    EVENT: (
        "id",
        "kind",
        "occurred_at",
        "viewer",
        "room",
        "product",
        "scene",
        "position",
        "request_id",
    ),
}
INTERACTIONS = AllowList(INTERACTION_FIELDS)
IMPRESSIONS = AllowList(IMPRESSION_FIELDS)

# What one event of each kind says about a viewer's interest in an item. Dwell adds
# log1p(minutes) on top, so a long stay counts more without letting one marathon
# viewing dominate. Impressions and "not interested" are not positive interactions.
DEFAULT_WEIGHTS: dict[int, float] = {
    EventKind.CLICK: 1.0,
    EventKind.LIKE: 2.0,
    EventKind.COMMENT: 2.0,
    EventKind.FOLLOW: 3.0,
    EventKind.GIFT: 3.0,
    EventKind.ADD_TO_CART: 3.0,
    EventKind.ORDER: 5.0,
    EventKind.SHORT_VIDEO_VIEW: 1.0,
}
DWELL_WEIGHT = 1.0


@dataclass
class Interactions:
    """A viewer x item matrix of interaction strengths with the keys of its axes."""

    matrix: sp.csr_matrix  # float32
    viewer_ids: np.ndarray  # int64, one per row
    item_ids: np.ndarray  # int64, one per column
    item: str


def _window(start: dt.datetime, end: dt.datetime) -> dict[str, dt.datetime]:
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("The window must carry a time zone.")
    if end <= start:
        raise ValueError("The window must end after it starts.")
    return {"occurred_at__gte": start, "occurred_at__lt": end}


def interaction_matrix(
    start: dt.datetime,
    end: dt.datetime,
    *,
    item: ItemColumn = "room",
    weights: Mapping[int, float] | None = None,
    dwell_weight: float = DWELL_WEIGHT,
) -> Interactions:
    """Weighted viewer x item interactions in ``[start, end)``, summed in the DB."""
    weights = dict(DEFAULT_WEIGHTS if weights is None else weights)
    kinds = [kind for kind, weight in weights.items() if weight]
    if dwell_weight:
        kinds.append(EventKind.DWELL)
    rows = INTERACTIONS.groups(
        EVENT,
        ["viewer", item, "kind"],
        {"events": Count("id"), "dwell": Sum("dwell_seconds")},
        where={**_window(start, end), "kind__in": kinds, f"{item}__isnull": False},
    )
    frame = pd.DataFrame.from_records(
        rows, columns=["viewer", "item", "kind", "events", "dwell"]
    )
    return _to_matrix(frame, weights, dwell_weight, item)


def _to_matrix(
    frame: pd.DataFrame, weights: dict[int, float], dwell_weight: float, item: str
) -> Interactions:
    kind_weight = frame["kind"].map(weights).fillna(0.0).to_numpy(dtype=np.float64)
    strength = kind_weight * frame["events"].to_numpy(dtype=np.float64)
    dwell = frame["dwell"].astype(float).fillna(0.0).to_numpy()
    strength += dwell_weight * np.log1p(np.maximum(dwell, 0.0) / 60.0)

    viewer_ids, rows = np.unique(
        frame["viewer"].to_numpy(np.int64), return_inverse=True
    )
    item_ids, columns = np.unique(frame["item"].to_numpy(np.int64), return_inverse=True)
    matrix = sp.coo_matrix(
        (strength.astype(np.float32), (rows, columns)),
        shape=(len(viewer_ids), len(item_ids)),
    ).tocsr()
    matrix.sum_duplicates()
    matrix.eliminate_zeros()
    logger.debug("interaction matrix built", extra={"item": item, "nnz": matrix.nnz})
    return Interactions(matrix, viewer_ids, item_ids, item)


# -- impressions with click and order labels ------------------------------------------

IMPRESSION_COLUMNS = [
    "event",
    "request_id",
    "viewer",
    "item",
    "scene",
    "position",
    "occurred_at",
]


def impression_table(
    start: dt.datetime,
    end: dt.datetime,
    *,
    item: Literal["room", "product"] = "room",
    click_window: dt.timedelta = dt.timedelta(minutes=30),
    order_window: dt.timedelta = dt.timedelta(hours=24),
    label_until: dt.datetime | None = None,
) -> pd.DataFrame:
    """Exposures of ``item`` in ``[start, end)`` labelled for pCTR and pCVR training.

    ``click`` is 1 when the viewer clicked the item within ``click_window`` of this
    exposure and no later exposure of the same item to the same viewer came first
    (last-touch attribution); ``order`` likewise for an order within
    ``order_window`` (for a live room: an order placed in that room). Outcomes are
    read up to ``label_until`` (default ``end``): exposures near the end of the
    window have had less time to convert, so pass a later ``label_until`` when the
    log already reaches past ``end``.
    """
    until = label_until or end
    impressions = _impressions(start, end, item)
    clicks = _outcomes(start, until, item, EventKind.CLICK)
    orders = _outcomes(start, until, item, EventKind.ORDER)
    impressions["click"] = _attribute(impressions, clicks, click_window)
    impressions["order"] = _attribute(impressions, orders, order_window)
    return impressions


def _seconds(values: pd.Series) -> np.ndarray:
    moments = pd.to_datetime(values, utc=True)
    return (moments - pd.Timestamp(0, tz="UTC")).dt.total_seconds().to_numpy()


def _impressions(start: dt.datetime, end: dt.datetime, item: str) -> pd.DataFrame:
    rows = IMPRESSIONS.rows(
        EVENT,
        ["id", "request_id", "viewer", item, "scene", "position", "occurred_at"],
        where={
            **_window(start, end),
            "kind": EventKind.IMPRESSION,
            f"{item}__isnull": False,
        },
    )
    frame = pd.DataFrame.from_records(rows, columns=IMPRESSION_COLUMNS)
    frame["timestamp"] = _seconds(frame["occurred_at"]) if len(frame) else 0.0
    position = pd.to_numeric(frame["position"], errors="coerce")
    frame["position"] = position.fillna(0).astype(np.int32)
    frame = frame.drop(columns="occurred_at").sort_values("timestamp", kind="stable")
    return frame.reset_index(drop=True)


def _outcomes(start: dt.datetime, end: dt.datetime, item: str, kind: int):
    rows = IMPRESSIONS.rows(
        EVENT,
        ["viewer", item, "occurred_at"],
        where={**_window(start, end), "kind": kind, f"{item}__isnull": False},
    )
    frame = pd.DataFrame.from_records(rows, columns=["viewer", "item", "occurred_at"])
    frame["timestamp"] = _seconds(frame["occurred_at"]) if len(frame) else 0.0
    return frame.drop(columns="occurred_at").sort_values("timestamp", kind="stable")


def _attribute(
    impressions: pd.DataFrame, outcomes: pd.DataFrame, window: dt.timedelta
) -> np.ndarray:
    """1 for each exposure that is the last one before an outcome within the window."""
    labels = np.zeros(len(impressions), dtype=np.int8)
    if impressions.empty or outcomes.empty:
        return labels
    exposures = impressions[["timestamp", "viewer", "item"]].assign(
        row=np.arange(len(impressions))
    )
    matched = pd.merge_asof(
        outcomes.astype({"viewer": np.int64, "item": np.int64}),
        exposures.astype({"viewer": np.int64, "item": np.int64}),
        on="timestamp",
        by=["viewer", "item"],
        direction="backward",
        tolerance=window.total_seconds(),
    )
    rows = matched["row"].dropna().to_numpy(dtype=np.int64)
    labels[rows] = 1
    return labels


def declared_fields() -> dict[str, dict[str, tuple[str, ...]]]:
    """Every builder's allow-list by name, for the data-protection audit (7.2)."""
    return {
        "interactions": INTERACTION_FIELDS,
        "impressions": IMPRESSION_FIELDS,
        "catalogue": CATALOGUE_FIELDS,
    }


__all__ = [
    "CATALOGUE_FIELDS",
    "IMPRESSION_FIELDS",
    "INTERACTION_FIELDS",
    "Interactions",
    "declared_fields",
    "impression_table",
    "interaction_matrix",
    "load_catalogue",
]
