"""The numeric core shared by training, offline evaluation and serving.

Pair features (``PAIR_FEATURES`` of ``recengine.learning.ctr``), the five ranking
objectives and the recall channels are computed here from a ``SceneModel`` and a
viewer profile, so that the estimators see at serving exactly what they were
trained on.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from recengine.engine.artifacts import SceneModel
from recengine.learning.base import top_k
from recengine.learning.ctr import PAIR_FEATURES, RateEstimator
from recengine.ranking.objectives import (
    OBJECTIVES,
    ObjectiveScores,
    ObjectiveWeights,
    combine,
)

NEW_ITEM_SECONDS = 14 * 86_400.0
PRIOR_COLUMN = PAIR_FEATURES.index("prior_rate")
# Candidates each recall channel proposes before ranking.
CHANNEL_SIZES = {"cf": 100, "vector": 100, "popular": 50, "fresh": 20}
CHANNELS = tuple(CHANNEL_SIZES)
SHARE_PRIOR_EVENTS = 1.0
# Score added per unit of cosine the session moved an item's affinity: the
# estimators learned from long-term profiles, so without it a few fresh clicks
# would barely reorder the page (clause 5.3, short-term interest).
SESSION_BOOST = 1.0


def pair_features(
    scene: SceneModel,
    items: np.ndarray,
    *,
    affinity: np.ndarray,
    category_share: np.ndarray,
    now: float,
    position: np.ndarray | None = None,
) -> np.ndarray:
    """One row of ``PAIR_FEATURES`` per (viewer, item) pair; prior_rate is the CTR
    prior, ``with_prior`` swaps in the CVR prior for the pCVR estimator."""
    position = np.ones(len(items)) if position is None else position
    columns = {
        "affinity": affinity,
        "category_share": category_share,
        "log_popularity": np.log1p(scene.exposures[items]),
        "prior_rate": scene.ctr_prior[items],
        "quality": scene.quality[items],
        "professionalism": scene.persona[items, 0],
        "clarity": scene.persona[items, 1],
        "interactivity": scene.persona[items, 2],
        "log_price": np.log1p(scene.price[items]),
        "is_new": (now - scene.created_at[items] < NEW_ITEM_SECONDS).astype(float),
        "log_position": np.log1p(np.maximum(position, 1) - 1.0),
    }
    return np.column_stack([columns[name] for name in PAIR_FEATURES])


def with_prior(features: np.ndarray, prior: np.ndarray) -> np.ndarray:
    swapped = features.copy()
    swapped[:, PRIOR_COLUMN] = prior
    return swapped


def interest_shares(counts: np.ndarray) -> np.ndarray:
    """Smoothed category shares from weighted category counts (one row or many).

    ``SHARE_PRIOR_EVENTS`` pseudo-events spread evenly over the categories keep a
    viewer with one click from looking certain, and give a viewer without history
    the even split.
    """
    counts = np.maximum(np.asarray(counts, dtype=np.float64), 0.0)
    n = counts.shape[-1]
    total = counts.sum(axis=-1, keepdims=True)
    return (counts + SHARE_PRIOR_EVENTS / n) / (total + SHARE_PRIOR_EVENTS)


def category_shares(shares: np.ndarray, category: np.ndarray) -> np.ndarray:
    """Log lift of the viewer's share of each item's category over an even split.

    Clicks respond to interest roughly in proportion to its logarithm (a category
    twice as interesting is not twice as clicked), so the pCTR / pCVR estimators,
    which are linear in their inputs, see the log. 0 means indifferent, and items
    without a category get 0.
    """
    known = (category >= 0) & (category < len(shares))
    out = np.zeros(len(category))
    out[known] = np.log(np.maximum(shares[category[known]], 1e-9) * len(shares))
    return out


@dataclass(frozen=True)
class Estimators:
    ctr: RateEstimator | None
    cvr: RateEstimator | None


def objectives(
    scene: SceneModel, items: np.ndarray, features: np.ndarray, models: Estimators
) -> ObjectiveScores:
    """pCTR and pCVR at the top position (priors where no estimator could be
    fitted), and the item priors for the other three objectives."""
    ctr = (
        models.ctr.predict_at_top(features)
        if models.ctr is not None
        else scene.ctr_prior[items]
    )
    cvr_features = with_prior(features, scene.cvr_prior[items])
    cvr = (
        models.cvr.predict_at_top(cvr_features)
        if models.cvr is not None
        else scene.cvr_prior[items]
    )
    return ObjectiveScores(
        ctr=np.asarray(ctr, float),
        cvr=np.asarray(cvr, float),
        quality=scene.quality[items],
        satisfaction=scene.satisfaction[items],
        merchant_health=scene.merchant_health[items],
    )


def rank_scores(
    scene: SceneModel,
    items: np.ndarray,
    *,
    profile: np.ndarray,
    shares: np.ndarray,
    now: float,
    models: Estimators,
    weights: ObjectiveWeights,
    long_term: np.ndarray | None = None,
) -> tuple[np.ndarray, ObjectiveScores]:
    """The multi-objective score (clause 5.4.2) of each candidate for one viewer.

    Personal relevance enters through the pCTR and pCVR estimators, whose inputs
    include the viewer's interest affinity and category lift, so the configured
    weights alone decide the trade-off between the objectives: a weight reads as
    the share of the score its objective controls. ``long_term`` (the unit
    long-term profile) lets the current session lift the items it moved towards,
    by ``SESSION_BOOST`` per unit of affinity gained; without a session the
    weighted objectives are the whole score.
    """
    affinity = scene.vectors[items] @ profile
    features = pair_features(
        scene,
        items,
        affinity=affinity,
        category_share=category_shares(shares, scene.category[items]),
        now=now,
    )
    scores = spread(objectives(scene, items, features, models))
    score = combine(scores, weights)
    if long_term is None:
        return score, scores
    shift = affinity - scene.vectors[items] @ long_term
    return score + SESSION_BOOST * np.maximum(shift, 0.0), scores


def spread(scores: ObjectiveScores) -> ObjectiveScores:
    """Each objective min-max scaled over the candidates.

    Raw objectives differ in spread: personal pCTR varies several-fold between
    candidates while the item-level quality priors stay within a narrow band, so
    a quality weight of 0.15 would move almost nothing. On a common [0, 1] range
    per request a weight is the share of the ordering its objective controls.
    """
    return ObjectiveScores(
        **{name: _min_max(getattr(scores, name)) for name in OBJECTIVES}
    )


def _min_max(values: np.ndarray) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    if len(values) == 0:
        return values
    low, high = float(values.min()), float(values.max())
    if high - low <= 1e-12:
        return np.ones_like(values)
    return (values - low) / (high - low)


def best(values: np.ndarray, allowed: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k largest ``values`` among ``allowed`` items, best first."""
    masked = np.where(allowed, values, np.float32(-np.inf)).astype(
        np.float32, copy=False
    )
    chosen = top_k(masked[None, :], k)[0]
    return chosen[chosen >= 0]


