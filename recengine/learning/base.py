"""What every recall model shares: fitting on a user x item matrix, scoring, top k.

Models follow the scikit-learn estimator habit: ``__init__`` only stores
parameters, ``fit(X)`` learns and returns the model, learned attributes end in an
underscore. ``X`` is a scipy sparse matrix of users x items whose non-zero values
are interaction strengths.
"""

from __future__ import annotations

import logging
from typing import Self

import numpy as np
import scipy.sparse as sp

logger = logging.getLogger(__name__)

# Users are scored in chunks whose dense score block stays near this many floats
# (64 MB as float32), whatever the catalogue size.
SCORE_BLOCK_FLOATS = 1 << 24


class Recommender:
    """Base of the recall models; subclasses implement ``_fit`` and ``_score_rows``."""

    def get_params(self) -> dict[str, object]:
        """The constructor parameters, as ``__init__`` stored them."""
        return {
            key: value
            for key, value in vars(self).items()
            if not key.endswith("_") and not key.startswith("_")
        }

    def clone(self) -> Self:
        """An unfitted copy with the same parameters."""
        return type(self)(**self.get_params())

    def describe(self) -> dict[str, object]:
        """Name and parameters, ready for a JSON report."""
        return {"model": type(self).__name__, **self.get_params()}

    def fit(self, X: sp.spmatrix) -> Self:
        X = check_interactions(X)
        self.user_items_ = X
        self.n_items_ = X.shape[1]
        # Items nobody interacted with carry no signal; no model may recommend them.
        self.known_items_ = np.diff(X.tocsc().indptr) > 0
        self._fit(X)
        return self

    def score(self, user_indices: np.ndarray) -> np.ndarray:
        """Dense float32 scores (n_users, n_items) of users seen in ``fit``."""
        users = np.asarray(user_indices, dtype=np.int64)
        rows = self.user_items_[users]
        return np.asarray(self._score_users(users, rows), dtype=np.float32)

    def score_history(self, history: sp.spmatrix) -> np.ndarray:
        """Scores for arbitrary interaction rows, e.g. a viewer's recent events."""
        history = check_interactions(history)
        if history.shape[1] != self.n_items_:
            raise ValueError("history must have one column per item of the model")
        return np.asarray(self._score_rows(history), dtype=np.float32)

    def recommend(
        self, user_indices: np.ndarray, k: int, exclude_seen: bool = True
    ) -> np.ndarray:
        """Top-k item indices per user, best first, as an int64 array (n_users, k).

        Users are scored in chunks so memory stays bounded. Items without training
        interactions are never returned, nor, with ``exclude_seen``, items the user
        already interacted with; a row with fewer than k candidates is padded with -1.
        """
        if k < 1:
            raise ValueError("k must be at least 1")
        users = np.asarray(user_indices, dtype=np.int64)
        result = np.full((users.size, k), -1, dtype=np.int64)
        chunk = max(1, SCORE_BLOCK_FLOATS // max(1, self.n_items_))

        for start in range(0, users.size, chunk):
            batch = users[start : start + chunk]
            rows = self.user_items_[batch]
            scores = np.asarray(self._score_users(batch, rows), dtype=np.float32)
            scores[:, ~self.known_items_] = -np.inf
            if exclude_seen:
                _mask_seen(scores, rows)
            result[start : start + chunk] = top_k(scores, k)
        return result

    def _fit(self, X: sp.csr_matrix) -> None:
        raise NotImplementedError

    def _score_rows(self, history: sp.csr_matrix) -> np.ndarray:
        raise NotImplementedError

    def _score_users(self, users: np.ndarray, rows: sp.csr_matrix) -> np.ndarray:
        """Scores of fitted users; models that learn per-user state override this."""
        return self._score_rows(rows)


def check_interactions(X: sp.spmatrix | np.ndarray) -> sp.csr_matrix:
    """A float32 CSR copy of X; refuses negative or non-finite strengths."""
    X = sp.csr_matrix(X, dtype=np.float32)
    X.sum_duplicates()
    X.eliminate_zeros()
    if X.nnz and (not np.isfinite(X.data).all() or X.data.min() < 0):
        raise ValueError("interaction strengths must be finite and non-negative")
    return X


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Column indices of the k largest finite scores per row, -1 where none is left."""
    n_rows, n_cols = scores.shape
    result = np.full((n_rows, k), -1, dtype=np.int64)
    width = min(k, n_cols)
    if width == 0:
        return result

    # argpartition finds the k best in linear time; only those k get sorted.
    best = np.argpartition(-scores, width - 1, axis=1)[:, :width]
    best_scores = np.take_along_axis(scores, best, axis=1)
    order = np.argsort(-best_scores, axis=1, kind="stable")
    best = np.take_along_axis(best, order, axis=1)
    best_scores = np.take_along_axis(best_scores, order, axis=1)
    result[:, :width] = np.where(np.isfinite(best_scores), best, -1)
    return result


def _mask_seen(scores: np.ndarray, rows: sp.csr_matrix) -> None:
    row_of_entry = np.repeat(np.arange(rows.shape[0]), np.diff(rows.indptr))
    scores[row_of_entry, rows.indices] = -np.inf
