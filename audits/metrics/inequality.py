"""Traffic concentration over merchants (Table 1, fairness: 流量分配基尼系数).

Every function takes the exposures of *all* eligible merchants in a period, with
zero for a merchant that was never exposed: leaving those out would hide exactly
the merchants an unfair allocation starves.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt


def _exposures(values: npt.ArrayLike) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    if array.ndim != 1 or array.size == 0:
        raise ValueError("exposures must be a non-empty one-dimensional sequence")
    if np.any(array < 0) or not np.all(np.isfinite(array)):
        raise ValueError("exposures must be finite and non-negative")
    return array


def gini(values: npt.ArrayLike) -> float:
    """Traffic Gini: G = sum_i sum_j |x_i - x_j| / (2 n^2 mean(x)).

    x holds the exposures of all n eligible merchants, zeros included. G is 0 when
    every merchant has the same traffic and (n - 1) / n when one merchant has it
    all. A period without any exposure counts as perfectly equal (0).

    The double sum is evaluated through the sorted values, where it equals
    2 sum_k (2k - n - 1) x_(k) for k = 1..n, in O(n log n) instead of O(n^2).
    """
    x = np.sort(_exposures(values))
    n = x.size
    total = x.sum()
    if total == 0:
        return 0.0

    ranks = np.arange(1, n + 1, dtype=float)
    pair_sum = 2.0 * np.dot(2.0 * ranks - n - 1.0, x)
    return float(pair_sum / (2.0 * n * total))


def lorenz_curve(values: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Lorenz curve points: share of merchants (poorest first) against their share
    of exposures, starting at (0, 0) and ending at (1, 1)."""
    x = np.sort(_exposures(values))
    n = x.size
    total = x.sum()
    population = np.arange(0, n + 1, dtype=float) / n
    if total == 0:
        return population, population.copy()

    traffic = np.concatenate(([0.0], np.cumsum(x) / total))
    return population, traffic


def top_share(values: npt.ArrayLike, fraction: float) -> float:
    """Share of all exposures held by the top ``fraction`` of merchants.

    The top group has ceil(fraction * n) merchants, at least one, so the top 1% of
    a small platform is its single busiest merchant.
    """
    if not 0 < fraction <= 1:
        raise ValueError("fraction must lie in (0, 1]")
    x = np.sort(_exposures(values))[::-1]
    total = x.sum()
    if total == 0:
        return 0.0

    size = max(1, math.ceil(round(fraction * x.size, 9)))
    return float(x[:size].sum() / total)
