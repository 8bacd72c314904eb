"""Online A/B test on the simulator: the learned engine against popularity."""

from __future__ import annotations

import numpy as np
import pytest

from recengine import serving
from recengine.models import Event, EventKind, SimulationRun
from recengine.services.lifecycle import activate_model
from recengine.simulator.ab_metrics import ARMS, Ledger, page_diversity, summarise
from recengine.simulator.config import SimulationRefused
from recengine.simulator.online import arm_of, run_ab_test

AB_DAYS = 2


def _overlap(first, second) -> bool:
    return first.low <= second.high and second.low <= first.high


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


def test_the_engine_beats_popularity_online(trained, db, platform_admin):
    # One replay serves every check: it is the slow part of this module.
    activate_model(actor=platform_admin, version=trained.first, reason="A/B test")

    result = run_ab_test(days=AB_DAYS, seed=3)

    personal = result.arms["personalised"].metrics
    popular = result.arms["popularity"].metrics
    assert not _overlap(personal["interest"], popular["interest"])
    assert personal["interest"].value > popular["interest"].value
    assert personal["ctr"].low > popular["ctr"].value
    assert personal["gmv_per_visit"].high >= popular["gmv_per_visit"].value
    assert personal["quality_share"].high >= popular["quality_share"].value

    viewers = [report.viewers for report in result.arms.values()]
    assert min(viewers) / max(viewers) > 0.85

    strategies = _strategies_by_viewer(result)
    assert {"personalised", "popularity"} <= set().union(*strategies.values())
    for viewer, used in strategies.items():
        expected = "popularity" if arm_of(viewer) == "popularity" else "personalised"
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

    arms = summarise(ledger, np.array([0, 0]), seed=1)

    assert arms[ARMS[0]].metrics["ctr"].value == pytest.approx(10 / 40)
    assert arms[ARMS[1]].viewers == 0
