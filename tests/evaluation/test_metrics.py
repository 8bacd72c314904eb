"""Ranking metrics against values computed by hand on tiny fixtures."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.sparse as sp

from recengine.evaluation.metrics import (
    coverage_at_k,
    evaluate_rankings,
    gini,
    gini_at_k,
    map_at_k,
    ndcg_at_k,
    precision_at_k,
    recall_at_k,
)


def relevance(rows: list[list[int]], n_items: int = 10) -> sp.csr_matrix:
    matrix = sp.lil_matrix((len(rows), n_items))
    for user, items in enumerate(rows):
        for item in items:
            matrix[user, item] = 1
    return matrix.tocsr()


@pytest.fixture
def two_users() -> tuple[np.ndarray, sp.csr_matrix]:
    # User 0 hits at ranks 1 and 3 and has 2 test items; user 1 hits at rank 2 and
    # has 4 test items, so the ideal DCG at k=3 covers three ranks.
    recommendations = np.array([[1, 2, 3], [5, 6, 7]])
    relevant = relevance([[1, 3], [6, 8, 9, 0]])
    return recommendations, relevant


def test_ndcg_matches_hand_computation(two_users):
    recs, relevant = two_users
    user0 = (1 + 1 / math.log2(4)) / (1 + 1 / math.log2(3))
    user1 = (1 / math.log2(3)) / (1 + 1 / math.log2(3) + 1 / math.log2(4))
    assert ndcg_at_k(recs, relevant, 3) == pytest.approx((user0 + user1) / 2)


def test_precision_divides_by_k(two_users):
    recs, relevant = two_users
    assert precision_at_k(recs, relevant, 3) == pytest.approx((2 / 3 + 1 / 3) / 2)


def test_recall_divides_by_all_test_items(two_users):
    recs, relevant = two_users
    assert recall_at_k(recs, relevant, 3) == pytest.approx((2 / 2 + 1 / 4) / 2)


def test_map_divides_by_min_of_k_and_test_items(two_users):
    recs, relevant = two_users
    user0 = (1 / 1 + 2 / 3) / 2
    user1 = (1 / 2) / 3
    assert map_at_k(recs, relevant, 3) == pytest.approx((user0 + user1) / 2)


def test_perfect_ranking_scores_one():
    recs = np.array([[4, 2, 9]])
    relevant = relevance([[2, 4]])
    assert ndcg_at_k(recs, relevant, 3) == pytest.approx(1.0)
    assert map_at_k(recs, relevant, 3) == pytest.approx(1.0)


def test_users_without_test_items_are_left_out():
    recs = np.array([[1, 2], [3, 4]])
    relevant = relevance([[1], []])
    assert precision_at_k(recs, relevant, 2) == pytest.approx(0.5)


def test_padding_never_counts_as_a_hit():
    recs = np.array([[0, -1, -1]])
    relevant = relevance([[0, 9]])
    assert precision_at_k(recs, relevant, 3) == pytest.approx(1 / 3)


def test_coverage_counts_distinct_items_over_catalogue():
    recs = np.array([[0, 1], [1, 2], [2, -1]])
    assert coverage_at_k(recs, n_catalogue=6, k=2) == pytest.approx(3 / 6)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([1, 1, 1, 1], 0.0),
        ([0, 0, 0, 1], 0.75),
        ([0, 0, 0, 0], 0.0),
        ([1, 3], 0.25),
        ([5], 0.0),
    ],
)
def test_gini_pinned_cases(values, expected):
    assert gini(values) == pytest.approx(expected)


def test_gini_equals_the_double_sum_definition():
    x = np.random.default_rng(3).integers(0, 20, 57).astype(float)
    double_sum = np.abs(x[:, None] - x[None, :]).sum()
    assert gini(x) == pytest.approx(double_sum / (2 * x.size**2 * x.mean()))


def test_gini_counts_unrecommended_catalogue_items_as_zero():
    # Items 0..3 in the catalogue; only item 0 is ever recommended.
    recs = np.array([[0], [0], [0]])
    assert gini_at_k(recs, np.arange(4), 1) == pytest.approx(0.75)


def test_evaluate_rankings_returns_every_metric(two_users):
    recs, relevant = two_users
    metrics = evaluate_rankings(recs, relevant, 3, np.arange(10))
    assert set(metrics) == {"ndcg", "precision", "recall", "map", "coverage", "gini"}
    assert metrics["coverage"] == pytest.approx(6 / 10)
