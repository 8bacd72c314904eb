"""Train/test splits of an interaction log, returned as boolean test masks.

A mask (True = held out for testing) keeps the split independent of how the log is
stored, so the same function splits numpy arrays, a data frame's columns or the
rows of an event export.
"""

from __future__ import annotations

import numpy as np

DEFAULT_TEST_FRACTION = 0.25


def random_split(
    users: np.ndarray,
    *,
    test_fraction: float = DEFAULT_TEST_FRACTION,
    random_state: int | np.random.Generator | None = None,
) -> np.ndarray:
    """Hold out a random share of every user's interactions.

    Each user with n interactions gives round(n * test_fraction) of them, chosen
    uniformly at random, to the test set, but always keeps at least one for
    training: a user with a single interaction keeps it in train. The same seed
    and the same input order give the same split.
    """
    if not 0.0 < test_fraction < 1.0:
        raise ValueError("test_fraction must lie strictly between 0 and 1")
    users = np.asarray(users)
    if users.size == 0:
        return np.zeros(0, dtype=bool)

    rng = np.random.default_rng(random_state)
    _, codes, counts = np.unique(users, return_inverse=True, return_counts=True)
    n_test = np.minimum(np.floor(counts * test_fraction + 0.5), counts - 1)

    # Sorting by (user, random key) shuffles each user's interactions in one pass;
    # the first n_test of every user's block become the test set.
    order = np.lexsort((rng.random(users.size), codes))
    block_start = np.concatenate(([0], np.cumsum(counts)[:-1]))
    sorted_codes = codes[order]
    rank_in_block = np.arange(users.size) - block_start[sorted_codes]

    test = np.zeros(users.size, dtype=bool)
    test[order] = rank_in_block < n_test[sorted_codes]
    return test


def time_split(timestamps: np.ndarray, cutoff: int | float) -> np.ndarray:
    """Train strictly before ``cutoff``, test at or after it (the future is unseen)."""
    return np.asarray(timestamps) >= cutoff


def quantile_cutoff(
    timestamps: np.ndarray, train_fraction: float = 1.0 - DEFAULT_TEST_FRACTION
) -> float:
    """The timestamp before which ``train_fraction`` of the interactions happened."""
    if not 0.0 < train_fraction < 1.0:
        raise ValueError("train_fraction must lie strictly between 0 and 1")
    timestamps = np.asarray(timestamps)
    if timestamps.size == 0:
        raise ValueError("cannot place a cutoff in an empty log")
    return float(np.quantile(timestamps, train_fraction, method="higher"))
