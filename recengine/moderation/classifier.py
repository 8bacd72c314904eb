"""The machine screen's text classifier: TF-IDF over jieba words and word pairs,
then a class-balanced logistic regression (clause 6.1.1).

Plain scikit-learn in estimator style; no database. ``evaluate`` measures precision
and recall on examples the fit never saw.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Self

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from recengine.features.text import tokenize, warm_up


def _kind_document(kind: str, text: str) -> str:
    # The content kind is a token of its own: "第一" reads differently in a
    # transcript than in a product title.
    return f"kind_{kind} {text}"


class RiskClassifier:
    """Probability that a content element violates the rules of clause 6.1."""

    def __init__(self, *, C: float = 4.0, min_df: int = 2, random_state: int = 0):
        self.C = C
        self.min_df = min_df
        self.random_state = random_state

    def fit(
        self, kinds: Sequence[str], texts: Sequence[str], y: Sequence[bool]
    ) -> Self:
        if len(set(y)) < 2:
            raise ValueError("The screen needs violating and clean examples.")
        warm_up()
        self.vectorizer_ = TfidfVectorizer(
            tokenizer=tokenize,
            token_pattern=None,
            lowercase=False,
            ngram_range=(1, 2),
            sublinear_tf=True,
            min_df=self.min_df,
        )
        features = self.vectorizer_.fit_transform(self._documents(kinds, texts))
        self.model_ = LogisticRegression(
            C=self.C,
            class_weight="balanced",
            max_iter=2000,
            random_state=self.random_state,
        )
        self.model_.fit(features, np.asarray(y, dtype=bool))
        return self

    def predict_proba(self, kinds: Sequence[str], texts: Sequence[str]) -> np.ndarray:
        """Violation probability per element."""
        if not texts:
            return np.zeros(0)
        features = self.vectorizer_.transform(self._documents(kinds, texts))
        return self.model_.predict_proba(features)[:, 1]

    @staticmethod
    def _documents(kinds: Sequence[str], texts: Sequence[str]) -> list[str]:
        return [_kind_document(k, t) for k, t in zip(kinds, texts, strict=True)]


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    true_positives: int
    false_positives: int
    false_negatives: int


def precision_recall(truth: Sequence[bool], flagged: Sequence[bool]) -> Scores:
    """Precision and recall of ``flagged`` against ``truth``; 0 where undefined."""
    truth_array = np.asarray(truth, dtype=bool)
    flagged_array = np.asarray(flagged, dtype=bool)
    tp = int(np.sum(truth_array & flagged_array))
    fp = int(np.sum(~truth_array & flagged_array))
    fn = int(np.sum(truth_array & ~flagged_array))
    return Scores(
        precision=tp / (tp + fp) if tp + fp else 0.0,
        recall=tp / (tp + fn) if tp + fn else 0.0,
        true_positives=tp,
        false_positives=fp,
        false_negatives=fn,
    )


def held_out_split(
    n: int, test_share: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Indices of a seeded random split: (train, test)."""
    if not 0 < test_share < 1:
        raise ValueError("test_share must lie strictly between 0 and 1.")
    order = np.random.default_rng(seed).permutation(n)
    cut = max(1, int(round(n * test_share)))
    return np.sort(order[cut:]), np.sort(order[:cut])
