"""The re-rank layer on small seeded tables."""

import numpy as np
import pytest

from recengine.governance.policy import NO_POLICY, PolicySnapshot
from recengine.governance.rerank import (
    Exploration,
    ItemTable,
    NegativeFeedback,
    RerankConfig,
    RerankContext,
    intra_list_diversity,
    rerank,
    thompson_draws,
)

N = 60


@pytest.fixture
def table() -> ItemTable:
    rng = np.random.default_rng(7)
    category = np.arange(N) % 4
    # Items of one category point the same way, so similarity follows category.
    centres = rng.normal(size=(4, 16))
    vectors = centres[category] + 0.1 * rng.normal(size=(N, 16))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return ItemTable(
        kind="live_room",
        pk=np.arange(100, 100 + N),
        anchor=np.arange(N) % 30,
        merchant=np.arange(N) % 20,
        category=category,
        created_at=np.zeros(N),
        vectors=vectors.astype(np.float32),
    )


def _scores(table: ItemTable) -> np.ndarray:
    # Category 0 dominates the raw scores: without diversity it takes the list.
    return np.where(table.category == 0, 2.0, 1.0) + np.linspace(0.5, 0, N)


def _run(table, context, **config):
    return rerank(table, np.arange(N), _scores(table), context, RerankConfig(**config))


def test_every_step_is_recorded_in_order(table):
    slate = _run(table, RerankContext(now=0, size=10, policy=NO_POLICY))

    assert [step.step for step in slate.trace] == [
        "eligibility_and_policy",
        "not_interested",
        "credit_and_quality",
        "business_rules",
        "diversity",
        "exploration",
    ]
    assert len(slate.index) == 10


def test_blocked_and_unreviewed_targets_never_pass(table):
    policy = PolicySnapshot(
        version=4,
        blocked_anchors=frozenset({0}),
        blocked_merchants=frozenset({1}),
        blocked_rooms=frozenset({104}),
        unreviewed_rooms=frozenset({108}),
        credit_multiplier={2: 0.0},
    )
    explore = Exploration(
        pool=np.arange(N), impressions=np.zeros(N), clicks=np.zeros(N)
    )
    context = RerankContext(
        now=0,
        size=N,
        policy=policy,
        exploration=explore,
        rng=np.random.default_rng(1),
    )

    slate = _run(table, context, max_per_anchor=N, max_per_merchant=N)

    served = slate.index
    assert not np.isin(table.anchor[served], [0]).any()
    assert not np.isin(table.merchant[served], [1, 2]).any()
    assert not np.isin(table.pk[served], [104, 108]).any()
    assert "policy v4" in slate.trace[0].note


def test_only_eligible_items_are_served(table):
    live = np.zeros(N, dtype=bool)
    live[[5, 9, 13]] = True

    slate = _run(table, RerankContext(now=0, size=10, policy=NO_POLICY, eligible=live))

    assert sorted(slate.index.tolist()) == [5, 9, 13]


def test_mmr_raises_intra_list_diversity(table):
    context = RerankContext(now=0, size=10, policy=NO_POLICY)
    plain = _run(table, context, diversity_lambda=1.0, max_per_anchor=N)
    diverse = _run(table, context, diversity_lambda=0.5, max_per_anchor=N)

    before = intra_list_diversity(table.vectors[plain.index])
    after = intra_list_diversity(table.vectors[diverse.index])

    assert len(set(table.category[plain.index])) == 1
    assert after > before + 0.3
    assert len(set(table.category[diverse.index])) == 4


def test_not_interested_drops_the_item_and_lowers_its_anchor(table):
    feedback = NegativeFeedback(items=frozenset({100}), categories={0: 0.1})
    context = RerankContext(now=0, size=10, policy=NO_POLICY, feedback=feedback)

    slate = _run(table, context, diversity_lambda=1.0, max_per_anchor=N)

    assert 0 not in slate.index
    assert not (table.category[slate.index] == 0).any()


