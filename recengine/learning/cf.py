"""Collaborative-filtering recall models (clause 5.4.1) on a user x item matrix.

- ``MostPopular``: the non-personalised baseline, and the answer for a viewer with
  personalisation switched off (clause 6.3.1).
- ``ItemKNN``: cosine item-item neighbourhoods with shrinkage; scales to large
  catalogues because it keeps only the top neighbours of each item.
- ``EASE``: a closed-form linear item-item model (Steck, 2019). It is the most
  accurate here but needs a dense items x items matrix; see ``EASE`` for the limit.

Low-rank models (``recengine.learning.lowrank``) complete the set: their memory
grows with items x factors, so they take over above the EASE limit.
"""

from __future__ import annotations

import logging

import numpy as np
import scipy.linalg
import scipy.sparse as sp

from recengine.learning.base import Recommender

logger = logging.getLogger(__name__)

# Above this many items a dense float64 Gram matrix would pass 2 GiB; EASE then
# works in float32, which still inverts a regularised Gram matrix accurately.
EASE_FLOAT64_MAX_ITEMS = 16_000
# 50k items make one 10 GB float32 matrix and about 1e14 floating-point operations
# (tens of minutes on two cores): the most a training host should be asked for.
EASE_MAX_ITEMS = 50_000
# ItemKNN computes similarities for this many item pairs at a time (64 MB float32).
KNN_BLOCK_FLOATS = 1 << 24


class ModelTooLarge(ValueError):
    """The catalogue is too large for the model's memory budget."""


class MostPopular(Recommender):
    """Rank items by how many users interacted with them, the same for everyone."""

    def _fit(self, X: sp.csr_matrix) -> None:
        self.popularity_ = np.diff(X.tocsc().indptr).astype(np.float32)

    def _score_rows(self, history: sp.csr_matrix) -> np.ndarray:
        return np.tile(self.popularity_, (history.shape[0], 1))


class ItemKNN(Recommender):
    """Item-based neighbourhood model with shrunk cosine similarity.

    sim(i, j) = <x_i, x_j> / (|x_i| |x_j| + shrinkage), where x_i is item i's
    column. Each item keeps its ``n_neighbors`` most similar items, and a user's
    score for item j sums the similarities of j's neighbours the user interacted
    with. Shrinkage damps similarities resting on a handful of co-occurrences.
    """

    def __init__(self, n_neighbors: int = 100, shrinkage: float = 10.0):
        self.n_neighbors = n_neighbors
        self.shrinkage = shrinkage

    def _fit(self, X: sp.csr_matrix) -> None:
        if self.n_neighbors < 1 or self.shrinkage < 0:
            raise ValueError("n_neighbors must be >= 1 and shrinkage >= 0")
        n_items = X.shape[1]
        item_users = X.T.tocsr()
        columns = X.tocsc()
        norms = np.sqrt(np.asarray(columns.multiply(columns).sum(axis=0)).ravel())
        block = max(1, KNN_BLOCK_FLOATS // max(1, n_items))

        parts = [
            self._block_neighbours(item_users, columns, norms, start, block)
            for start in range(0, n_items, block)
        ]
        rows, cols, values = (np.concatenate(part) for part in zip(*parts, strict=True))
        self.similarity_ = sp.csr_matrix(
            (values, (rows, cols)), shape=(n_items, n_items), dtype=np.float32
        )
        logger.debug("item-kNN similarity with %d entries", self.similarity_.nnz)

    def _block_neighbours(
        self,
        item_users: sp.csr_matrix,
        columns: sp.csc_matrix,
        norms: np.ndarray,
        start: int,
        size: int,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Top neighbours of the items start..start+size, as (neighbour, item, sim)."""
        stop = min(start + size, columns.shape[1])
        targets = np.arange(start, stop)
        overlap = (item_users @ columns[:, start:stop]).toarray()
        similarity = overlap / (np.outer(norms, norms[start:stop]) + self.shrinkage)
        similarity[targets, targets - start] = 0.0

        width = min(self.n_neighbors, similarity.shape[0])
        neighbours = np.argpartition(-similarity, width - 1, axis=0)[:width]
        values = np.take_along_axis(similarity, neighbours, axis=0)
        item = np.broadcast_to(targets, neighbours.shape)
        keep = values > 0
        return neighbours[keep], item[keep], values[keep].astype(np.float32)

    def _score_rows(self, history: sp.csr_matrix) -> np.ndarray:
        return (history @ self.similarity_).toarray()


class EASE(Recommender):
    """Embarrassingly shallow autoencoder: B = I - P / diag(P), P = (X'X + l2 I)^-1.

    Memory: one dense items x items matrix, 4 bytes per entry in float32 (1 GB at
    16k items, 10 GB at 50k) and 8 in float64, which is used up to
    ``EASE_FLOAT64_MAX_ITEMS``. The inverse is computed in place from a Cholesky
    factor, so the peak is about that one matrix. Time grows with items cubed.
    Above ``max_items`` fitting raises ``ModelTooLarge``; use ItemKNN or PureSVD.
    """

    def __init__(self, l2: float = 500.0, max_items: int = EASE_MAX_ITEMS):
        self.l2 = l2
        self.max_items = max_items

    def _fit(self, X: sp.csr_matrix) -> None:
        n_items = X.shape[1]
        if n_items > self.max_items:
            raise ModelTooLarge(
                f"EASE is limited to {self.max_items} items, got {n_items}"
            )
        if self.l2 <= 0:
            raise ValueError("l2 must be positive")

        dtype = np.float64 if n_items <= EASE_FLOAT64_MAX_ITEMS else np.float32
        gram = (X.T @ X).toarray().astype(dtype, copy=False)
        gram[np.diag_indices(n_items)] += self.l2
        precision = _inverse_spd(gram)

        # B_ij = -P_ij / P_jj off the diagonal and 0 on it (the no-self-loop rule).
        precision /= -np.diag(precision).copy()
        precision[np.diag_indices(n_items)] = 0.0
        self.weights_ = precision.astype(np.float32, copy=False)

    def _score_rows(self, history: sp.csr_matrix) -> np.ndarray:
        return np.asarray(history @ self.weights_)


def _inverse_spd(matrix: np.ndarray) -> np.ndarray:
    """Inverse of a symmetric positive-definite C-ordered matrix, in its own memory."""
    # The transpose of a symmetric C-ordered matrix is the same matrix in Fortran
    # order, which lets LAPACK work in place instead of copying n^2 numbers.
    fortran = matrix.T
    potrf, potri = scipy.linalg.lapack.get_lapack_funcs(("potrf", "potri"), (fortran,))
    factor, info = potrf(fortran, lower=False, overwrite_a=True, clean=False)
    if info != 0:
        raise np.linalg.LinAlgError(
            "the regularised Gram matrix is not positive definite"
        )
    inverse, info = potri(factor, lower=False, overwrite_c=True)
    if info != 0:
        raise np.linalg.LinAlgError("inverting the Cholesky factor failed")

    # potri fills only the upper triangle of its Fortran view, the lower triangle of
    # the C array; mirror it in row blocks so no full-size temporary is made.
    result = inverse.T
    n = result.shape[0]
    step = max(1, KNN_BLOCK_FLOATS // max(1, n))
    for start in range(0, n, step):
        stop = min(start + step, n)
        result[:start, start:stop] = result[start:stop, :start].T
        block = result[start:stop, start:stop]
        upper = np.triu_indices(stop - start, 1)
        block[upper] = block.T[upper]
    return result
