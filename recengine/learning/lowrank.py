"""Low-rank recall models: memory grows with items x factors, not items squared.

- ``PureSVD``: the top right singular vectors of the interaction matrix (Cremonesi
  et al., 2010); no iterations to tune, a few seconds on millions of interactions.
- ``ImplicitALS``: weighted matrix factorisation for implicit feedback (Hu, Koren
  and Volinsky, 2008) trained by the ``implicit`` package's conjugate-gradient ALS.
"""

from __future__ import annotations

import logging

import numpy as np
import scipy.sparse as sp
from sklearn.utils.extmath import randomized_svd
from threadpoolctl import threadpool_limits

from recengine.learning.base import Recommender

logger = logging.getLogger(__name__)


class PureSVD(Recommender):
    """Scores x_u V V', with V the top ``n_components`` right singular vectors of X."""

    def __init__(self, n_components: int = 64, random_state: int | None = None):
        self.n_components = n_components
        self.random_state = random_state

    def _fit(self, X: sp.csr_matrix) -> None:
        rank = min(self.n_components, min(X.shape) - 1)
        if rank < 1:
            raise ValueError("PureSVD needs at least two users and two items")
        _, _, vt = randomized_svd(X, rank, n_iter=4, random_state=self.random_state)
        self.item_factors_ = np.ascontiguousarray(vt.T, dtype=np.float32)

    def _score_rows(self, history: sp.csr_matrix) -> np.ndarray:
        return (history @ self.item_factors_) @ self.item_factors_.T


class ImplicitALS(Recommender):
    """Implicit-feedback matrix factorisation, scores = user factors . item factors.

    Confidence in an interaction is ``alpha`` times its strength. Users seen in
    ``fit`` keep their learned factors; any other history is folded in by solving
    the same regularised least-squares problem against the fixed item factors.
    """

    def __init__(
        self,
        factors: int = 32,
        regularization: float = 0.1,
        alpha: float = 1.0,
        iterations: int = 15,
        random_state: int | None = None,
    ):
        self.factors = factors
        self.regularization = regularization
        self.alpha = alpha
        self.iterations = iterations
        self.random_state = random_state

    def _fit(self, X: sp.csr_matrix) -> None:
        from implicit.cpu.als import AlternatingLeastSquares

        # implicit runs its own threads; BLAS threads on top of them oversubscribe
        # the cores and slow training down several times.
        with threadpool_limits(1, "blas"):
            model = AlternatingLeastSquares(
                factors=self.factors,
                regularization=self.regularization,
                alpha=self.alpha,
                iterations=self.iterations,
                random_state=self.random_state,
            )
            model.fit(X, show_progress=False)
        self.user_factors_ = np.asarray(model.user_factors, dtype=np.float32)
        self.item_factors_ = np.asarray(model.item_factors, dtype=np.float32)

    def _score_users(self, users: np.ndarray, rows: sp.csr_matrix) -> np.ndarray:
        return self.user_factors_[users] @ self.item_factors_.T

    def _score_rows(self, history: sp.csr_matrix) -> np.ndarray:
        return self._fold_in(history) @ self.item_factors_.T

    def _gram(self) -> np.ndarray:
        """Y'Y + reg I over every item: the same for every fold-in of a fitted
        model, computed once (a serving request folds in one viewer)."""
        gram = self.__dict__.get("_gram_cache")
        if gram is None or gram[0] is not self.item_factors_:
            items = self.item_factors_.astype(np.float64)
            value = items.T @ items + self.regularization * np.eye(items.shape[1])
            gram = (self.item_factors_, value)
            self.__dict__["_gram_cache"] = gram
        return gram[1]

    def _fold_in(self, history: sp.csr_matrix) -> np.ndarray:
        """User factors for new rows: (Y'Y + Y'(C-I)Y + reg I)^-1 Y'C 1."""
        gram = self._gram()
        factors = self.item_factors_
        result = np.zeros((history.shape[0], factors.shape[1]), dtype=np.float32)
        for row in range(history.shape[0]):
            start, stop = history.indptr[row], history.indptr[row + 1]
            if start == stop:
                continue
            local = factors[history.indices[start:stop]].astype(np.float64)
            confidence = self.alpha * history.data[start:stop].astype(np.float64)
            system = gram + (local.T * (confidence - 1.0)) @ local
            result[row] = np.linalg.solve(system, local.T @ confidence)
        return result
