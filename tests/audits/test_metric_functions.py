"""Table 1 metrics as pure functions, against values computed by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from audits.metrics import business, ecosystem, experience


def test_business_rates_by_hand():
    assert business.ctr(clicks=3, exposures=12) == 0.25
    assert business.cvr(orders=1, clicks=4) == 0.25
    assert business.gmv(165.5) == 165.5
    # 165.50 yuan of orders over 12 exposures priced at 0.50 yuan: 165.5 / 6.
    assert business.roi(165.5, 12, cost_per_exposure=0.5) == pytest.approx(165.5 / 6)
    assert business.roi(100.0, 1000) == pytest.approx(10.0)  # default 0.01 yuan


def test_rates_without_a_denominator_are_not_numbers():
    assert math.isnan(business.ctr(0, 0))
    assert math.isnan(business.cvr(0, 0))
    with pytest.raises(ValueError, match="cost_per_exposure"):
        business.roi(1.0, 10, cost_per_exposure=0)


def test_experience_rates_by_hand():
    assert experience.dwell_seconds_mean([10, 20, 60]) == 30
    assert math.isnan(experience.dwell_seconds_mean([]))
    assert experience.interaction_rate(5, 20) == 0.25
    assert experience.negative_feedback_rate(1, 20) == 0.05
    assert experience.satisfaction_proxy(positives=6, negatives=2, exposures=20) == 0.2
    assert experience.satisfaction_proxy(positives=1, negatives=3, exposures=20) == 0


def test_list_diversity_by_hand():
    # A: beauty, beauty, food -> 2 of 3 unordered pairs differ: (9 - 5) / 6.
    # B: three categories -> 1. C: one category -> 0. D: one item, no pair.
    served = pd.DataFrame(
        {
            "request_id": ["A", "A", "A", "B", "B", "B", "C", "C", "D"],
            "category": [1, 1, 2, 1, 2, None, 3, 3, 1],
        }
    )

    counts = experience.list_category_counts(served)
    values = experience.list_diversity(counts["items"], counts["squares"])

    assert dict(zip(counts.index, values[:3], strict=False)) == pytest.approx(
        {"A": 2 / 3, "B": 1.0, "C": 0.0}
    )
    assert math.isnan(values[3])
    assert experience.intra_list_diversity(served) == pytest.approx((2 / 3 + 1) / 3)


def test_quality_exposure_share_and_lift_by_hand():
    exposures = pd.Series({1: 60, 2: 30, 3: 10, 4: 0})

    result = ecosystem.quality_exposure_share(exposures, quality={1, 4})

    assert (result.quality_exposures, result.exposures) == (60, 100)
    assert result.share == 0.6
    assert result.supply_share == 0.5
    assert result.lift == pytest.approx(1.2)


def test_cold_start_success_by_hand():
    cohort = pd.DataFrame(
        {"exposures": [150, 40, 0, 99, 100], "orders": [0, 1, 0, 0, 0]},
        index=[11, 12, 13, 14, 15],
    )

    result = ecosystem.cold_start_success(cohort, k_exposures=100)

    assert (result.cohort, result.succeeded) == (
        5,
        3,
    )  # 11 and 15 by traffic, 12 by order
    assert result.rate == 0.6


def test_category_coverage_and_interception_by_hand():
    assert ecosystem.category_coverage({1, 2, 9}, {1, 2, 3, 4}) == 0.5
    assert ecosystem.violation_interception_rate(19, 20) == 0.95
    assert math.isnan(ecosystem.violation_interception_rate(0, 0))
    with pytest.raises(ValueError, match="intercepted"):
        ecosystem.violation_interception_rate(3, 2)


def test_zero_filled_keeps_every_eligible_entity():
    filled = ecosystem.zero_filled(pd.Series({2: 5, 7: 1}), eligible=[1, 2, 3])

    assert filled.to_dict() == {1: 0, 2: 5, 3: 0}
