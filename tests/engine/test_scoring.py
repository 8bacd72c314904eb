"""Recall helpers: the short paths give the answers of the full ones."""

from __future__ import annotations

import numpy as np
import pytest

from recengine.engine import scoring


@pytest.mark.parametrize("allowed_share", [1.0, 0.5, 0.05, 0.001])
def test_best_positive_matches_masking_every_item(allowed_share):
    rng = np.random.default_rng(int(allowed_share * 1000))
    for _ in range(20):
        n = int(rng.integers(1, 5_000))
        values = rng.normal(size=n).astype(np.float32)
        allowed = rng.random(n) < allowed_share

        expected = scoring.best(values, allowed & (values > 0), 100)

        np.testing.assert_array_equal(
            scoring.best_positive(values, allowed, 100), expected
        )


def test_best_positive_never_returns_a_non_positive_or_barred_item():
    values = np.linspace(1.0, -1.0, 2_000).astype(np.float32)
    allowed = np.ones(2_000, dtype=bool)
    allowed[::2] = False

    found = scoring.best_positive(values, allowed, 800)

    assert len(found) == 500  # the allowed items above zero
    assert allowed[found].all() and (values[found] > 0).all()
    assert (np.diff(values[found]) < 0).all()


def test_fresh_items_keep_a_list_per_window_and_match_a_full_scan():
    from types import SimpleNamespace

    from recengine.engine.artifacts import SceneModel

    rng = np.random.default_rng(11)
    scene = SimpleNamespace(created_at=rng.uniform(0, 100_000, 50_000))
    windows = (3_600.0, 7 * 86_400.0 / 10)
    for now in np.sort(rng.uniform(90_000, 100_000, 40)):
        for window in windows:
            found = SceneModel.fresh_items(scene, now, window)
            expected = np.flatnonzero(now - scene.created_at < window)
            np.testing.assert_array_equal(found, expected)

    # Asking with one window, then the other, then the first, in one minute,
    # scans the items once per window.
    scene = SimpleNamespace(created_at=rng.uniform(0, 100_000, 50_000))
    SceneModel.fresh_items(scene, 99_990.0, windows[0])
    SceneModel.fresh_items(scene, 99_990.0, windows[1])
    first = scene.__dict__["_fresh"][windows[0]][1]
    SceneModel.fresh_items(scene, 99_991.0, windows[0])
    assert scene.__dict__["_fresh"][windows[0]][1] is first
