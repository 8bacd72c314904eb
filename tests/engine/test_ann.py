"""Approximate vector recall: only allowed items, close to the exact answer."""

from __future__ import annotations

import numpy as np
import pytest

from recengine.engine import ann, scoring


def _clustered(n: int, d: int = 32, seed: int = 5) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(40, d))
    vectors = centres[rng.integers(0, 40, n)] + 0.4 * rng.normal(size=(n, d))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors.astype(np.float32)


@pytest.fixture(scope="module")
def vectors() -> np.ndarray:
    return _clustered(ann.MIN_ITEMS)


@pytest.fixture(scope="module")
def index(vectors) -> ann.VectorIndex:
    built = ann.build(vectors)
    assert built is not None
    return built


def test_a_small_scene_gets_no_index():
    assert ann.build(_clustered(ann.MIN_ITEMS - 1)) is None


def test_the_index_returns_only_allowed_items_best_first(vectors, index):
    rng = np.random.default_rng(2)
    allowed = rng.random(len(vectors)) < 0.6
    query = vectors[17]

    found = index.search(query, allowed, 50)

    assert len(found) == 50
    assert allowed[found].all()
    scores = vectors[found] @ query
    assert np.all(np.diff(scores) <= 1e-6)


def test_the_index_finds_most_of_the_exact_top(vectors, index):
    rng = np.random.default_rng(3)
    allowed = rng.random(len(vectors)) < 0.8
    overlap = []
    for row in rng.choice(len(vectors), 20, replace=False):
        query = vectors[row]
        exact = scoring.best(vectors @ query, allowed, 100)
        overlap.append(len(set(index.search(query, allowed, 100)) & set(exact)))
    assert np.mean(overlap) / 100 >= 0.9


def test_recall_asks_the_index_when_the_scene_has_one(vectors, index, monkeypatch):
    class Scene:
        def __init__(self):
            n = len(vectors)
            self.vectors = vectors
            self.popularity = np.zeros(n)
            self.quality = np.zeros(n)
            self.created_at = np.zeros(n)

        def vector_index(self):
            return index

        def popular_order(self):
            return np.arange(len(vectors))

        def fresh_items(self, now, window):
            return np.zeros(0, dtype=np.int64)

    asked = []
    real = index.search

    def search(query, allowed, k):
        asked.append(k)
        return real(query, allowed, k)

    monkeypatch.setattr(index, "search", search)
    allowed = np.ones(len(vectors), dtype=bool)
    found = scoring.recall(
        Scene(), profile=vectors[3], cf_scores=None, allowed=allowed, now=0.0
    )

    assert asked == [scoring.CHANNEL_SIZES["vector"]]
    assert sum(channel == "vector" for channel in found.values()) > 50


def test_a_shared_read_only_mask_is_packed_once(vectors, index):
    rng = np.random.default_rng(4)
    shared = rng.random(len(vectors)) < 0.5
    shared.flags.writeable = False
    first, _ = index._parameters(shared)
    again, _ = index._parameters(shared)
    assert again is first

    other = ~shared
    other.flags.writeable = False
    found = index.search(vectors[5], other, 40)
    assert other[found].all()
    assert index.search(vectors[5], shared, 40).tolist() != found.tolist()


def test_a_writable_mask_is_packed_on_every_search(vectors, index):
    allowed = np.ones(len(vectors), dtype=bool)
    index.search(vectors[9], allowed, 10)
    allowed[:] = False
    allowed[:100] = True  # changed in place: the old bitmap must not be reused

    found = index.search(vectors[9], allowed, 10)

    assert (found < 100).all()
