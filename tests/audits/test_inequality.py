"""Traffic Gini, Lorenz curve and top shares, pinned by hand-computed cases."""

from __future__ import annotations

import numpy as np
import pytest

from audits.metrics.inequality import gini, lorenz_curve, top_share


def _pairwise_gini(values: list[float]) -> float:
    # The definition itself, O(n^2): sum_i sum_j |x_i - x_j| / (2 n^2 mean(x)).
    x = np.asarray(values, dtype=float)
    return np.abs(x[:, None] - x[None, :]).sum() / (2 * x.size**2 * x.mean())


@pytest.mark.parametrize(
    ("exposures", "expected"),
    [
        ([1, 1, 1, 1], 0.0),
        ([0, 0, 0, 1], 0.75),
        # |1-3| in both orders, 4, over 2 * 2^2 * 2 = 16.
        ([1, 3], 0.25),
        # Pairs 0-2, 0-4, 2-4 give 2+4+2 = 8, doubled 16, over 2 * 9 * 2 = 36.
        ([0, 2, 4], 16 / 36),
        # Two merchants never exposed: 8 ordered zero-five pairs, 8 * 5 over 2*16*2.5.
        ([0, 0, 5, 5], 0.5),
        ([7], 0.0),
        ([0, 0, 0], 0.0),
    ],
)
def test_gini_pinned_cases(exposures, expected):
    assert gini(exposures) == pytest.approx(expected)


def test_unexposed_merchants_raise_the_gini():
    exposed_only = gini([10, 20, 30])

    with_idle = gini([10, 20, 30, 0, 0, 0])

    assert with_idle > exposed_only
    assert with_idle == pytest.approx(_pairwise_gini([10, 20, 30, 0, 0, 0]))


def test_gini_agrees_with_the_pairwise_definition_on_random_traffic():
    rng = np.random.default_rng(7)
    traffic = rng.poisson(3.0, size=300) * rng.integers(0, 2, size=300)

    assert gini(traffic) == pytest.approx(_pairwise_gini(traffic.tolist()))


@pytest.mark.parametrize("bad", [[], [1, -1], [[1, 2]], [1, float("nan")]])
def test_gini_refuses_input_that_is_not_traffic(bad):
    with pytest.raises(ValueError, match="exposures must"):
        gini(bad)


def test_lorenz_points_by_hand():
    population, traffic = lorenz_curve([3, 0, 1, 0])

    assert population.tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert traffic.tolist() == [0.0, 0.0, 0.0, 0.25, 1.0]


def test_lorenz_of_equal_or_absent_traffic_is_the_diagonal():
    assert lorenz_curve([2, 2])[1].tolist() == [0.0, 0.5, 1.0]
    assert lorenz_curve([0, 0])[1].tolist() == [0.0, 0.5, 1.0]


def test_top_shares_by_hand():
    # 200 merchants: one with 100 exposures, nineteen with 5, the rest none.
    traffic = [100] + [5] * 19 + [0] * 180

    assert top_share(traffic, 0.01) == pytest.approx(105 / 195)  # top 2
    assert top_share(traffic, 0.10) == pytest.approx(1.0)  # top 20
    assert top_share([4, 1, 0], 0.01) == pytest.approx(0.8)  # at least one merchant


def test_top_share_refuses_a_fraction_outside_the_unit_interval():
    with pytest.raises(ValueError, match="fraction"):
        top_share([1, 2], 0)
