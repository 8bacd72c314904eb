"""Differences between viewer groups (Table 1, fairness: 不同群体的差异).

A group's value is a ratio of totals over its viewers (clicks / exposures for CTR,
for instance). Intervals come from a viewer-level bootstrap: viewers are drawn with
replacement within each group, so a group of few heavy viewers gets the wide
interval it deserves. A seed makes every interval reproducible.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

# The four-fifths rule read both ways: a group may get between 80% and 125% of another.
FAIR_BAND = (0.8, 1.25)
# Caps one bootstrap block at about this many drawn indices (memory, not accuracy).
_BLOCK_CELLS = 2_000_000


@dataclass(frozen=True)
class GroupMetric:
    """How a group's value is formed from per-viewer columns."""

    name: str
    numerator: str
    denominator: str
    clip_at_zero: bool = False


GROUP_METRICS = {
    "ctr": GroupMetric("ctr", "clicks", "exposures"),
    "cvr": GroupMetric("cvr", "orders", "clicks"),
    "satisfaction": GroupMetric("satisfaction", "net_positives", "exposures", True),
    "diversity": GroupMetric("diversity", "diversity_sum", "lists"),
}


@dataclass(frozen=True)
class GroupComparison:
    metric: str
    grouping: str
    values: dict[str, float]
    intervals: dict[str, tuple[float, float]]
    viewers: dict[str, int]
    gap: float  # max - min of the group values
    ratio: float  # min / max of the group values
    ratio_interval: tuple[float, float]
    ratio_to_all: dict[str, float] = field(default_factory=dict)
    flagged: bool = False


def compare_groups(
    viewers: pd.DataFrame,
    grouping: str,
    metric: GroupMetric | str,
    *,
    n_boot: int = 500,
    seed: int = 0,
    confidence: float = 0.95,
    min_viewers: int = 1,
    band: tuple[float, float] = FAIR_BAND,
) -> GroupComparison:
    """Group values, their gap and min/max ratio, bootstrap intervals and a flag.

    ``viewers`` has one row per viewer with the ``grouping`` column and the
    metric's numerator and denominator. Groups with fewer than ``min_viewers``
    viewers, or nothing to divide by, are left out of the comparison. The flag is
    raised when the min/max ratio, or any group's ratio to all viewers together,
    falls outside ``band``.
    """
    spec = GROUP_METRICS[metric] if isinstance(metric, str) else metric
    compared = compare_metrics(
        viewers,
        grouping,
        [spec],
        n_boot=n_boot,
        seed=seed,
        confidence=confidence,
        min_viewers=min_viewers,
        band=band,
    )
    return compared[spec.name]


def compare_metrics(
    viewers: pd.DataFrame,
    grouping: str,
    metrics: Iterable[GroupMetric | str],
    *,
    n_boot: int = 500,
    seed: int = 0,
    confidence: float = 0.95,
    min_viewers: int = 1,
    band: tuple[float, float] = FAIR_BAND,
) -> dict[str, GroupComparison]:
    """``compare_groups`` for several metrics over one set of resamples.

    Viewers are drawn once per group and replicate, and every metric of that
    replicate is read from the same draw, as one resampled platform would show
    them all; drawing once instead of once per metric is also what keeps the
    bootstrap of a hundred thousand viewers within a second.
    """
    specs = [GROUP_METRICS[m] if isinstance(m, str) else m for m in metrics]
    columns = sorted(
        {name for spec in specs for name in (spec.numerator, spec.denominator)}
    )
    rng = np.random.default_rng(seed)
    matrices = {
        str(name): frame[columns].to_numpy(float)
        for name, frame in viewers.groupby(grouping, sort=True)
        if len(frame) >= min_viewers
    }
    resampled = {
        name: _bootstrap_sums(matrix, n_boot, rng) for name, matrix in matrices.items()
    }
    tail = (1.0 - confidence) / 2.0
    compared = {}
    for spec in specs:
        i, j = columns.index(spec.numerator), columns.index(spec.denominator)
        groups = {
            name: (matrix[:, i], matrix[:, j])
            for name, matrix in matrices.items()
            if matrix[:, j].sum() != 0
        }
        if not groups:
            compared[spec.name] = _empty(spec, grouping)
            continue
        draws = {
            name: _ratios(resampled[name][:, i], resampled[name][:, j], spec)
            for name in groups
        }
        overall = _value(
            viewers[spec.numerator].to_numpy(float),
            viewers[spec.denominator].to_numpy(float),
            spec,
        )
        compared[spec.name] = _comparison(
            spec, grouping, groups, draws, overall, tail, band
        )
    return compared


