"""A blend of recall models whose scores are standardised per user and summed.

Models of different families make different mistakes: an item-item model is sharp
on local co-occurrence, a factor model on broad taste. Standardising each model's
scores per user (zero mean, unit variance over the catalogue) puts them on one
scale before weighting, whatever each model's raw range.
"""

from __future__ import annotations

from typing import Self

import numpy as np
import scipy.sparse as sp

from recengine.learning.base import Recommender


class Blend(Recommender):
    def __init__(self, models: list[Recommender], weights: list[float] | None = None):
        self.models = models
        self.weights = weights

    def clone(self) -> Self:
        return type(self)([model.clone() for model in self.models], self.weights)

    def describe(self) -> dict[str, object]:
        return {
            "model": type(self).__name__,
            "models": [model.describe() for model in self.models],
            "weights": self._weights().tolist(),
        }

    def _fit(self, X: sp.csr_matrix) -> None:
        if not self.models:
            raise ValueError("a blend needs at least one model")
        self.models_ = [model.clone().fit(X) for model in self.models]

    def _score_rows(self, history: sp.csr_matrix) -> np.ndarray:
        parts = [model.score_history(history) for model in self.models_]
        return self._combine(parts)

    def _score_users(self, users: np.ndarray, rows: sp.csr_matrix) -> np.ndarray:
        return self._combine([model.score(users) for model in self.models_])

    def _combine(self, parts: list[np.ndarray]) -> np.ndarray:
        total = np.zeros_like(parts[0])
        for weight, scores in zip(self._weights(), parts, strict=True):
            centred = scores - scores.mean(axis=1, keepdims=True)
            spread = centred.std(axis=1, keepdims=True)
            total += weight * centred / np.where(spread > 0, spread, 1.0)
        return total

    def _weights(self) -> np.ndarray:
        if self.weights is None:
            return np.full(len(self.models), 1.0 / len(self.models))
        weights = np.asarray(self.weights, dtype=np.float64)
        if weights.size != len(self.models) or (weights < 0).any():
            raise ValueError("one non-negative weight per model is needed")
        return weights / weights.sum()
