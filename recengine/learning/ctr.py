"""pCTR and pCVR estimators (clause 5.4.2 efficiency objectives), with calibration
measured on a time-split holdout.

A logistic regression on standardised pair features: it is calibrated by
construction on data like its training data, cheap enough to score hundreds of
candidates per request in microseconds, and its coefficients can be shown to a
compliance officer. Position is a training feature so that the model learns the
position bias instead of attributing it to items; at serving every candidate is
scored as if at position 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Self

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss, roc_auc_score

PAIR_FEATURES = (
    "affinity",  # viewer profile . item vector
    "category_share",  # the viewer's interest share of the item's category
    "log_popularity",  # log1p of the item's recent exposures
    "prior_rate",  # the item's smoothed rate of the target among its exposures
    "quality",  # content / merchant quality score
    "professionalism",
    "clarity",
    "interactivity",
    "log_price",
    "is_new",
    "log_position",
)
POSITION = PAIR_FEATURES.index("log_position")


@dataclass(frozen=True)
class Calibration:
    log_loss: float
    auc: float
    ece: float  # expected calibration error over 10 equal-count bins
    base_rate: float
    mean_prediction: float
    n: int

    def as_dict(self) -> dict[str, float]:
        return dict(self.__dict__)


class RateEstimator:
    """P(target | exposure, pair features) for one target (click or order)."""

    def __init__(self, C: float = 1.0, max_iter: int = 500):
        self.C = C
        self.max_iter = max_iter

    def fit(self, X: np.ndarray, y: np.ndarray) -> Self:
        if len(np.unique(y)) < 2:
            raise ValueError("training labels need both outcomes")
        X = np.asarray(X, dtype=np.float64)
        self.mean_ = X.mean(axis=0)
        self.scale_ = X.std(axis=0)
        self.scale_[self.scale_ == 0] = 1.0
        self.model_ = LogisticRegression(C=self.C, max_iter=self.max_iter)
        self.model_.fit((X - self.mean_) / self.scale_, y)
        self.coef_ = self.model_.coef_[0] / self.scale_
        self.intercept_ = float(
            self.model_.intercept_[0]
            - np.dot(self.model_.coef_[0], self.mean_ / self.scale_)
        )
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Probabilities, vectorised without sklearn's per-call overhead."""
        logits = np.asarray(X, dtype=np.float64) @ self.coef_ + self.intercept_
        return 1.0 / (1.0 + np.exp(-logits))

    def predict_at_top(self, X: np.ndarray) -> np.ndarray:
        X = np.array(X, dtype=np.float64)
        X[:, POSITION] = 0.0  # log1p(position 1 - 1)
        return self.predict(X)

    def evaluate(self, X: np.ndarray, y: np.ndarray) -> Calibration:
        p = np.clip(self.predict(X), 1e-6, 1 - 1e-6)
        return calibration(y, p)


def calibration(y: np.ndarray, p: np.ndarray, bins: int = 10) -> Calibration:
    y = np.asarray(y, dtype=float)
    order = np.argsort(p)
    ece = 0.0
    for chunk in np.array_split(order, bins):
        if len(chunk):
            ece += len(chunk) / len(p) * abs(p[chunk].mean() - y[chunk].mean())
    auc = roc_auc_score(y, p) if 0 < y.sum() < len(y) else float("nan")
    return Calibration(
        log_loss=float(log_loss(y, p, labels=[0, 1])),
        auc=float(auc),
        ece=float(ece),
        base_rate=float(y.mean()),
        mean_prediction=float(p.mean()),
        n=len(y),
    )
