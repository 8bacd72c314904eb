"""Per-item priors of a scene, from aggregated outcomes: numpy only, no database.

Every prior lies in [0, 1] (rates are probabilities) and is smoothed towards the
scene's mean with ``PSEUDO_EXPOSURES`` pseudo-exposures, so an item with five
exposures and one click is not ranked as a 20 % click-through item.

- ``ctr`` / ``cvr``: clicks and orders per exposure, smoothed.
- ``satisfaction``: how long viewers stay after clicking, discounted by how often
  they say "not interested": ``(1 - exp(-dwell_minutes / 3)) * (1 - min(1, 10 *
  not_interested_rate))``; three minutes of average dwell give 0.63, and a
  not-interested rate of 10 % of exposures cancels the item.
- ``merchant_health`` (per merchant, spread to its items): the average of an order
  score ``r / (r + r_mean)`` (0.5 at the scene's mean orders per exposure) and a
  complaint score ``1 - c / (c + c_mean)`` over not-interested per exposure, the
  complaint-like signal of the event log. Items without a merchant get 0.5.
- ``quality``: the mean of the anchor's three persona scores (clause 5.2.2) and an
  engagement score ``ctr / (ctr + ctr_mean)``; items without persona use 0.5.
- ``popularity``: engagement (click 1, add-to-cart 2, order 4) decayed with a
  one-day half-life to the end of the window; ``hourly`` the same by local hour
  of day, undecayed, the coarse context of the non-personalised strategy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from recengine.models import EventKind

PSEUDO_EXPOSURES = 20.0
DWELL_SCALE_MINUTES = 3.0
NOT_INTERESTED_CAP = 10.0
POPULARITY_WEIGHTS = {EventKind.CLICK: 1.0, EventKind.ADD_TO_CART: 2.0}
POPULARITY_WEIGHTS[EventKind.ORDER] = 4.0
HALF_LIFE_SECONDS = 86_400.0


@dataclass
class Outcomes:
    """Counts per item, aligned with the scene's item order."""

    exposures: np.ndarray
    clicks: np.ndarray
    orders: np.ndarray
    not_interested: np.ndarray
    dwell_seconds: np.ndarray
    dwell_events: np.ndarray

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, item_ids: np.ndarray) -> Outcomes:
        """``frame`` has columns item, kind, events, dwell (see readers)."""
        index = pd.Index(item_ids)
        rows = index.get_indexer(frame["item"].to_numpy())
        known = rows >= 0
        frame, rows = frame[known], rows[known]

        def per_kind(kind: int, column: str = "events") -> np.ndarray:
            out = np.zeros(len(item_ids))
            chosen = (frame["kind"] == kind).to_numpy()
            np.add.at(out, rows[chosen], frame[column].to_numpy(float)[chosen])
            return out

        return cls(
            exposures=per_kind(EventKind.IMPRESSION),
            clicks=per_kind(EventKind.CLICK),
            orders=per_kind(EventKind.ORDER),
            not_interested=per_kind(EventKind.NOT_INTERESTED),
            dwell_seconds=per_kind(EventKind.DWELL, "dwell"),
            dwell_events=per_kind(EventKind.DWELL),
        )


def smoothed_rate(successes: np.ndarray, trials: np.ndarray) -> np.ndarray:
    total = float(trials.sum())
    mean = float(successes.sum()) / total if total > 0 else 0.0
    rate = (successes + PSEUDO_EXPOSURES * mean) / (trials + PSEUDO_EXPOSURES)
    return np.clip(rate, 0.0, 1.0)


def satisfaction(outcomes: Outcomes) -> np.ndarray:
    minutes = outcomes.dwell_seconds / np.maximum(outcomes.dwell_events, 1.0) / 60.0
    staying = 1.0 - np.exp(-minutes / DWELL_SCALE_MINUTES)
    # Items nobody stayed in yet take the scene's mean, not zero.
    seen = outcomes.dwell_events > 0
    if seen.any():
        staying[~seen] = staying[seen].mean()
    else:
        staying[:] = 0.5
    rejected = smoothed_rate(outcomes.not_interested, outcomes.exposures)
    return staying * (1.0 - np.minimum(1.0, NOT_INTERESTED_CAP * rejected))


def _relative(rate: np.ndarray, mean: float) -> np.ndarray:
    return rate / (rate + mean) if mean > 0 else np.full_like(rate, 0.5)


def merchant_health(outcomes: Outcomes, merchant: np.ndarray) -> np.ndarray:
    health = np.full(len(merchant), 0.5)
    has = merchant >= 0
    if not has.any():
        return health
    keys, groups = np.unique(merchant[has], return_inverse=True)

    def total(values: np.ndarray) -> np.ndarray:
        return np.bincount(groups, weights=values[has], minlength=len(keys))

    shown = total(outcomes.exposures)
    orders = smoothed_rate(total(outcomes.orders), shown)
    complaints = smoothed_rate(total(outcomes.not_interested), shown)
    order_score = _relative(orders, float(orders.mean()))
    complaint_score = 1.0 - _relative(complaints, float(complaints.mean()))
    health[has] = (0.5 * order_score + 0.5 * complaint_score)[groups]
    return health


def quality(ctr: np.ndarray, persona: np.ndarray) -> np.ndarray:
    engagement = _relative(ctr, float(ctr.mean()) if len(ctr) else 0.0)
    return 0.5 * persona.mean(axis=1) + 0.5 * engagement


def popularity(daily: pd.DataFrame, item_ids: np.ndarray, end: float) -> np.ndarray:
    """Decayed engagement from the daily aggregates (item, kind, day, events)."""
    out = np.zeros(len(item_ids))
    if daily.empty:
        return out
    rows = pd.Index(item_ids).get_indexer(daily["item"].to_numpy())
    weight = daily["kind"].map(POPULARITY_WEIGHTS).fillna(0.0).to_numpy()
    age = np.maximum(end - daily["day"].to_numpy(float), 0.0)
    value = weight * daily["events"].to_numpy(float) * 0.5 ** (age / HALF_LIFE_SECONDS)
    known = rows >= 0
    np.add.at(out, rows[known], value[known])
    return out


def hourly(frame: pd.DataFrame, item_ids: np.ndarray) -> np.ndarray:
    """(24, n) engagement by local hour of day from (item, kind, hour, events)."""
    out = np.zeros((24, len(item_ids)), dtype=np.float32)
    if frame.empty:
        return out
    rows = pd.Index(item_ids).get_indexer(frame["item"].to_numpy())
    weight = frame["kind"].map(POPULARITY_WEIGHTS).fillna(0.0).to_numpy()
    known = rows >= 0
    hours = frame["hour"].to_numpy(np.int64)[known] % 24
    np.add.at(out, (hours, rows[known]), (weight * frame["events"])[known])
    return out
