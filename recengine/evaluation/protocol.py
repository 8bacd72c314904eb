"""The offline protocol: split, fit, rank all items, measure.

Definitions the numbers depend on:

- A pair (user, item) counts once, with its strongest interaction (see
  ``data.unique_pairs``), before any split.
- Candidates are every item with at least one training interaction, minus the items
  the user interacted with in training ("seen items removed").
- A test pair whose item the user already has in training cannot be recommended
  and is dropped; the number dropped is reported (only a given split can have any).
- Evaluated users have at least one training and one test interaction; metrics
  average over them and recommendations are made for them alone.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from recengine.evaluation.data import Interactions, unique_pairs
from recengine.evaluation.metrics import evaluate_rankings
from recengine.evaluation.split import random_split
from recengine.learning.base import Recommender

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class EvaluationSet:
    """Training matrix and held-out relevance of the evaluated users."""

    train: sp.csr_matrix
    relevant: sp.csr_matrix
    users: np.ndarray
    catalogue: np.ndarray
    n_train: int
    n_test: int
    n_dropped_seen: int


@dataclass
class ModelResult:
    name: str
    params: dict[str, object]
    metrics: dict[str, float]
    fit_seconds: float
    recommend_seconds: float
    recommendations: np.ndarray = field(repr=False)


def random_holdout(
    interactions: Interactions, *, test_fraction: float, seed: int
) -> tuple[Interactions, Interactions]:
    """Per-user random split of the distinct (user, item) pairs."""
    pairs = unique_pairs(interactions)
    test = random_split(pairs.users, test_fraction=test_fraction, random_state=seed)
    return pairs.subset(~test), pairs.subset(test)


def prepare(train: Interactions, test: Interactions) -> EvaluationSet:
    """Build the training matrix and the relevance rows of the users to evaluate."""
    train_matrix = train.to_csr()
    test_pairs = unique_pairs(test)
    seen = np.asarray(train_matrix[test_pairs.users, test_pairs.items] != 0).ravel()
    test_pairs = test_pairs.subset(~seen)

    relevant_all = test_pairs.to_csr(binary=True)
    has_train = np.diff(train_matrix.indptr) > 0
    has_test = np.diff(relevant_all.indptr) > 0
    users = np.flatnonzero(has_train & has_test)
    catalogue = np.flatnonzero(np.diff(train_matrix.tocsc().indptr) > 0)
    return EvaluationSet(
        train=train_matrix,
        relevant=relevant_all[users],
        users=users,
        catalogue=catalogue,
        n_train=int(train_matrix.nnz),
        n_test=int(relevant_all[users].nnz),
        n_dropped_seen=int(seen.sum()),
    )


def evaluate_model(
    name: str, model: Recommender, evaluation: EvaluationSet, k: int
) -> ModelResult:
    """Fit on the training matrix, recommend k items per user and measure them."""
    started = time.perf_counter()
    model.fit(evaluation.train)
    fitted = time.perf_counter()
    recommendations = model.recommend(evaluation.users, k, exclude_seen=True)
    finished = time.perf_counter()
    logger.info(
        "evaluated %s: fit %.2fs, recommend %.2fs",
        name,
        fitted - started,
        finished - fitted,
    )

    metrics = evaluate_rankings(
        recommendations, evaluation.relevant, k, evaluation.catalogue
    )
    return ModelResult(
        name=name,
        params=model.describe(),
        metrics=metrics,
        fit_seconds=fitted - started,
        recommend_seconds=finished - fitted,
        recommendations=recommendations,
    )
