"""Ecosystem health metrics of Table 1 (生态健康)."""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import pandas as pd

from audits.metrics.business import ratio


@dataclass(frozen=True)
class QualityShare:
    share: float  # quality exposures / all exposures
    supply_share: float  # quality entities / all eligible entities
    lift: float  # share / supply_share; above 1 means traffic leans to quality
    quality_exposures: int
    exposures: int


def quality_exposure_share(
    exposures: pd.Series, quality: Collection[object]
) -> QualityShare:
    """Exposure share of quality content or merchants, and its lift over supply.

    ``exposures`` is indexed by every eligible entity (content item or merchant),
    zero for those never exposed; ``quality`` holds the ids the audit's quality
    predicate accepts. The lift compares the traffic quality entities received with
    their share of the catalogue: clause 4.2 asks that quality gets *more* display,
    which the raw share alone cannot show.
    """
    is_quality = exposures.index.isin(list(quality))
    total = int(exposures.sum())
    quality_total = int(exposures[is_quality].sum())
    share = ratio(quality_total, total)
    supply = ratio(int(is_quality.sum()), len(exposures))

    lift = share / supply if supply and not math.isnan(share) else math.nan
    return QualityShare(share, supply, lift, quality_total, total)


@dataclass(frozen=True)
class ColdStart:
    cohort: int
    succeeded: int
    rate: float


def cold_start_success(cohort: pd.DataFrame, k_exposures: int) -> ColdStart:
    """Cold-start success: share of new entities that reached ``k_exposures``
    exposures or a first order within N days of registration.

    ``cohort`` holds one row per new anchor or merchant with ``exposures`` and
    ``orders`` counted in its first N days; the loader chooses N and keeps only
    entities whose whole N-day window lies inside the period.
    """
    if k_exposures < 1:
        raise ValueError("k_exposures must be at least 1")
    reached = (cohort["exposures"] >= k_exposures) | (cohort["orders"] >= 1)
    succeeded = int(reached.sum())
    return ColdStart(len(cohort), succeeded, ratio(succeeded, len(cohort)))


def category_coverage(
    exposed: Collection[object], eligible: Collection[object]
) -> float:
    """Category coverage: eligible categories with at least one exposure / all
    eligible categories."""
    eligible_set = set(eligible)
    return ratio(len(eligible_set.intersection(exposed)), len(eligible_set))


def violation_interception_rate(intercepted: int, confirmed: int) -> float:
    """Violation interception rate: confirmed violations stopped before their first
    exposure / all confirmed violations in the period."""
    if intercepted < 0 or confirmed < 0 or intercepted > confirmed:
        raise ValueError("need 0 <= intercepted <= confirmed")
    return ratio(intercepted, confirmed)


def zero_filled(counts: pd.Series, eligible: Collection[object]) -> pd.Series:
    """Exposure counts over every eligible entity, zero for those never exposed."""
    index = pd.Index(list(eligible))
    return counts.reindex(index, fill_value=0).astype(np.int64)
