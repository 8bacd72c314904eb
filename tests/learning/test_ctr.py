"""pCTR / pCVR estimation and the multi-objective score."""

import numpy as np
import pytest

from recengine.learning.ctr import PAIR_FEATURES, POSITION, RateEstimator, calibration
from recengine.ranking.objectives import (
    ObjectiveScores,
    ObjectiveWeights,
    combine,
    contributions,
    leading,
)


def _clicks(n: int, seed: int):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, len(PAIR_FEATURES)))
    X[:, POSITION] = np.log1p(rng.integers(0, 20, size=n))
    logit = -2.0 + 1.5 * X[:, 0] - 0.8 * X[:, POSITION]
    y = rng.random(n) < 1 / (1 + np.exp(-logit))
    return X, y.astype(int)


def test_a_fitted_estimator_is_discriminative_and_calibrated():
    X, y = _clicks(20_000, seed=1)
    holdout_X, holdout_y = _clicks(5_000, seed=2)

    report = RateEstimator().fit(X, y).evaluate(holdout_X, holdout_y)

    assert report.auc > 0.75
    assert report.ece < 0.02
    assert report.mean_prediction == pytest.approx(report.base_rate, abs=0.01)


def test_scoring_at_the_top_removes_position_bias():
    X, y = _clicks(20_000, seed=3)
    model = RateEstimator().fit(X, y)
    deep = X[:50].copy()
    deep[:, POSITION] = np.log1p(15)

    assert (model.predict_at_top(deep) > model.predict(deep)).all()


def test_training_needs_both_outcomes():
    with pytest.raises(ValueError):
        RateEstimator().fit(np.ones((10, len(PAIR_FEATURES))), np.zeros(10))


def test_calibration_of_a_perfectly_calibrated_constant():
    y = np.array([0, 0, 0, 1] * 250)
    report = calibration(y, np.full(len(y), 0.25))

    assert report.ece == pytest.approx(0.0, abs=1e-9)
    assert report.log_loss == pytest.approx(
        -(0.25 * np.log(0.25) + 0.75 * np.log(0.75))
    )


def test_weights_decide_between_objectives():
    scores = ObjectiveScores(
        ctr=np.array([0.10, 0.02]),
        cvr=np.array([0.01, 0.01]),
        quality=np.array([0.1, 0.9]),
        satisfaction=np.array([0.5, 0.5]),
        merchant_health=np.array([0.5, 0.5]),
    )

    commercial = combine(scores, ObjectiveWeights(1, 0, 0, 0, 0))
    quality_first = combine(scores, ObjectiveWeights(0.2, 0.1, 0.5, 0.1, 0.1))

    assert np.argmax(commercial) == 0
    assert np.argmax(quality_first) == 1
    parts = contributions(scores, ObjectiveWeights(0.2, 0.1, 0.5, 0.1, 0.1), 1)
    assert sum(parts.values()) == pytest.approx(quality_first[1])
    assert max(parts, key=parts.get) == "quality"


def test_leading_objective_of_a_slate_matches_each_candidates_contributions():
    rng = np.random.default_rng(3)
    scores = ObjectiveScores(*(rng.random(40) for _ in range(5)))
    weights = ObjectiveWeights(0.3, 0.2, 0.2, 0.1, 0.2)
    positions = rng.permutation(40)[:12]

    expected = []
    for position in positions:
        parts = contributions(scores, weights, int(position))
        expected.append(max(parts, key=parts.get))

    assert leading(scores, weights, positions) == expected
    assert len(set(expected)) > 1


def test_negative_weights_are_refused():
    with pytest.raises(ValueError):
        ObjectiveWeights(ctr=-1)
