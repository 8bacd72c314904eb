"""Top-k ranking metrics of the offline protocol, with their definitions pinned.

Inputs are shared by every metric:

- ``recommendations``: an integer array of shape (n_users, >= k), one row per evaluated
  user, item indices best first; ``-1`` pads a row that has fewer than k items.
- ``relevant``: a sparse matrix of shape (n_users, n_items) whose non-zero entries mark
  each user's held-out test items (relevance is binary; stored values are ignored).

Rows whose user has no test item are left out of every average: such a user cannot
score a hit, and counting them would only scale the averages down.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

METRIC_NAMES = ("ndcg", "precision", "recall", "map", "coverage", "gini")


def hit_matrix(
    recommendations: np.ndarray, relevant: sp.spmatrix, k: int
) -> np.ndarray:
    """Boolean (n_users, k): True where the item at that rank is a test item."""
    recs = _top(recommendations, k)
    relevant = sp.csr_matrix(relevant)
    n_users, n_items = relevant.shape
    if recs.shape[0] != n_users:
        raise ValueError("recommendations and relevant must have one row per user")

    # One integer key per (user, item) pair turns the lookup into a sorted search.
    rows = np.repeat(np.arange(n_users, dtype=np.int64), np.diff(relevant.indptr))
    relevant_keys = np.sort(rows * n_items + relevant.indices.astype(np.int64))
    rec_keys = np.arange(n_users, dtype=np.int64)[:, None] * n_items + recs
    hits = np.isin(rec_keys, relevant_keys)
    return hits & (recs >= 0)


def ndcg_at_k(recommendations: np.ndarray, relevant: sp.spmatrix, k: int) -> float:
    """Mean NDCG@k with binary relevance and a log2 discount.

    DCG = sum over ranks r = 1..k of hit(r) / log2(r + 1). The ideal DCG places
    min(k, |test items|) hits at the top ranks, so a user with fewer than k test
    items can still reach 1.0.
    """
    hits, n_relevant = _hits_and_counts(recommendations, relevant, k)
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    dcg = hits @ discounts
    ideal = np.cumsum(discounts)[np.minimum(k, n_relevant) - 1]
    return _mean(dcg / ideal)


def precision_at_k(recommendations: np.ndarray, relevant: sp.spmatrix, k: int) -> float:
    """Mean precision@k = hits in the top k / k (k, not the row length, divides)."""
    hits, _ = _hits_and_counts(recommendations, relevant, k)
    return _mean(hits.sum(axis=1) / k)


def recall_at_k(recommendations: np.ndarray, relevant: sp.spmatrix, k: int) -> float:
    """Mean recall@k = hits in the top k / |test items|.

    This is plain recall. Some published tables divide by min(k, |test items|)
    instead, which gives larger values whenever users hold more than k test items;
    numbers from the two definitions are not comparable.
    """
    hits, n_relevant = _hits_and_counts(recommendations, relevant, k)
    return _mean(hits.sum(axis=1) / n_relevant)


def map_at_k(recommendations: np.ndarray, relevant: sp.spmatrix, k: int) -> float:
    """MAP@k: mean over users of AP@k.

    AP@k = (sum of precision@r over the ranks r <= k that hold a hit) /
    min(k, |test items|).
    """
    hits, n_relevant = _hits_and_counts(recommendations, relevant, k)
    precision_at_rank = np.cumsum(hits, axis=1) / np.arange(1, k + 1)
    average_precision = (precision_at_rank * hits).sum(axis=1)
    return _mean(average_precision / np.minimum(k, n_relevant))


def coverage_at_k(recommendations: np.ndarray, n_catalogue: int, k: int) -> float:
    """Catalogue coverage = distinct items in anyone's top k / items in the catalogue.

    The catalogue is every item with at least one training interaction: those are
    the items a model can know about.
    """
    if n_catalogue <= 0:
        return 0.0
    recs = _top(recommendations, k)
    return float(np.unique(recs[recs >= 0]).size / n_catalogue)


def gini_at_k(recommendations: np.ndarray, catalogue: np.ndarray, k: int) -> float:
    """Gini of how often each catalogue item appears in the top-k lists.

    Items never recommended count as zeros; see :func:`gini` for the definition.
    """
    recs = _top(recommendations, k)
    catalogue = np.asarray(catalogue, dtype=np.int64)
    size = int(max(catalogue.max(initial=-1), recs.max(initial=-1)) + 1)
    counts = np.bincount(recs[recs >= 0], minlength=size)
    return gini(counts[catalogue])


def gini(values: np.ndarray) -> float:
    """Gini coefficient G = sum_i sum_j |x_i - x_j| / (2 n^2 mean(x)).

    Zeros are included and n is the full length, so [1, 1, 1, 1] gives 0 and
    [0, 0, 0, 1] gives 0.75. Sorting turns the double sum into
    sum_i (2i - n - 1) x_(i) with 1-based ranks i, which is O(n log n). An empty or
    all-zero input has no inequality to measure and gives 0.
    """
    x = np.sort(np.asarray(values, dtype=np.float64).ravel())
    total = x.sum()
    if x.size == 0 or total <= 0:
        return 0.0
    if x[0] < 0:
        raise ValueError("the Gini coefficient needs non-negative values")

    n = x.size
    ranks = np.arange(1, n + 1, dtype=np.float64)
    return float(((2 * ranks - n - 1) * x).sum() / (n * total))


def evaluate_rankings(
    recommendations: np.ndarray,
    relevant: sp.spmatrix,
    k: int,
    catalogue: np.ndarray,
) -> dict[str, float]:
    """Every metric of the protocol at k, keyed by the names in ``METRIC_NAMES``."""
    return {
        "ndcg": ndcg_at_k(recommendations, relevant, k),
        "precision": precision_at_k(recommendations, relevant, k),
        "recall": recall_at_k(recommendations, relevant, k),
        "map": map_at_k(recommendations, relevant, k),
        "coverage": coverage_at_k(recommendations, len(catalogue), k),
        "gini": gini_at_k(recommendations, catalogue, k),
    }


def _top(recommendations: np.ndarray, k: int) -> np.ndarray:
    if k < 1:
        raise ValueError("k must be at least 1")
    recs = np.asarray(recommendations, dtype=np.int64)
    if recs.ndim != 2 or recs.shape[1] < k:
        raise ValueError("recommendations must be a 2-d array with at least k columns")
    return recs[:, :k]


def _hits_and_counts(
    recommendations: np.ndarray, relevant: sp.spmatrix, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """Hits and test-item counts of the users that have at least one test item."""
    relevant = sp.csr_matrix(relevant)
    relevant.sum_duplicates()
    relevant.eliminate_zeros()
    hits = hit_matrix(recommendations, relevant, k).astype(np.float64)
    n_relevant = np.diff(relevant.indptr)
    evaluated = n_relevant > 0
    return hits[evaluated], n_relevant[evaluated]


def _mean(values: np.ndarray) -> float:
    if values.size == 0:
        return 0.0
    return float(values.mean())