def _comparison(
    spec: GroupMetric,
    grouping: str,
    groups: dict[str, tuple[np.ndarray, np.ndarray]],
    draws: dict[str, np.ndarray],
    overall: float,
    tail: float,
    band: tuple[float, float],
) -> GroupComparison:
    values = {name: _value(num, den, spec) for name, (num, den) in groups.items()}
    intervals = {name: _quantiles(sample, tail) for name, sample in draws.items()}
    stacked = np.vstack(list(draws.values()))
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio_draws = stacked.min(axis=0) / stacked.max(axis=0)

    low, high = min(values.values()), max(values.values())
    ratio = low / high if high > 0 else math.nan
    to_all = {name: _safe_ratio(value, overall) for name, value in values.items()}
    return GroupComparison(
        metric=spec.name,
        grouping=grouping,
        values=values,
        intervals=intervals,
        viewers={name: len(num) for name, (num, _den) in groups.items()},
        gap=high - low,
        ratio=ratio,
        ratio_interval=_quantiles(ratio_draws, tail),
        ratio_to_all=to_all,
        flagged=_outside(ratio, band)
        or any(_outside(r, band) for r in to_all.values()),
    )


def _value(numerator: np.ndarray, denominator: np.ndarray, spec: GroupMetric) -> float:
    total = denominator.sum()
    if total == 0:
        return math.nan
    value = numerator.sum() / total
    return float(max(0.0, value) if spec.clip_at_zero else value)


def _bootstrap_sums(
    matrix: np.ndarray, n_boot: int, rng: np.random.Generator
) -> np.ndarray:
    """Column sums of ``n_boot`` resamples (with replacement) of ``matrix``'s rows.

    A block of replicates is drawn at once; how often each row was drawn in each
    replicate is counted (one ``bincount``), and the counts times the matrix give
    every column's sums in one product.
    """
    size = len(matrix)
    block = max(1, _BLOCK_CELLS // size)
    sums = []
    for start in range(0, n_boot, block):
        rows = min(block, n_boot - start)
        picks = rng.integers(0, size, size=(rows, size))
        picks += np.arange(rows)[:, None] * size
        counts = np.bincount(picks.ravel(), minlength=rows * size)
        sums.append(counts.reshape(rows, size).astype(float) @ matrix)
    return np.vstack(sums)


def _ratios(num: np.ndarray, den: np.ndarray, spec: GroupMetric) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        values = np.where(den > 0, num / den, np.nan)
    return np.maximum(values, 0.0) if spec.clip_at_zero else values


def _quantiles(sample: np.ndarray, tail: float) -> tuple[float, float]:
    finite = sample[np.isfinite(sample)]
    if finite.size == 0:
        return (math.nan, math.nan)
    low, high = np.quantile(finite, [tail, 1.0 - tail])
    return (float(low), float(high))


def _safe_ratio(value: float, reference: float) -> float:
    if not reference or math.isnan(reference):
        return math.nan
    return value / reference


def _outside(value: float, band: tuple[float, float]) -> bool:
    return not math.isnan(value) and not band[0] <= value <= band[1]


def _empty(spec: GroupMetric, grouping: str) -> GroupComparison:
    nan_pair = (math.nan, math.nan)
    return GroupComparison(
        spec.name, grouping, {}, {}, {}, math.nan, math.nan, nan_pair
    )
