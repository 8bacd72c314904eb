"""Checks on the platform's own records: data protection, lifecycle, integrity,
provenance of exposures, serving latency, ranking weights, anchor personas and
audit cadence."""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pandas as pd
from django.db.models import Count, Max, Min, Q, QuerySet, Sum

from audits.checks.registry import (
    AuditContext,
    Measurement,
    MetricUnavailable,
    metric,
    sample_event_ids,
)
from audits.models import Report, ReportStatus
from recengine import classification
from recengine.engine import readers
from recengine.features import datasets
from recengine.features.privacy import (
    PrivacyViolation,
    check_path,
    scan_for_personal_data,
)
from recengine.models import (
    Anchor,
    AnchorPersona,
    Event,
    EventKind,
    LiveRoom,
    Merchant,
    ModelStatus,
    ModelVersion,
    RankingConfig,
    ServingLatency,
    Viewer,
)
from recengine.models.serving_stats import BUCKETS, percentile_ms
from recengine.ranking.objectives import OBJECTIVES, ObjectiveWeights
from recengine.serving.baseline import PopularityBaseline

# Network logs are kept at least six months (网络安全法 Art. 21, clause 7.4).
RETENTION_DAYS = 180
NON_COMMERCIAL = ("quality", "satisfaction", "merchant_health")
# Latency rows summed per block, so that a long period is never in memory at once.
LATENCY_BLOCK_ROWS = 5_000


@metric("data.ungraded_fields")
def ungraded_fields(context: AuditContext, check: dict[str, Any]) -> Measurement:
    missing = classification.ungraded_fields()
    stored = sum(
        len(classification.stored_field_names(model))
        for model in classification.graded_models()
    )
    return Measurement(
        len(missing),
        stored,
        "stored fields of project models without DATA_CLASSIFICATION",
        sample_ids=missing,
    )


def feature_declarations() -> dict[str, dict[str, tuple[str, ...]]]:
    """Every feature builder's allow-list, the engine's readers included."""
    return datasets.declared_fields() | {"engine": readers.ENGINE_FIELDS}


@metric("data.personal_fields_in_features")
def personal_fields_in_features(
    context: AuditContext, check: dict[str, Any]
) -> Measurement:
    offending, declared = [], 0
    for builder, fields in feature_declarations().items():
        for label, paths in fields.items():
            for path in paths:
                declared += 1
                try:
                    check_path(label, path)
                except PrivacyViolation as error:
                    offending.append(f"{builder}: {label}.{path} ({error})")

    # The declarations are re-checked; the catalogue frames the engine reads are
    # scanned too, since a personal number can hide in any column.
    frames = {
        "rooms": readers.rooms(context.period.end),
        "products": readers.products(context.period.end),
    }
    for name, frame in frames.items():
        offending += [
            f"{f.location}: {f.kind} {f.excerpt}"
            for f in scan_for_personal_data(frame, name)
        ]
    return Measurement(
        len(offending),
        declared,
        "declared feature fields graded sensitive or ungraded, and personal "
        "numbers found in the catalogue frames the engine reads",
        sample_ids=offending,
    )


@metric("data.log_retention_days")
def log_retention_days(context: AuditContext, check: dict[str, Any]) -> Measurement:
    started = platform_started()
    if started is None:
        raise MetricUnavailable("the platform holds no merchant, anchor or viewer")
    age = (context.now - started).total_seconds() / 86400
    if age < RETENTION_DAYS:
        # A platform younger than the retention period cannot show it either way.
        raise MetricUnavailable(
            f"the platform is {age:.0f} days old, younger than {RETENTION_DAYS}"
        )
    oldest = Event.objects.aggregate(oldest=Min("occurred_at"))["oldest"]
    kept = (context.now - oldest).total_seconds() / 86400 if oldest else 0.0
    return Measurement(
        kept,
        1,
        "age in days of the oldest logged event, on a platform older than the "
        "retention period",
        detail={"platform_age_days": age},
    )


def platform_started():
    """When the first merchant, anchor or viewer was registered."""
    firsts = [
        model.objects.aggregate(first=Min("created_at"))["first"]
        for model in (Merchant, Anchor, Viewer)
    ]
    firsts = [first for first in firsts if first is not None]
    return min(firsts) if firsts else None


