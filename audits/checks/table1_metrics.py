"""Table 1 metrics (clause 8.1) as checks read them, from one ``compute_table1``.

The quality predicate of the ecosystem metrics is written down here once: a live
room is quality content when its anchor's measured persona (clause 5.2.2:
professionalism, clarity, interactivity) averages at least ``QUALITY_PERSONA``; a
product is when a quality room sells it; a merchant is when it runs one.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from audits.checks.registry import (
    AuditContext,
    Measurement,
    MetricUnavailable,
    metric,
)
from audits.metrics.loaders import Period, viewer_counts
from audits.metrics.table1 import compute_table1
from recengine.models import EventKind, LiveRoom, Product

QUALITY_PERSONA = 0.6
BOOTSTRAP_DRAWS = 300
SEED = 20260301


def quality_rooms() -> QuerySet[LiveRoom]:
    return LiveRoom.objects.annotate(
        persona_mean=(
            F("anchor__persona__professionalism")
            + F("anchor__persona__clarity")
            + F("anchor__persona__interactivity")
        )
        / 3.0
    ).filter(persona_mean__gte=QUALITY_PERSONA)


def quality_sets() -> tuple[set[tuple[str, int]], set[int]]:
    rooms = quality_rooms()
    room_ids = set(rooms.values_list("pk", flat=True))
    product_ids = set(
        Product.objects.filter(rooms__in=rooms).values_list("pk", flat=True)
    )
    content = {("room", pk) for pk in room_ids} | {
        ("product", pk) for pk in product_ids
    }
    merchants = set(rooms.exclude(merchant=None).values_list("merchant_id", flat=True))
    return content, merchants


def compute_for_context(context: AuditContext) -> dict[str, object]:
    content, merchants = quality_sets()
    results = compute_table1(
        context.period,
        quality_content=content,
        quality_merchants=merchants,
        n_boot=int(context.parameters.get("n_boot", BOOTSTRAP_DRAWS)),
        seed=SEED,
        exposures=context.exposures,
        counts=context.scan("viewer_counts", viewer_counts),
        lists=context.list_diversity,
    )
    results["daily"] = context.scan("daily_shares", daily_exposure_shares)
    return results


def daily_exposure_shares(period: Period) -> list[dict[str, Any]]:
    """Exposures per local day and the share that went to quality content."""
    rooms = quality_rooms().values("pk")
    products = Product.objects.filter(rooms__in=quality_rooms()).values("pk")
    quality = Q(product__in=products) | Q(product__isnull=True, room__in=rooms)
    rows = (
        period.events()
        .filter(kind=EventKind.IMPRESSION)
        .annotate(day=TruncDate("occurred_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(exposures=Count("id"), quality=Count("id", filter=quality))
        .order_by("day")
    )
    return [
        {
            "day": _day(row["day"]),
            "exposures": row["exposures"],
            "quality_share": row["quality"] / row["exposures"],
        }
        for row in rows
        if row["exposures"]
    ]


def _day(value: dt.date | str) -> str:
    return value if isinstance(value, str) else value.isoformat()


def _finite(value: float, what: str) -> float:
    if value is None or math.isnan(value):
        raise MetricUnavailable(f"no data for {what} in the period")
    return float(value)


def _totals(context: AuditContext) -> dict[str, Any]:
    return context.table1["totals"]


def _rate(name: str, sample_key: str, query: str):
    def measure(context: AuditContext, check: dict[str, Any]) -> Measurement:
        value = _finite(context.table1[name], name)
        return Measurement(value, int(_totals(context)[sample_key]), query)

    return measure


for _name, _sample, _query in (
    ("ux.dwell_seconds_mean", "dwell_events", "mean dwell_seconds of dwell events"),
    ("ux.interaction_rate", "exposures", "interaction events / impressions"),
    ("ux.negative_feedback_rate", "exposures", "not-interested events / impressions"),
    ("ux.intra_list_diversity", "lists", "category diversity of served lists"),
    ("ux.satisfaction_proxy", "exposures", "net positive signals / impressions"),
    ("business.ctr", "exposures", "clicks / impressions"),
    ("business.cvr", "clicks", "orders / clicks"),
    ("business.gmv", "orders", "sum of order amounts"),
    ("business.roi", "exposures", "GMV / (impressions x cost per exposure)"),
    ("ecosystem.category_coverage", "exposures", "categories exposed / eligible"),
):
    metric(_name)(_rate(_name, _sample, _query))


def _quality(name: str, what: str):
    def measure(context: AuditContext, check: dict[str, Any]) -> Measurement:
        share = context.table1[name]
        if not share["supply_share"]:
            raise MetricUnavailable(
                "no quality content known: no anchor persona has been measured"
            )
        lift = _finite(share["lift"], name)
        query = (
            f"exposures of quality {what} / all exposures, divided by their share "
            f"of supply; quality: anchor persona mean >= {QUALITY_PERSONA}"
        )
        return Measurement(lift, int(share["exposures"]), query, detail=share)

    return measure


metric("ecosystem.quality_content_exposure_lift")(
    _quality("ecosystem.quality_content_exposure_lift", "rooms and products")
)
metric("ecosystem.quality_merchant_exposure_lift")(
    _quality("ecosystem.quality_merchant_exposure_lift", "merchants")
)


def _cold_start(name: str, entity: str):
    def measure(context: AuditContext, check: dict[str, Any]) -> Measurement:
        outcome = context.table1[name]
        if not outcome["cohort"]:
            raise MetricUnavailable(f"no new {entity} whose window ends in the period")
        query = (
            f"new {entity} reaching {outcome['k_exposures']} exposures or a first "
            f"order within {outcome['within_days']} days"
        )
        return Measurement(outcome["rate"], outcome["cohort"], query, detail=outcome)

    return measure


metric("ecosystem.cold_start_success_anchors")(
    _cold_start("ecosystem.cold_start_success_anchors", "anchors")
)
metric("ecosystem.cold_start_success_merchants")(
    _cold_start("ecosystem.cold_start_success_merchants", "merchants")
)


@metric("fairness.traffic_gini")
def traffic_gini(context: AuditContext, check: dict[str, Any]) -> Measurement:
    traffic = context.table1["fairness.traffic_gini"]
    value = _finite(traffic["gini"], "traffic Gini")
    return Measurement(
        value,
        traffic["merchants"],
        "Gini of exposures over all eligible merchants, zeros included",
        detail=traffic,
    )


def _group(name: str):
    def measure(context: AuditContext, check: dict[str, Any]) -> Measurement:
        grouping = check.get("grouping", "").removeprefix("viewer.")
        comparisons = context.table1[f"fairness.group_ratio.{name}"]
        if grouping not in comparisons:
            raise MetricUnavailable(f"no grouping {grouping}")
        comparison = comparisons[grouping]
        value = _finite(comparison["ratio"], f"{name} by {grouping}")
        query = f"min/max ratio of {name} across viewer {grouping} groups"
        sample = int(sum(comparison["viewers"].values()))
        return Measurement(value, sample, query, detail=comparison)

    return measure


for _metric_name in ("ctr", "cvr", "satisfaction", "diversity"):
    metric(f"fairness.group_ratio.{_metric_name}")(_group(_metric_name))