def test_credit_throttling_lowers_a_merchant(table):
    first = _run(table, RerankContext(now=0, size=5, policy=NO_POLICY))
    top_merchant = int(table.merchant[first.index[0]])
    policy = PolicySnapshot(version=1, credit_multiplier={top_merchant: 0.01})

    throttled = _run(table, RerankContext(now=0, size=5, policy=policy))

    assert top_merchant not in table.merchant[throttled.index]


def test_business_rules_cap_items_per_anchor(table):
    slate = _run(
        table,
        RerankContext(now=0, size=30, policy=NO_POLICY),
        max_per_anchor=1,
        diversity_lambda=1.0,
    )

    anchors = table.anchor[slate.index]
    assert len(anchors) == len(set(anchors.tolist()))


def test_exploration_fills_its_share_with_new_items(table):
    pool = np.arange(40, 60)
    exploration = Exploration(
        pool=pool, impressions=np.zeros(len(pool)), clicks=np.zeros(len(pool))
    )
    context = RerankContext(
        now=0,
        size=10,
        policy=NO_POLICY,
        exploration=exploration,
        rng=np.random.default_rng(3),
    )

    slate = _run(table, context, exploration_share=0.2)

    explored = [
        i for i in slate.index if "exploration" in slate.reasons.get(int(i), [])
    ]
    assert len(explored) == 2
    assert set(explored) <= set(pool.tolist())
    assert len(slate.index) == 10
    assert slate.index[0] not in explored


def test_the_non_personalised_shortlist_serves_what_ranking_everything_serves():
    from types import SimpleNamespace

    from recengine.engine import strategies

    rng = np.random.default_rng(11)
    n = 5_000
    vectors = rng.normal(size=(n, 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    big = ItemTable(
        kind="product",
        pk=np.arange(n) + 1,
        anchor=np.full(n, -1),
        merchant=np.arange(n) % 400,
        category=np.arange(n) % 12,
        created_at=np.zeros(n),
        vectors=vectors,
    )
    policy = PolicySnapshot(
        version=3,
        blocked_merchants=frozenset({1, 2}),
        credit_multiplier={m: 0.3 for m in range(3, 400, 7)},
        quality_boost={m: 1.2 for m in range(5, 400, 11)},
    )
    score = rng.random(n)
    eligible = rng.random(n) < 0.9
    request = SimpleNamespace(size=4, eligible=eligible, policy=policy)
    scene = SimpleNamespace(table=lambda: big)
    context = RerankContext(now=0, size=4, policy=policy, eligible=eligible)
    config = RerankConfig(exploration_share=0.0)

    every = rerank(big, np.flatnonzero(eligible), score[eligible], context, config)
    picked = strategies.shortlist(scene, score, request)
    short = rerank(big, picked, score[picked], context, config)

    assert len(picked) == 4 * strategies.SHORTLIST_PER_SLOT
    assert short.index.tolist() == every.index.tolist()
    assert np.allclose(short.score, every.score)


@pytest.mark.parametrize(("successes", "failures"), [(0, 0), (0, 7), (3, 40), (12, 2)])
def test_thompson_draws_follow_the_beta_posterior(successes, failures):
    from scipy import stats

    rng = np.random.default_rng(11)
    n = 20_000
    draws = thompson_draws(rng, np.full(n, successes), np.full(n, failures))

    posterior = stats.beta(1 + successes, 1 + failures)
    assert stats.kstest(draws, posterior.cdf).pvalue > 0.01
    assert draws.min() >= 0.0 and draws.max() <= 1.0


def test_thompson_draws_keep_each_item_to_its_own_posterior():
    rng = np.random.default_rng(5)
    successes = np.tile([0.0, 30.0], 5_000)
    failures = np.tile([30.0, 0.0], 5_000)
    draws = thompson_draws(rng, successes, failures)

    # Beta(1, 31) has mean 1/32; Beta(31, 1) has mean 31/32.
    assert draws[0::2].mean() == pytest.approx(1 / 32, abs=0.005)
    assert draws[1::2].mean() == pytest.approx(31 / 32, abs=0.005)
