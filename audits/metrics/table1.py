"""All metrics of Table 1 for one period, as one plain dictionary a report reads."""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import asdict

from audits.metrics import business, ecosystem, experience, inequality
from audits.metrics.fairness import GROUP_METRICS, compare_metrics
from audits.metrics.loaders import (
    Period,
    category_sets,
    cold_start_cohort,
    content_exposures,
    event_totals,
    item_exposures,
    merchant_exposures,
    viewer_counts,
    viewer_frame,
)

logger = logging.getLogger(__name__)

GROUPINGS = ("spending_level", "region")


def compute_table1(
    period: Period,
    *,
    quality_content: Collection[tuple[str, int]] = (),
    quality_merchants: Collection[int] = (),
    violations: tuple[int, int] | None = None,
    cost_per_exposure: float = business.DEFAULT_COST_PER_EXPOSURE,
    k_exposures: int = 100,
    within_days: int = 7,
    n_boot: int = 500,
    seed: int = 0,
    exposures=None,
    lists=None,
    counts=None,
) -> dict[str, object]:
    """Every Table 1 metric keyed by its id in ``DEFINITIONS``.

    ``quality_content`` and ``quality_merchants`` are the ids the audit's quality
    predicate accepts; ``violations`` is (intercepted, confirmed) from moderation,
    and the interception rate is left out when moderation supplies no counts.
    ``exposures`` is the period's ``exposure_summary``, ``lists`` its
    ``list_diversity_by_viewer`` and ``counts`` its ``viewer_counts`` when the
    caller has them.
    """
    # Three grouped scans of the period's events (per viewer, per served list,
    # per shown item) feed every metric but cold start, which reads its own windows.
    counts = viewer_counts(period) if counts is None else counts
    totals = event_totals(period, counts)
    viewers = viewer_frame(period, counts, lists)
    items = item_exposures(period, exposures)
    merchants = merchant_exposures(period, items)

    # The totals travel along: checks need the sample a rate rests on.
    lists = int(viewers["lists"].sum()) if len(viewers) else 0
    results: dict[str, object] = {"totals": totals | {"lists": lists}}
    results |= _experience(totals, viewers)
    results |= _business(totals, cost_per_exposure)
    results |= _quality(period, items, merchants, quality_content, quality_merchants)
    results |= _ecosystem(period, items, violations, k_exposures, within_days)
    results |= _fairness(merchants.to_numpy(), viewers, n_boot, seed)

    logger.info(
        "Computed Table 1 metrics",
        extra={"start": period.start.isoformat(), "end": period.end.isoformat()},
    )
    return results


def _experience(totals: dict, viewers) -> dict[str, object]:
    lists = viewers["lists"].sum() if len(viewers) else 0
    diversity = viewers["diversity_sum"].sum() / lists if lists else float("nan")
    return {
        "ux.dwell_seconds_mean": _number(totals["dwell_mean"]),
        "ux.interaction_rate": experience.interaction_rate(
            totals["interactions"], totals["exposures"]
        ),
        "ux.negative_feedback_rate": experience.negative_feedback_rate(
            totals["not_interested"], totals["exposures"]
        ),
        "ux.intra_list_diversity": float(diversity),
        "ux.satisfaction_proxy": experience.satisfaction_proxy(
            totals["positives"], totals["not_interested"], totals["exposures"]
        ),
    }


def _number(value: float | None) -> float:
    return float("nan") if value is None else float(value)


def _business(totals: dict, cost_per_exposure: float) -> dict[str, object]:
    return {
        "business.ctr": business.ctr(totals["clicks"], totals["exposures"]),
        "business.cvr": business.cvr(totals["orders"], totals["clicks"]),
        "business.gmv": business.gmv(totals["gmv"]),
        "business.roi": business.roi(
            totals["gmv"], totals["exposures"], cost_per_exposure
        ),
    }


def _quality(
    period: Period,
    items,
    merchants,
    quality_content: Collection[tuple[str, int]],
    quality_merchants: Collection[int],
) -> dict[str, object]:
    content = content_exposures(period, items)
    return {
        "ecosystem.quality_content_exposure_lift": asdict(
            ecosystem.quality_exposure_share(content, quality_content)
        ),
        "ecosystem.quality_merchant_exposure_lift": asdict(
            ecosystem.quality_exposure_share(merchants, quality_merchants)
        ),
    }


def _ecosystem(
    period: Period,
    items,
    violations: tuple[int, int] | None,
    k_exposures: int,
    within_days: int,
) -> dict[str, object]:
    exposed, eligible = category_sets(period, items)
    results: dict[str, object] = {
        "ecosystem.category_coverage": ecosystem.category_coverage(exposed, eligible),
    }
    for entity in ("anchor", "merchant"):
        cohort = cold_start_cohort(period, entity, within_days)
        outcome = ecosystem.cold_start_success(cohort, k_exposures)
        results[f"ecosystem.cold_start_success_{entity}s"] = asdict(outcome) | {
            "k_exposures": k_exposures,
            "within_days": within_days,
        }
    if violations is not None:
        results["ecosystem.violation_interception_rate"] = (
            ecosystem.violation_interception_rate(*violations)
        )
    return results


def _traffic(merchants) -> dict[str, object]:
    if merchants.size == 0:
        nan = float("nan")
        return {
            "gini": nan,
            "merchants": 0,
            "top_1_percent_share": nan,
            "top_10_percent_share": nan,
            "lorenz": {"population": [], "traffic": []},
        }
    population, traffic = inequality.lorenz_curve(merchants)
    return {
        "gini": inequality.gini(merchants),
        "merchants": int(merchants.size),
        "top_1_percent_share": inequality.top_share(merchants, 0.01),
        "top_10_percent_share": inequality.top_share(merchants, 0.10),
        "lorenz": {"population": population.tolist(), "traffic": traffic.tolist()},
    }


def _fairness(merchants, viewers, n_boot: int, seed: int) -> dict[str, object]:
    results: dict[str, object] = {"fairness.traffic_gini": _traffic(merchants)}
    by_grouping = {
        grouping: compare_metrics(
            viewers, grouping, GROUP_METRICS, n_boot=n_boot, seed=seed
        )
        for grouping in GROUPINGS
    }
    for name in GROUP_METRICS:
        results[f"fairness.group_ratio.{name}"] = {
            grouping: asdict(compared[name])
            for grouping, compared in by_grouping.items()
        }
    return results
