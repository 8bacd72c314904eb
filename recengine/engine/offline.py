"""pCTR / pCVR fitting and the offline evaluation, both on a time split.

The window is cut at 80 % of its length. Everything behind the cut (priors, CF,
interest) is learned on the first part only; the estimators are fitted on the
exposures of the first part and measured on those of the last 20 % (log loss, AUC,
ECE); the rankings are measured against what viewers did in the last 20 %.

Offline ranking definitions, one rule for every contender: the engine ranks the
union of its recall channels by the multi-objective score (governance steps such
as live-now eligibility and diversity are serving matters and not applied); the
non-personalised strategy ranks by quality and popularity; most-popular and
item-kNN are the reference baselines fitted on the same matrix. Items the viewer
already used are NOT removed: live rooms and shops are revisited, and a return
visit is a success. At most ``MAX_EVALUATED`` viewers (a seeded sample) are ranked.

Why the plain time split favours most-popular: the log was collected while a
popularity-ordered feed chose what viewers saw, and a viewer can only click what
was shown. The test interactions therefore sit on the items the logging policy
exposed most, which are exactly the items most-popular recommends; an engine that
ranks an unexposed but better-matching item first gets no credit, because the
viewer never had the chance to click it. ``debiased`` reports the same rankings
with each test interaction weighted by the inverse of its item's exposure
propensity under the logging policy (self-normalised IPS, propensity
``((exposures + 1) / (max + 1)) ** PROPENSITY_POWER`` from the training part), so
a hit on a rarely shown item counts for what it reveals about preference. It needs
no ground truth; the online A/B test of ``recengine.simulator.online`` remains the
unbiased judge.
"""

from __future__ import annotations

import datetime as dt
import logging

import numpy as np
import pandas as pd
import scipy.sparse as sp

from recengine.engine import scoring
from recengine.engine.artifacts import SceneModel
from recengine.engine.state import ITEM_COLUMN, SEED, State, scene_matrix
from recengine.evaluation.metrics import evaluate_rankings
from recengine.features.datasets import impression_table
from recengine.learning.base import top_k
from recengine.learning.cf import ItemKNN, MostPopular
from recengine.learning.ctr import RateEstimator
from recengine.models import Event, EventKind
from recengine.ranking.objectives import ObjectiveWeights

logger = logging.getLogger(__name__)

K = 10
MAX_EVALUATED = 5000
# Exposures read for pCTR / pCVR: the most recent span of the window expected to
# hold about this many rows (a count in the database decides the span).
MAX_IMPRESSIONS = 1_000_000
AFFINITY_CHUNK = 100_000
# Exposure propensity grows sublinearly with exposure counts (Yang et al., RecSys
# 2018, fit the exponent near 0.5 on public data); 1.0 would over-correct.
PROPENSITY_POWER = 0.5


def cutoff_of(start: dt.datetime, end: dt.datetime) -> dt.datetime:
    return start + (end - start) * 0.8


# -- pCTR and pCVR ------------------------------------------------------------------


def impression_span(start: dt.datetime, end: dt.datetime) -> dt.datetime:
    """Start of the most recent part of the window holding ~MAX_IMPRESSIONS rows."""
    total = Event.objects.filter(
        kind=EventKind.IMPRESSION, occurred_at__gte=start, occurred_at__lt=end
    ).count()
    if total <= MAX_IMPRESSIONS:
        return start
    return end - (end - start) * (MAX_IMPRESSIONS / total)


def fit_rates(
    part: State, start: dt.datetime, end: dt.datetime
) -> tuple[dict, dict, dict]:
    """Per scene: pCTR, pCVR and their holdout calibration."""
    cutoff = cutoff_of(start, end)
    first = impression_span(start, end)
    pctr, pcvr, report = {}, {}, {}
    for scene, model in part.scenes.items():
        table = impression_table(first, end, item=ITEM_COLUMN[scene])
        features, keep = _impression_features(part, model, table)
        table = table[keep]
        holdout = (table["timestamp"] >= cutoff.timestamp()).to_numpy()
        ctr_x = features
        cvr_x = scoring.with_prior(features, model.cvr_prior[_rows(model, table)])
        pctr[scene], ctr_report = _fit_one(ctr_x, table["click"], holdout)
        pcvr[scene], cvr_report = _fit_one(cvr_x, table["order"], holdout)
        report[scene] = {"pctr": ctr_report, "pcvr": cvr_report}
    return pctr, pcvr, report


