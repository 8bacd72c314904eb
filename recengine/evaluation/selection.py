"""Choosing the engine's recall model and its hyperparameters by measurement.

All choices are made on a validation split carved out of the training data (a
per-user random 25 % of the training pairs); the test split is never looked at.
Each family's main hyperparameter is tuned on a short grid, then the engine is the
best of the tuned EASE, the tuned ALS and their blend, by validation NDCG@k.

Without tuning, fixed values that suit catalogues of MovieLens-100k's size are
used: EASE l2 = 250 (published optima for ML-100k lie in the low hundreds),
item-kNN with 100 neighbours.

On a platform's scale two shortcuts keep tuning to minutes: at most
``VALIDATION_MAX_USERS`` users (a seeded random sample) take part in it, which
leaves the NDCG estimate's error far below the differences between grid points; and
above ``EASE_MAX_ITEMS`` items, where item-kNN is only a baseline and never the
engine, its grid shrinks to the default.
"""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from recengine.evaluation.data import Interactions
from recengine.evaluation.metrics import ndcg_at_k
from recengine.evaluation.protocol import EvaluationSet, prepare, random_holdout
from recengine.learning.base import Recommender
from recengine.learning.blend import Blend
from recengine.learning.cf import EASE, EASE_MAX_ITEMS, ItemKNN, MostPopular
from recengine.learning.lowrank import ImplicitALS

logger = logging.getLogger(__name__)

EASE_L2_GRID = (100.0, 250.0, 500.0, 1000.0, 2000.0)
KNN_NEIGHBOURS_GRID = (25, 50, 100, 200, 400)
ALS_FACTORS_GRID = (16, 32, 64, 128)
DEFAULT_EASE_L2 = 250.0
DEFAULT_KNN_NEIGHBOURS = 100
VALIDATION_MAX_USERS = 20_000


@dataclass
class Selection:
    """Unfitted models to evaluate, keyed by report name, and how they were chosen."""

    models: dict[str, Recommender]
    validation_ndcg: dict[str, float] = field(default_factory=dict)


def baseline_models(
    n_neighbors: int = DEFAULT_KNN_NEIGHBOURS,
) -> dict[str, Recommender]:
    return {"most_popular": MostPopular(), "item_knn": ItemKNN(n_neighbors)}


def default_engine(n_items: int, random_state: int | None = None) -> Recommender:
    """EASE while the catalogue fits its dense matrix, a low-rank model above it."""
    if n_items <= EASE_MAX_ITEMS:
        return EASE(DEFAULT_EASE_L2)
    if als_available():
        return ImplicitALS(factors=64, random_state=random_state)
    return ItemKNN(DEFAULT_KNN_NEIGHBOURS)


def fixed_selection(n_items: int, random_state: int | None = None) -> Selection:
    models = {"engine": default_engine(n_items, random_state)}
    return Selection({**models, **baseline_models()})


def tuned_selection(X: sp.csr_matrix, *, k: int, seed: int) -> Selection:
    """Tune every family on a validation split of X and pick the engine."""
    validation = validation_set(_user_sample(X, seed=seed), seed=seed)
    scores: dict[str, float] = {}

    large = X.shape[1] > EASE_MAX_ITEMS
    knn_grid = (DEFAULT_KNN_NEIGHBOURS,) if large else KNN_NEIGHBOURS_GRID
    knn = _best(scores, validation, k, "item_knn", knn_grid, ItemKNN)
    candidates: dict[str, Recommender] = {}
    if X.shape[1] <= EASE_MAX_ITEMS:
        candidates["ease"] = _best(scores, validation, k, "ease", EASE_L2_GRID, EASE)
    if als_available():
        candidates["als"] = _best(
            scores,
            validation,
            k,
            "als",
            ALS_FACTORS_GRID,
            lambda factors: ImplicitALS(factors=factors, random_state=seed),
        )
    if len(candidates) == 2:
        blend = Blend(list(candidates.values()))
        scores["blend"] = _validation_ndcg(blend, validation, k)
        candidates["blend"] = blend
    if not candidates:
        candidates["item_knn"] = knn

    winner = max(candidates, key=lambda name: _candidate_score(scores, name))
    logger.info("engine chosen by validation: %s", winner)
    models = {"engine": candidates[winner], **baseline_models(knn.n_neighbors)}
    return Selection(models, scores)


def validation_set(X: sp.csr_matrix, *, seed: int) -> EvaluationSet:
    """Hold out a per-user random quarter of the training pairs for validation."""
    coo = X.tocoo()
    pairs = Interactions(
        coo.row.astype(np.int64),
        coo.col.astype(np.int64),
        np.zeros(coo.nnz, dtype=np.int64),
        coo.data.astype(np.float64),
        X.shape[0],
        X.shape[1],
    )
    fit_part, held_out = random_holdout(pairs, test_fraction=0.25, seed=seed + 1)
    return prepare(fit_part, held_out)


def _user_sample(X: sp.csr_matrix, *, seed: int) -> sp.csr_matrix:
    if X.shape[0] <= VALIDATION_MAX_USERS:
        return X
    rng = np.random.default_rng(seed)
    rows = np.sort(rng.choice(X.shape[0], VALIDATION_MAX_USERS, replace=False))
    return X[rows]


def als_available() -> bool:
    return importlib.util.find_spec("implicit") is not None


def _best(
    scores: dict[str, float],
    validation: EvaluationSet,
    k: int,
    family: str,
    grid: tuple,
    make: Callable[[object], Recommender],
) -> Recommender:
    best_model, best_score = None, -1.0
    for value in grid:
        model = make(value)
        score = _validation_ndcg(model, validation, k)
        scores[f"{family}[{value}]"] = score
        if score > best_score:
            best_model, best_score = model, score
    scores[family] = best_score
    return best_model


def _validation_ndcg(model: Recommender, validation: EvaluationSet, k: int) -> float:
    fitted = model.clone().fit(validation.train)
    recommendations = fitted.recommend(validation.users, k)
    return ndcg_at_k(recommendations, validation.relevant, k)


def _candidate_score(scores: dict[str, float], name: str) -> float:
    return scores.get(name, -1.0)
