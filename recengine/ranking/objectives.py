"""The multi-objective ranking score (clause 5.4.2).

Efficiency (pCTR, pCVR) is weighed with content quality, predicted satisfaction and
merchant ecosystem health, the non-commercial objectives the standard requires.
Each objective is brought to [0, 1] before weighting, so a weight reads as the share
of the score that objective controls.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

OBJECTIVES = ("ctr", "cvr", "quality", "satisfaction", "merchant_health")


@dataclass(frozen=True)
class ObjectiveWeights:
    ctr: float = 0.30
    cvr: float = 0.20
    quality: float = 0.20
    satisfaction: float = 0.10
    merchant_health: float = 0.20

    def __post_init__(self):
        values = self.as_dict().values()
        if any(value < 0 for value in values) or sum(values) <= 0:
            raise ValueError("objective weights must be non-negative, not all zero")

    def as_dict(self) -> dict[str, float]:
        return asdict(self)

    def normalised(self) -> np.ndarray:
        weights = np.array([getattr(self, name) for name in OBJECTIVES])
        return weights / weights.sum()


@dataclass(frozen=True)
class ObjectiveScores:
    """Per candidate, each in [0, 1] except the raw rates, which are rescaled."""

    ctr: np.ndarray
    cvr: np.ndarray
    quality: np.ndarray
    satisfaction: np.ndarray
    merchant_health: np.ndarray


def combine(scores: ObjectiveScores, weights: ObjectiveWeights) -> np.ndarray:
    return _columns(scores) @ weights.normalised()


def weighted_parts(scores: ObjectiveScores, weights: ObjectiveWeights) -> np.ndarray:
    """Per candidate (row) and objective (column, in ``OBJECTIVES`` order), what the
    objective adds to the score; a row sums to the candidate's score."""
    return _columns(scores) * weights.normalised()


def contributions(
    scores: ObjectiveScores, weights: ObjectiveWeights, position: int
) -> dict[str, float]:
    """How much each objective added to one candidate's score: "why this"."""
    row = weighted_parts(scores, weights)[position]
    return {name: float(part) for name, part in zip(OBJECTIVES, row, strict=True)}


def leading(
    scores: ObjectiveScores, weights: ObjectiveWeights, positions: np.ndarray
) -> list[str]:
    """The objective that added most to each candidate at ``positions``: the
    "ranked for" of each served item's reason, for a whole slate at once."""
    parts = weighted_parts(scores, weights)[np.asarray(positions, dtype=np.int64)]
    return [OBJECTIVES[column] for column in np.argmax(parts, axis=1)]


def _columns(scores: ObjectiveScores) -> np.ndarray:
    """Each objective brought to [0, 1], a column each in ``OBJECTIVES`` order."""
    return np.column_stack(
        [
            _relative(scores.ctr),
            _relative(scores.cvr),
            np.clip(scores.quality, 0, 1),
            np.clip(scores.satisfaction, 0, 1),
            np.clip(scores.merchant_health, 0, 1),
        ]
    )


def _relative(rate: np.ndarray) -> np.ndarray:
    """Rates divided by the best in the candidate set: scale-free across scenes."""
    top = float(np.max(rate)) if len(rate) else 0.0
    return rate / top if top > 0 else np.zeros_like(rate, dtype=float)