def _rows(model: SceneModel, table: pd.DataFrame) -> np.ndarray:
    return pd.Index(model.item_ids).get_indexer(table["item"].to_numpy())


def _impression_features(part: State, model: SceneModel, table: pd.DataFrame):
    items = _rows(model, table)
    keep = items >= 0
    items = items[keep]
    viewers = table["viewer"].to_numpy()[keep]
    profile_rows = np.array([part.interest_viewers.get(int(v), -1) for v in viewers])
    affinity, shares = _personal_columns(part, model, profile_rows, items)
    features = scoring.pair_features(
        model,
        items,
        affinity=affinity,
        category_share=shares,
        now=float(table["timestamp"].max()) if len(table) else 0.0,
        position=table["position"].to_numpy()[keep],
    )
    return features, keep


def _personal_columns(part: State, model: SceneModel, rows, items):
    """Affinity to the long-term profile and the category share, in chunks."""
    long_term = part.interest.long_
    norms = np.linalg.norm(long_term, axis=1, keepdims=True)
    unit = np.divide(long_term, norms, out=np.zeros_like(long_term), where=norms > 0)
    shares = scoring.interest_shares(part.interest.categories_)
    affinity = np.zeros(len(items))
    share = np.zeros(len(items))
    known = rows >= 0
    for begin in range(0, len(items), AFFINITY_CHUNK):
        chunk = slice(begin, begin + AFFINITY_CHUNK)
        r, i, k = rows[chunk], items[chunk], known[chunk]
        affinity[chunk][k] = np.einsum("ij,ij->i", unit[r[k]], model.vectors[i[k]])
        category = model.category[i[k]]
        share_chunk = np.zeros(k.sum())
        has = (category >= 0) & (category < shares.shape[1])
        picked = shares[r[k][has], category[has]]
        share_chunk[has] = np.log(np.maximum(picked, 1e-9) * shares.shape[1])
        share[chunk][k] = share_chunk
    return affinity, share


def _fit_one(features: np.ndarray, labels: pd.Series, holdout: np.ndarray):
    y = labels.to_numpy(dtype=np.int64)
    train, test = ~holdout, holdout
    if len(np.unique(y[train])) < 2:
        return None, {
            "fitted": False,
            "reason": "one outcome only",
            "n": int(train.sum()),
        }
    estimator = RateEstimator().fit(features[train], y[train])
    report = {"fitted": True, "n_train": int(train.sum())}
    if test.any():
        report["holdout"] = estimator.evaluate(features[test], y[test]).as_dict()
    return estimator, report


# -- rankings on the time split -----------------------------------------------------


RELEVANCE_ONLY = ObjectiveWeights(
    ctr=0.6, cvr=0.4, quality=0.0, satisfaction=0.0, merchant_health=0.0
)


def evaluate(
    part: State,
    pctr: dict,
    pcvr: dict,
    start: dt.datetime,
    end: dt.datetime,
    weights: ObjectiveWeights,
) -> dict:
    cutoff = cutoff_of(start, end)
    report = {}
    for scene, model in part.scenes.items():
        column = ITEM_COLUMN[scene]
        train, train_viewers = scene_matrix(model, start, cutoff, column)
        test, test_viewers = scene_matrix(model, cutoff, end, column)
        estimators = scoring.Estimators(pctr.get(scene), pcvr.get(scene))
        report[scene] = _evaluate_scene(
            part,
            model,
            train,
            train_viewers,
            test,
            test_viewers,
            estimators,
            cutoff,
            weights,
        )
    return report


