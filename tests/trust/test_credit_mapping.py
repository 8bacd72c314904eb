"""Lower credit never earns more exposure (clause 6.2.2), over random inputs."""

from __future__ import annotations

import numpy as np
import pytest

from recengine.governance.policy import PolicySnapshot
from recengine.governance.rerank import ItemTable, RerankConfig, RerankContext, rerank
from recengine.trust.credit import TIERS, boost_for, exposure, tier_for

SEED = 20260310


def _effect(score: float) -> tuple[float, int]:
    return exposure(tier_for(score))


def test_the_documented_table():
    assert [(t.tier, t.floor, t.multiplier, t.cap) for t in TIERS] == [
        ("A", 85.0, 1.0, 3),
        ("B", 70.0, 0.85, 3),
        ("C", 55.0, 0.6, 2),
        ("D", 40.0, 0.3, 1),
        ("restricted", 0.0, 0.0, 0),
    ]
    assert _effect(100) == (1.0, 3)
    assert _effect(39.99) == (0.0, 0)
    assert exposure("A", restricted=True) == (0.0, 0)
    with pytest.raises(ValueError):
        tier_for(100.5)


def test_multiplier_and_cap_never_rise_as_the_score_falls():
    rng = np.random.default_rng(SEED)
    for high, low in np.sort(rng.uniform(0, 100, (5000, 2)), axis=1)[:, ::-1]:
        high_effect, low_effect = _effect(float(high)), _effect(float(low))
        assert low_effect[0] <= high_effect[0]
        assert low_effect[1] <= high_effect[1]


def test_quality_boost_rises_with_quality_and_stays_in_range():
    rng = np.random.default_rng(SEED)
    values = np.sort(rng.uniform(-0.2, 1.2, 2000))
    boosts = [boost_for(float(value)) for value in values]
    assert boosts == sorted(boosts)
    assert min(boosts) == 1.0 and max(boosts) <= 1.2


def _table(rng: np.random.Generator, n: int, merchants: int) -> ItemTable:
    vectors = rng.normal(size=(n, 8))
    return ItemTable(
        kind="product",
        pk=np.arange(1, n + 1),
        anchor=np.full(n, -1),
        merchant=rng.integers(1, merchants + 1, n),
        category=rng.integers(0, 5, n),
        created_at=np.zeros(n),
        vectors=vectors / np.linalg.norm(vectors, axis=1, keepdims=True),
    )


def _served(table, score, scores: dict[int, float], size: int) -> np.ndarray:
    effects = {m: _effect(s) for m, s in scores.items()}
    policy = PolicySnapshot(
        version=1,
        credit_multiplier={m: e[0] for m, e in effects.items()},
        exposure_cap={m: e[1] for m, e in effects.items()},
    )
    # Pure relevance: what is measured is the credit step, not diversity.
    config = RerankConfig(diversity_lambda=1.0, exploration_share=0.0)
    context = RerankContext(now=0.0, size=size, policy=policy)
    slate = rerank(table, np.arange(len(table)), score, context, config)
    return table.merchant[slate.index]


def test_lowering_a_merchants_credit_never_raises_its_exposure_in_the_rerank():
    rng = np.random.default_rng(SEED)
    for _ in range(300):
        table = _table(rng, n=60, merchants=6)
        score = rng.uniform(0.0, 1.0, len(table))
        scores = {m: float(rng.uniform(0, 100)) for m in range(1, 7)}
        merchant = int(rng.integers(1, 7))
        before = _served(table, score, scores, size=10)

        lowered = {**scores, merchant: float(rng.uniform(0, scores[merchant]))}
        after = _served(table, score, lowered, size=10)

        assert np.count_nonzero(after == merchant) <= np.count_nonzero(
            before == merchant
        )