@metric("lifecycle.unapproved_serving_versions")
def unapproved_serving_versions(
    context: AuditContext, check: dict[str, Any]
) -> Measurement:
    named = set(context.exposures["model_version"].unique()) - {""}
    served = sorted(named - {PopularityBaseline.model_version})
    known = {m.version: m for m in ModelVersion.objects.filter(version__in=served)}
    offending = [
        version for version in served if not _approved(known.get(version), context)
    ]
    return Measurement(
        len(offending),
        len(served),
        "model versions named by exposures in the period that are unknown, "
        "unevaluated, never activated by a person, or retired",
        sample_ids=offending,
    )


def _approved(model: ModelVersion | None, context: AuditContext) -> bool:
    if model is None or not model.evaluation or model.activated_by_id is None:
        return False
    if model.status != ModelStatus.RETIRED:
        return True
    retired = (
        model.history.filter(status=ModelStatus.RETIRED)
        .order_by("history_date")
        .values_list("history_date", flat=True)
        .first()
    )
    # A retired version may have served before it was retired, never after.
    later = context.period.events().filter(
        kind=EventKind.IMPRESSION, model_version=model.version
    )
    return retired is not None and not later.filter(occurred_at__gte=retired).exists()


def governed_models() -> list[type]:
    return [
        model
        for model in classification.graded_models()
        if hasattr(model, "history") and hasattr(model.history, "model")
    ]


@metric("integrity.unrecorded_governed_changes")
def unrecorded_governed_changes(
    context: AuditContext, check: dict[str, Any]
) -> Measurement:
    offending, rows = [], 0
    for model in governed_models():
        count, ids = _unrecorded(model)
        rows += count
        offending += [f"{model._meta.label}:{pk}" for pk in ids]
    return Measurement(
        len(offending),
        rows,
        "governed rows with no history record, or whose current values differ "
        "from their latest history record (a write around the history)",
        sample_ids=offending,
    )


def _unrecorded(model) -> tuple[int, list[int]]:
    historical = model.history.model
    tracked = [
        field.attname
        for field in historical._meta.concrete_fields
        if not field.attname.startswith("history_") and hasattr(model, field.attname)
    ]
    current = pd.DataFrame.from_records(
        list(model.objects.values_list(*tracked)), columns=tracked
    )
    latest = pd.DataFrame.from_records(
        list(
            historical.objects.order_by(
                "id", "-history_date", "-history_id"
            ).values_list(*tracked, "history_type")
        ),
        columns=[*tracked, "history_type"],
    ).drop_duplicates("id", keep="first")
    merged = current.merge(latest, on="id", how="left", suffixes=("", "__h"))

    missing = merged["history_type"].isna() | merged["history_type"].eq("-")
    changed = pd.Series(False, index=merged.index)
    for name in tracked:
        if name == "id":
            continue
        changed |= ~_same(merged[name], merged[f"{name}__h"])
    bad = merged.loc[missing | changed, "id"]
    return len(current), sorted(int(pk) for pk in bad)


def _same(left: pd.Series, right: pd.Series) -> pd.Series:
    both_missing = left.isna() & right.isna()
    return both_missing | (left.astype(str) == right.astype(str))


@metric("serving.exposure_provenance_share")
def exposure_provenance_share(
    context: AuditContext, check: dict[str, Any]
) -> Measurement:
    total = context.exposure_total
    if not total:
        raise MetricUnavailable("no exposures in the period")
    count = int(context.exposures["unprovenanced"].sum())
    missing = (
        context.period.events()
        .filter(kind=EventKind.IMPRESSION)
        .filter(Q(strategy="") | Q(model_version="") | Q(policy_version__isnull=True))
    )
    return Measurement(
        (total - count) / total,
        total,
        "impressions carrying strategy, model version and policy version",
        sample_ids=sample_event_ids(missing, count),
    )


