"""Group comparisons: values, gap, ratio, bootstrap intervals and the flag."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from audits.metrics.fairness import (
    GROUP_METRICS,
    GroupMetric,
    _bootstrap_sums,
    compare_groups,
    compare_metrics,
)


def _viewers() -> pd.DataFrame:
    # High spenders: 4 clicks / 20 exposures = 0.20; low: 3 / 30 = 0.10.
    return pd.DataFrame(
        {
            "spending_level": ["high", "high", "low", "low", "low"],
            "region": ["east", "south", "east", "south", "south"],
            "exposures": [10, 10, 10, 10, 10],
            "clicks": [3, 1, 1, 1, 1],
            "orders": [1, 0, 0, 1, 0],
            "net_positives": [2, 1, -1, 0, 1],
            "diversity_sum": [1.5, 0.5, 1.0, 0.8, 0.6],
            "lists": [2, 1, 2, 1, 1],
        }
    )


def test_group_values_gap_and_ratio_by_hand():
    result = compare_groups(_viewers(), "spending_level", "ctr", n_boot=200, seed=1)

    assert result.values == pytest.approx({"high": 0.2, "low": 0.1})
    assert result.viewers == {"high": 2, "low": 3}
    assert result.gap == pytest.approx(0.1)
    assert result.ratio == pytest.approx(0.5)
    # All viewers: 7 / 50 = 0.14.
    assert result.ratio_to_all == pytest.approx({"high": 0.2 / 0.14, "low": 0.1 / 0.14})
    assert result.flagged


def test_a_ratio_inside_the_band_is_not_flagged():
    viewers = _viewers().assign(clicks=[2, 2, 2, 2, 2], exposures=[10, 10, 9, 11, 10])

    result = compare_groups(viewers, "region", "ctr", n_boot=200, seed=1)

    # East 4 / 19, south 6 / 31: ratio (6 / 31) / (4 / 19) = 0.919.
    assert result.ratio == pytest.approx((6 / 31) / (4 / 19))
    assert not result.flagged


def test_satisfaction_clips_at_zero_and_diversity_averages_lists():
    satisfaction = compare_groups(_viewers(), "spending_level", "satisfaction")
    diversity = compare_groups(_viewers(), "spending_level", "diversity")

    assert satisfaction.values == pytest.approx({"high": 3 / 20, "low": 0.0})
    assert math.isnan(satisfaction.ratio) or satisfaction.ratio == 0.0
    assert satisfaction.flagged
    assert diversity.values == pytest.approx({"high": 2.0 / 3, "low": 2.4 / 4})


def _many_viewers() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    exposures = rng.integers(5, 50, size=400)
    return pd.DataFrame(
        {
            "region": rng.choice(["east", "south", "west"], size=400),
            "exposures": exposures,
            "clicks": rng.binomial(exposures, 0.1),
        }
    )


def test_bootstrap_is_reproducible_for_a_seed_and_brackets_the_value():
    viewers = _many_viewers()

    first = compare_groups(viewers, "region", "ctr", n_boot=300, seed=5)
    again = compare_groups(viewers, "region", "ctr", n_boot=300, seed=5)
    other = compare_groups(viewers, "region", "ctr", n_boot=300, seed=6)

    assert first.intervals == again.intervals
    assert first.ratio_interval == again.ratio_interval
    assert first.intervals != other.intervals
    for group, (low, high) in first.intervals.items():
        assert low < first.values[group] < high
    assert first.ratio_interval[0] < first.ratio <= first.ratio_interval[1]


def test_small_groups_and_empty_denominators_are_left_out():
    viewers = _viewers()
    viewers.loc[viewers["spending_level"] == "high", "clicks"] = 0

    cvr = compare_groups(viewers, "spending_level", "cvr")
    few = compare_groups(_viewers(), "spending_level", "ctr", min_viewers=3)

    assert list(cvr.values) == ["low"]
    assert list(few.values) == ["low"]
    assert few.ratio == 1.0
    # The left-out group still counts among all viewers: low gets 0.10 / 0.14.
    assert few.ratio_to_all == pytest.approx({"low": 0.1 / 0.14})
    assert few.flagged


def test_no_group_at_all_yields_an_empty_comparison():
    custom = GroupMetric("orders_per_click", "orders", "clicks")

    result = compare_groups(_viewers().iloc[:0], "region", custom)

    assert result.values == {}
    assert math.isnan(result.ratio)
    assert not result.flagged


def test_metrics_compared_together_match_each_compared_alone():
    viewers = pd.concat([_viewers()] * 40, ignore_index=True)
    viewers["clicks"] += np.arange(len(viewers)) % 3

    together = compare_metrics(viewers, "region", GROUP_METRICS, n_boot=300, seed=4)

    for name in GROUP_METRICS:
        alone = compare_groups(viewers, "region", name, n_boot=300, seed=4)
        assert together[name].values == pytest.approx(alone.values)
        for group, interval in alone.intervals.items():
            assert together[name].intervals[group] == pytest.approx(interval)
        assert together[name].ratio_interval == pytest.approx(alone.ratio_interval)


def test_bootstrap_sums_are_sums_of_viewers_drawn_with_replacement():
    matrix = np.arange(14, dtype=float).reshape(7, 2)
    rows = 5

    sums = _bootstrap_sums(matrix, rows, np.random.default_rng(9))

    # The same generator draws the same viewers: sum them directly.
    picks = np.random.default_rng(9).integers(0, 7, size=(rows, 7))
    assert sums == pytest.approx(matrix[picks].sum(axis=1))