def best_positive(values: np.ndarray, allowed: np.ndarray, k: int) -> np.ndarray:
    """``best`` among allowed items with a positive value.

    The k best allowed are among the raw top ``m`` whenever at least k of those
    are allowed and positive, so a short partition is tried first; only when too
    few survive does every item get masked and ranked.
    """
    m = 4 * k
    if len(values) > 4 * m:
        top = np.argpartition(-values, m - 1)[:m]
        top = top[allowed[top] & (values[top] > 0)]
        if len(top) >= k:
            order = np.argsort(-values[top], kind="stable")[:k]
            return top[order]
    return best(values, allowed & (values > 0), k)


def first_allowed(order: np.ndarray, allowed: np.ndarray, k: int) -> np.ndarray:
    """The first ``k`` items of ``order`` that are allowed.

    Reads ``order`` in growing chunks, so that a catalogue of 100k items costs a
    few thousand lookups when most of its best items may be served.
    """
    found: list[np.ndarray] = []
    count, start, step = 0, 0, max(8 * k, 256)
    while count < k and start < len(order):
        chunk = order[start : start + step]
        hits = chunk[allowed[chunk]]
        found.append(hits)
        count += len(hits)
        start, step = start + step, step * 4
    if not found:
        return np.zeros(0, dtype=np.int64)
    return np.concatenate(found)[:k]


def recall(
    scene: SceneModel,
    *,
    profile: np.ndarray,
    cf_scores: np.ndarray | None,
    allowed: np.ndarray,
    now: float,
) -> dict[int, str]:
    """Candidates of every channel, each with the first channel that proposed it.

    Vector retrieval is an exact numpy dot product over the scene's item vectors,
    or, for a large scene a serving process loaded, its approximate index
    (``recengine.engine.ann`` gives the measured trade-off). The popularity and
    freshness channels read orders the loaded scene keeps (``popular_order``,
    ``fresh_items``) instead of scanning every item.
    """
    proposals: dict[str, np.ndarray] = {}
    if cf_scores is not None:
        proposals["cf"] = best_positive(cf_scores, allowed, CHANNEL_SIZES["cf"])
    if np.any(profile):
        index = scene.vector_index()
        proposals["vector"] = (
            index.search(profile, allowed, CHANNEL_SIZES["vector"])
            if index is not None
            else best(scene.vectors @ profile, allowed, CHANNEL_SIZES["vector"])
        )
    proposals["popular"] = first_allowed(
        scene.popular_order(), allowed, CHANNEL_SIZES["popular"]
    )
    fresh = scene.fresh_items(now, NEW_ITEM_SECONDS)
    fresh = fresh[allowed[fresh]]
    proposals["fresh"] = fresh[
        best(scene.quality[fresh], np.ones(len(fresh), bool), CHANNEL_SIZES["fresh"])
    ]

    found: dict[int, str] = {}
    for channel in CHANNELS:
        if channel in proposals:
            for item in proposals[channel].tolist():
                found.setdefault(item, channel)
    return found


def cf_item_scores(
    scene: SceneModel, history: sp.csr_matrix | None
) -> np.ndarray | None:
    """CF scores over the scene's items for a history row (1 x CF columns, sparse)."""
    if scene.cf is None or history is None or not np.any(history.data):
        return None
    raw = scene.cf.score_history(history)[0]
    if len(raw) == len(scene) and scene.cf_items_are_items():
        return raw  # CF column i is item i: nothing to move
    scores = np.zeros(len(scene), dtype=np.float32)
    scores[scene.cf_items] = raw
    return scores


def non_personal_scores(scene: SceneModel, hour: int) -> np.ndarray:
    """Clause 6.3.1: quality and popularity in the coarse context (scene, hour).

    Popularity is the mean of the item's overall and this hour's engagement, each
    scaled to [0, 1] by the scene's maximum; nothing about the viewer enters.
    """
    overall = _scaled(scene.popularity)
    at_hour = _scaled(scene.hourly[hour % 24].astype(float))
    return 0.5 * scene.quality + 0.25 * overall + 0.25 * at_hour


def _scaled(values: np.ndarray) -> np.ndarray:
    top = float(values.max()) if len(values) else 0.0
    return values / top if top > 0 else np.zeros_like(values, dtype=float)