def _evaluate_scene(
    part, model, train, train_viewers, test, test_viewers, estimators, cutoff, weights
):
    viewers = [
        int(v)
        for v, n in zip(test_viewers, np.diff(test.indptr), strict=True)
        if n > 0 and int(v) in part.interest_viewers
    ]
    if not viewers or train.nnz == 0:
        return {"users": 0}
    rng = np.random.default_rng(SEED)
    if len(viewers) > MAX_EVALUATED:
        viewers = sorted(rng.choice(viewers, MAX_EVALUATED, replace=False).tolist())
    test_row = {int(v): i for i, v in enumerate(test_viewers)}
    train_row = {int(v): i for i, v in enumerate(train_viewers)}
    relevant = sp.vstack([test[test_row[v]] for v in viewers]).tocsr()
    history = sp.vstack(
        [
            train[train_row[v]] if v in train_row else sp.csr_matrix((1, len(model)))
            for v in viewers
        ]
    ).tocsr()

    rankings = {
        "engine": _engine_rankings(
            part, model, viewers, history, estimators, cutoff, weights
        ),
        # The same recall and estimators ranked by pCTR and pCVR alone: how much
        # of the click ranking the governance objectives' weights trade away.
        "engine_ctr_cvr": _engine_rankings(
            part, model, viewers, history, estimators, cutoff, RELEVANCE_ONLY
        ),
        "non_personalised": _repeat(
            scoring.non_personal_scores(model, _local_hour(cutoff)), len(viewers)
        ),
        "most_popular": _repeat(MostPopular().fit(train).popularity_, len(viewers)),
        "item_knn": top_k(ItemKNN().fit(train).score_history(history), K),
    }
    catalogue = np.arange(len(model))
    metrics = {
        name: evaluate_rankings(recs, relevant, K, catalogue)
        for name, recs in rankings.items()
    }
    weights = 1.0 / exposure_propensity(model.exposures)
    debiased = {
        name: ips_metrics(recs, relevant, weights, K) for name, recs in rankings.items()
    }
    return {"users": len(viewers), "k": K, "metrics": metrics, "debiased": debiased}


def exposure_propensity(exposures: np.ndarray) -> np.ndarray:
    """Relative chance, in (0, 1], that the logging policy showed each item."""
    counts = np.asarray(exposures, dtype=float)
    top = float(counts.max()) if len(counts) else 0.0
    return ((counts + 1.0) / (top + 1.0)) ** PROPENSITY_POWER


def ips_metrics(
    recommendations: np.ndarray, relevant: sp.spmatrix, weights: np.ndarray, k: int
) -> dict[str, float]:
    """Self-normalised inverse-propensity recall and NDCG at k.

    Each test item of a viewer counts with its weight instead of 1: recall is the
    weight of the hits over the weight of all test items, summed over viewers;
    NDCG divides each viewer's weighted DCG by the best DCG the same weights allow.
    """
    relevant = sp.csr_matrix(relevant, dtype=np.float64)
    relevant.data[:] = 1.0
    gains = relevant.multiply(weights[None, :]).tocsr()
    found, total, ndcg = 0.0, 0.0, []
    discount = 1.0 / np.log2(np.arange(2, k + 2))
    for row, recs in enumerate(np.asarray(recommendations)[:, :k]):
        start, end = gains.indptr[row], gains.indptr[row + 1]
        if start == end:
            continue
        gain = dict(zip(gains.indices[start:end], gains.data[start:end], strict=True))
        hit = np.array([gain.get(int(item), 0.0) for item in recs])
        ideal = np.sort(gains.data[start:end])[::-1][:k]
        found, total = found + hit.sum(), total + gains.data[start:end].sum()
        ndcg.append(hit @ discount[: len(hit)] / (ideal @ discount[: len(ideal)]))
    if not ndcg:
        return {"ips_recall": 0.0, "ips_ndcg": 0.0}
    return {"ips_recall": found / total, "ips_ndcg": float(np.mean(ndcg))}


def _local_hour(moment: dt.datetime) -> int:
    from django.utils import timezone

    return timezone.localtime(moment).hour


def _repeat(scores: np.ndarray, n: int) -> np.ndarray:
    order = top_k(np.asarray(scores, dtype=np.float32)[None, :], K)
    return np.repeat(order, n, axis=0)


def _engine_rankings(part, model, viewers, history, estimators, cutoff, weights):
    now = cutoff.timestamp()
    allowed = np.ones(len(model), dtype=bool)
    out = np.full((len(viewers), K), -1, dtype=np.int64)
    for i, viewer in enumerate(viewers):
        row = part.interest_viewers[viewer]
        profile = part.interest.profile(row, now)
        shares = scoring.interest_shares(part.interest.categories_[row])
        cf = scoring.cf_item_scores(model, history[i])
        found = scoring.recall(
            model, profile=profile, cf_scores=cf, allowed=allowed, now=now
        )
        items = np.fromiter(found, dtype=np.int64)
        score, _ = scoring.rank_scores(
            model,
            items,
            profile=profile,
            shares=shares,
            now=now,
            models=estimators,
            weights=weights,
        )
        best = items[np.argsort(-score, kind="stable")[:K]]
        out[i, : len(best)] = best
    return out
