"""Recall models: seen items excluded, batching, planted structure recovered."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from recengine.evaluation.data import Interactions
from recengine.evaluation.metrics import ndcg_at_k
from recengine.evaluation.protocol import prepare, random_holdout
from recengine.learning import base
from recengine.learning.blend import Blend
from recengine.learning.cf import EASE, ItemKNN, ModelTooLarge, MostPopular
from recengine.learning.lowrank import ImplicitALS, PureSVD


def planted(seed: int = 0) -> sp.csr_matrix:
    """Four user groups, each liking its own block of 30 items, plus a popular few."""
    rng = np.random.default_rng(seed)
    n_users, n_items = 200, 130
    group = rng.integers(0, 4, n_users)
    likes = np.zeros((n_users, n_items), dtype=bool)
    for user in range(n_users):
        block = np.arange(group[user] * 30, group[user] * 30 + 30)
        likes[user, rng.choice(block, 12, replace=False)] = True
        likes[user, 120 + rng.choice(10, 3, replace=False)] = True
    return sp.csr_matrix(likes.astype(np.float32))


def all_models() -> list:
    return [
        MostPopular(),
        ItemKNN(20),
        EASE(50.0),
        PureSVD(8, random_state=0),
        ImplicitALS(8, random_state=0),
        Blend([EASE(50.0), ItemKNN(20)]),
    ]


@pytest.mark.parametrize("model", all_models(), ids=lambda m: type(m).__name__)
def test_seen_items_are_never_recommended(model):
    X = planted()
    users = np.arange(X.shape[0])
    recs = model.fit(X).recommend(users, 10)
    seen = X[users[:, None], np.maximum(recs, 0)].toarray() > 0
    assert recs.shape == (X.shape[0], 10)
    assert not (seen & (recs >= 0)).any()


@pytest.mark.parametrize("model", all_models(), ids=lambda m: type(m).__name__)
def test_items_without_training_interactions_are_never_recommended(model):
    X = sp.hstack([planted(), sp.csr_matrix((200, 5))]).tocsr()
    recs = model.fit(X).recommend(np.arange(200), 10)
    assert not np.isin(recs, np.arange(130, 135)).any()


def test_rows_are_padded_when_candidates_run_out():
    X = sp.csr_matrix(np.array([[1, 1, 0], [0, 1, 0], [1, 0, 1]], dtype=np.float32))
    recs = MostPopular().fit(X).recommend(np.array([0]), 3)
    assert recs.tolist() == [[2, -1, -1]]


def test_chunked_scoring_gives_the_same_lists(monkeypatch):
    X = planted()
    model = EASE(50.0).fit(X)
    whole = model.recommend(np.arange(200), 10)
    monkeypatch.setattr(base, "SCORE_BLOCK_FLOATS", 7 * X.shape[1])
    assert np.array_equal(model.recommend(np.arange(200), 10), whole)


def test_score_history_matches_score_for_known_users():
    X = planted()
    model = EASE(50.0).fit(X)
    assert np.allclose(model.score_history(X[:5]), model.score(np.arange(5)))


def test_als_fold_in_ranks_like_the_learned_factors():
    X = planted()
    model = ImplicitALS(8, random_state=0).fit(X)
    learned = model.score(np.arange(20)).argmax(axis=1)
    folded = model.score_history(X[:20]).argmax(axis=1)
    assert (learned == folded).mean() >= 0.8


def test_ease_beats_most_popular_on_planted_structure():
    X = planted(seed=1).tocoo()
    log = Interactions(
        X.row.astype(np.int64),
        X.col.astype(np.int64),
        np.zeros(X.nnz, dtype=np.int64),
        np.ones(X.nnz),
        X.shape[0],
        X.shape[1],
    )
    evaluation = prepare(*random_holdout(log, test_fraction=0.25, seed=7))

    def ndcg(model) -> float:
        recs = model.fit(evaluation.train).recommend(evaluation.users, 10)
        return ndcg_at_k(recs, evaluation.relevant, 10)

    # Within a block the liked items are random, which caps any model near 0.26.
    assert ndcg(EASE(50.0)) > 1.4 * ndcg(MostPopular())


def test_ease_refuses_a_catalogue_above_its_limit():
    with pytest.raises(ModelTooLarge):
        EASE(max_items=100).fit(planted())


def test_ease_weights_have_an_empty_diagonal():
    model = EASE(50.0).fit(planted())
    assert np.all(np.diag(model.weights_) == 0)
