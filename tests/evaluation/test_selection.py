"""Model selection by validation: the shortcuts that keep large platforms tractable."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from recengine.evaluation import selection


def interactions(users: int, items: int, seed: int = 3) -> sp.csr_matrix:
    rng = np.random.default_rng(seed)
    # Two taste groups, so that tuning has something to find.
    rows, cols = [], []
    for user in range(users):
        half = items // 2 if user % 2 else 0
        picks = rng.choice(items // 2, size=6, replace=False) + half
        rows.extend([user] * len(picks))
        cols.extend(picks)
    data = np.ones(len(rows), dtype=np.float32)
    return sp.csr_matrix((data, (rows, cols)), shape=(users, items))


def test_tuning_uses_a_seeded_sample_of_users_on_large_audiences(monkeypatch):
    monkeypatch.setattr(selection, "VALIDATION_MAX_USERS", 50)
    X = interactions(users=400, items=40)

    first = selection._user_sample(X, seed=5)
    again = selection._user_sample(X, seed=5)

    assert first.shape == (50, 40)
    assert (first != again).nnz == 0
    assert selection._user_sample(X[:30], seed=5).shape == (30, 40)


def test_on_catalogues_too_large_for_ease_knn_is_not_tuned(monkeypatch):
    monkeypatch.setattr(selection, "EASE_MAX_ITEMS", 20)
    X = interactions(users=120, items=40)

    chosen = selection.tuned_selection(X, k=5, seed=1)

    knn_points = [
        name for name in chosen.validation_ndcg if name.startswith("item_knn[")
    ]
    assert knn_points == [f"item_knn[{selection.DEFAULT_KNN_NEIGHBOURS}]"]
    assert not any(name.startswith("ease") for name in chosen.validation_ndcg)
    assert set(chosen.models) >= {"engine", "most_popular", "item_knn"}
