"""Per-user random and time splits."""

from __future__ import annotations

import numpy as np
import pytest

from recengine.evaluation.split import quantile_cutoff, random_split, time_split


@pytest.fixture
def users() -> np.ndarray:
    rng = np.random.default_rng(5)
    return np.repeat(np.arange(200), rng.integers(4, 60, 200))


def test_same_seed_same_split(users):
    first = random_split(users, random_state=42)
    assert np.array_equal(first, random_split(users, random_state=42))
    assert not np.array_equal(first, random_split(users, random_state=43))


def test_each_user_gives_about_a_quarter(users):
    test = random_split(users, random_state=1)
    counts = np.bincount(users)
    held_out = np.bincount(users[test], minlength=counts.size)
    assert np.all(np.abs(held_out - counts * 0.25) <= 0.5)
    assert test.mean() == pytest.approx(0.25, abs=0.01)


def test_single_interaction_stays_in_train():
    users = np.array([7, 8, 8, 8, 8])
    test = random_split(users, random_state=0)
    assert not test[0]
    assert test[1:].sum() == 1


def test_every_user_keeps_a_training_interaction():
    users = np.array([1, 1, 2, 2, 2])
    test = random_split(users, test_fraction=0.9, random_state=0)
    assert (~test[users == 1]).any() and (~test[users == 2]).any()


def test_time_split_puts_the_future_in_test():
    stamps = np.array([10, 20, 30, 40])
    assert time_split(stamps, 30).tolist() == [False, False, True, True]
    assert quantile_cutoff(stamps, 0.75) == 40
