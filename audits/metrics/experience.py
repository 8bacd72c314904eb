"""User experience metrics of Table 1 (用户体验).

Interactions are likes, comments and danmaku, follows, add-to-cart events and
gifts: engagement beyond the click and the order, which CTR and CVR measure. The
negative feedback is the "not interested" event (clause 6.3.3).
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import pandas as pd

from audits.metrics.business import ratio

# A dwell this long counts as the viewer having found what they came for.
LONG_DWELL_SECONDS = 30.0


def dwell_seconds_mean(seconds: npt.ArrayLike) -> float:
    """Dwell time: mean seconds of the dwell events in the period."""
    values = np.asarray(seconds, dtype=float)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return math.nan
    return float(values.mean())


def interaction_rate(interactions: int, exposures: int) -> float:
    """Interaction rate: interactions / exposures."""
    return ratio(interactions, exposures)


def negative_feedback_rate(not_interested: int, exposures: int) -> float:
    """Negative-feedback rate: "not interested" events / exposures."""
    return ratio(not_interested, exposures)


def satisfaction_proxy(positives: float, negatives: float, exposures: float) -> float:
    """Satisfaction proxy: max(0, P - N) / E.

    P counts likes, follows, add-to-cart events, orders, gifts and dwells of at
    least LONG_DWELL_SECONDS; N counts "not interested" events; E counts exposures.
    No survey reaches the log, so satisfaction is read from what viewers did: the
    share of exposures that earned a positive signal, net of explicit rejection.
    """
    if exposures == 0:
        return math.nan
    return max(0.0, float(positives) - float(negatives)) / float(exposures)


def list_diversity(items: npt.ArrayLike, squares: npt.ArrayLike) -> np.ndarray:
    """Intra-list category diversity of served lists, one value per list.

    A list of n items whose categories hold n_c items each has diversity
    (n^2 - sum_c n_c^2) / (n (n - 1)): the share of ordered pairs of distinct items
    that belong to different categories. 0 when all share one category, 1 when all
    differ. ``items`` holds n per list and ``squares`` sum_c n_c^2; lists with fewer
    than two items have no pairs and yield NaN.
    """
    n = np.asarray(items, dtype=float)
    sq = np.asarray(squares, dtype=float)
    pairs = n * (n - 1.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(pairs > 0, (n * n - sq) / pairs, np.nan)


def intra_list_diversity(exposures: pd.DataFrame) -> float:
    """Mean intra-list diversity over served lists with at least two items.

    ``exposures`` has one row per exposure with ``request_id`` (the served list)
    and ``category``; a missing category counts as a category of its own.
    """
    lists = list_category_counts(exposures)
    values = list_diversity(lists["items"], lists["squares"])
    values = values[np.isfinite(values)]
    if values.size == 0:
        return math.nan
    return float(values.mean())


def list_category_counts(exposures: pd.DataFrame) -> pd.DataFrame:
    """Per served list: ``items`` (n) and ``squares`` (sum of n_c^2)."""
    counts = (
        exposures.assign(category=exposures["category"].fillna(-1))
        .groupby(["request_id", "category"], sort=False)
        .size()
    )
    frame = counts.rename("count").reset_index()
    frame["square"] = frame["count"] ** 2
    grouped = frame.groupby("request_id", sort=False)
    return pd.DataFrame(
        {"items": grouped["count"].sum(), "squares": grouped["square"].sum()}
    )
