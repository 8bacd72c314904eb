"""Online A/B test on the simulator: the learned engine against popularity."""

from __future__ import annotations

import numpy as np
import pytest

from recengine import serving
from recengine.models import Event, EventKind, SimulationRun, Viewer
from recengine.pseudonym import pseudonym_for
from recengine.services.lifecycle import activate_model
from recengine.simulator.ab_metrics import ARMS, Ledger, page_diversity, summarise
from recengine.simulator.catalogue import viewer_user_id
from recengine.simulator.config import SimulationRefused
from recengine.simulator.online import arm_of, run_ab_test

AB_DAYS = 2


def _strategies_by_viewer(result) -> dict[int, set[str]]:
    exposures = Event.objects.filter(
        kind=EventKind.IMPRESSION,
        occurred_at__gte=result.start,
        occurred_at__lt=result.end,
    ).values_list("viewer_id", "strategy")
    strategies: dict[int, set[str]] = {}
    for viewer, strategy in exposures:
        strategies.setdefault(viewer, set()).add(strategy)
    return strategies


def _arms_by_pk() -> dict[int, str]:
    """The arm of each simulated viewer, from the id its client sends."""
    arm_by_pseudonym = {}
    for index in range(SimulationRun.objects.get().viewers):
        user = viewer_user_id(index)
        arm_by_pseudonym[pseudonym_for(user)] = arm_of(user)
    return {
        pk: arm_by_pseudonym[pseudonym]
        for pk, pseudonym in Viewer.objects.values_list("pk", "pseudonym")
        if pseudonym in arm_by_pseudonym
    }


def test_the_engine_beats_popularity_online(trained, db, platform_admin):
    # One replay serves every check: it is the slow part of this module.
    activate_model(actor=platform_admin, version=trained.first, reason="A/B test")

    result = run_ab_test(days=AB_DAYS, seed=3)

    personal = result.arms["personalised"].metrics
    popular = result.arms["popularity"].metrics
    # Significant at 95 %: the interval of the difference lies above zero.
    assert result.lift["interest"].low > 0
    assert result.lift["ctr"].low > 0
    assert personal["gmv_per_visit"].high >= popular["gmv_per_visit"].value
    assert personal["quality_share"].high >= popular["quality_share"].value

    viewers = [report.viewers for report in result.arms.values()]
    assert min(viewers) / max(viewers) > 0.85

    strategies = _strategies_by_viewer(result)
    assert {"personalised", "popularity"} <= set().union(*strategies.values())
    arms = _arms_by_pk()
    for viewer, used in strategies.items():
        expected = arms[viewer]
        assert used == {expected}

    run = SimulationRun.objects.get()
    assert run.stats["ab_end"] == result.end.isoformat()
    assert run.stats["ab_tests"][-1]["model_version"] == trained.first


def test_without_an_active_engine_the_test_is_refused(trained, db):
    serving.reset()

    with pytest.raises(SimulationRefused):
        run_ab_test(days=1)


def test_a_page_of_one_category_has_no_diversity():
    assert page_diversity(np.array([3, 3, 3])) == 0.0
    assert page_diversity(np.array([1, 2])) == 1.0
    # 4 items, categories 1,1,2,2: 4 of 12 ordered pairs share a category.
    assert page_diversity(np.array([1, 1, 2, 2])) == pytest.approx(8 / 12)


def test_ratio_metrics_sum_over_viewers_before_dividing():
    ledger = Ledger.__new__(Ledger)
    ledger.sums = np.zeros((2, 9))
    ledger._column = {"visits": 0, "exposures": 1, "clicks": 2}
    ledger.add(0, "visits", 1)
    ledger.add(0, "exposures", 10)
    ledger.add(0, "clicks", 1)
    ledger.add(1, "visits", 1)
    ledger.add(1, "exposures", 30)
    ledger.add(1, "clicks", 9)

    arms = summarise(ledger, np.array([0, 0]), seed=1).arms

    assert arms[ARMS[0]].metrics["ctr"].value == pytest.approx(10 / 40)
    assert arms[ARMS[1]].viewers == 0


def test_the_lift_interval_is_that_of_the_difference():
    ledger = Ledger.__new__(Ledger)
    ledger._column = {"visits": 0, "exposures": 1, "clicks": 2}
    rng = np.random.default_rng(5)
    viewers = 400
    ledger.sums = np.zeros((viewers, 9))
    ledger.sums[:, 0] = 1
    ledger.sums[:, 1] = 10
    arm = np.arange(viewers) % 2
    # The first arm clicks 3 of 10 on average, the second 2 of 10.
    ledger.sums[:, 2] = rng.binomial(10, np.where(arm == 0, 0.3, 0.2))

    comparison = summarise(ledger, arm, seed=2)

    first, second = (comparison.arms[name].metrics["ctr"] for name in ARMS)
    lift = comparison.lift["ctr"]
    assert lift.value == pytest.approx(first.value - second.value)
    assert 0 < lift.low < lift.value < lift.high
    # Wider than either arm's interval, narrower than the two widths together.
    widths = (first.high - first.low, second.high - second.low)
    assert max(widths) < lift.high - lift.low < sum(widths)
    # Arms alike: the difference interval holds zero.
    ledger.sums[:, 2] = rng.binomial(10, 0.25, size=viewers)
    alike = summarise(ledger, arm, seed=2).lift["ctr"]
    assert alike.low < 0 < alike.high