@metric("serving.latency_p99_ms")
def latency_p99_ms(context: AuditContext, check: dict[str, Any]) -> Measurement:
    rows = ServingLatency.objects.filter(
        minute__gte=context.period.start, minute__lt=context.period.end
    )
    scenes = {
        entry["scene"]: entry
        for entry in rows.values("scene")
        .annotate(requests=Sum("count"), max_ms=Max("max_ms"))
        .order_by("scene")
    }
    if not scenes:
        raise MetricUnavailable("no recommendation request was recorded in the period")

    merged = {scene: _merged_buckets(rows.filter(scene=scene)) for scene in scenes}
    overall = np.sum(list(merged.values()), axis=0).tolist()
    slowest = max(entry["max_ms"] for entry in scenes.values())
    totals = rows.aggregate(
        total_ms=Sum("total_ms"), minutes=Count("minute", distinct=True)
    )
    requests = sum(overall)
    p50, p95, p99 = (percentile_ms(overall, q, slowest) for q in (0.5, 0.95, 0.99))
    return Measurement(
        p99,
        requests,
        "99th percentile of the recommendation endpoint's response time: the "
        "per-minute latency histograms of the period summed over processes, read "
        "as the upper edge of the 10% bucket where 99% of requests are reached",
        detail={
            "p50_ms": p50,
            "p95_ms": p95,
            "p99_ms": p99,
            "max_ms": slowest,
            "mean_ms": totals["total_ms"] / requests,
            "minutes": totals["minutes"],
            "p99_ms_by_scene": {
                scene: percentile_ms(merged[scene].tolist(), 0.99, entry["max_ms"])
                for scene, entry in scenes.items()
            },
            "requests_by_scene": {
                scene: entry["requests"] for scene, entry in scenes.items()
            },
        },
    )


def _merged_buckets(rows: QuerySet[ServingLatency]) -> np.ndarray:
    """Bucket counts of ``rows`` added up, one block of histograms at a time."""
    merged = np.zeros(BUCKETS, dtype=np.int64)
    histograms = (
        rows.values_list("buckets", flat=True)
        .order_by()
        .iterator(chunk_size=LATENCY_BLOCK_ROWS)
    )
    while block := list(itertools.islice(histograms, LATENCY_BLOCK_ROWS)):
        merged += np.asarray(block, dtype=np.int64).sum(axis=0)
    return merged


@metric("ranking.noncommercial_weight_share")
def noncommercial_weight_share(
    context: AuditContext, check: dict[str, Any]
) -> Measurement:
    config = (
        RankingConfig.objects.filter(created_at__lt=context.period.end)
        .order_by("-version")
        .first()
    )
    weights = config.weights if config else ObjectiveWeights().as_dict()
    total = sum(float(weights.get(name, 0)) for name in OBJECTIVES)
    if total <= 0:
        raise MetricUnavailable("ranking weights sum to zero")
    share = sum(float(weights.get(name, 0)) for name in NON_COMMERCIAL) / total
    source = f"ranking configuration v{config.version}" if config else "defaults"
    return Measurement(
        share,
        1,
        f"quality + satisfaction + merchant health weight / all weights ({source})",
        detail={"weights": weights},
    )


@metric("engine.anchor_persona_coverage")
def anchor_persona_coverage(
    context: AuditContext, check: dict[str, Any]
) -> Measurement:
    rooms = context.exposures["room_id"].dropna().astype("int64").unique().tolist()
    exposed = set(
        LiveRoom.objects.filter(pk__in=rooms)
        .exclude(anchor=None)
        .values_list("anchor", flat=True)
    )
    if not exposed:
        raise MetricUnavailable("no anchor was exposed in the period")
    with_persona = set(
        AnchorPersona.objects.filter(anchor__in=exposed).values_list(
            "anchor", flat=True
        )
    )
    without = sorted(exposed - with_persona)
    return Measurement(
        len(with_persona) / len(exposed),
        len(exposed),
        "exposed anchors with a measured persona / exposed anchors",
        sample_ids=without,
    )


@metric("audits.days_since_last_final_report")
def days_since_last_final_report(
    context: AuditContext, check: dict[str, Any]
) -> Measurement:
    latest = (
        Report.objects.filter(status=ReportStatus.FINAL, signed_at__lte=context.now)
        .exclude(run_id=context.run_id)
        .order_by("-signed_at")
        .first()
    )
    if latest is None:
        raise MetricUnavailable("no earlier final report")
    days = (context.now - latest.signed_at).total_seconds() / 86400
    return Measurement(
        math.floor(days),
        1,
        "days since the latest signed final report",
        sample_ids=[latest.pk],
    )
