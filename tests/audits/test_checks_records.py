"""Checks on the platform's records: each fails on a planted violation and passes
on the same data without it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from audits.checks.evaluate import evaluate
from audits.checks.platform_metrics import governed_models
from audits.checks.registry import AuditContext
from audits.models import AuditRun, Report, ReportStatus
from audits.services.runs import current_catalogue
from recengine.features import datasets
from recengine.models import (
    AnchorPersona,
    EventKind,
    InterestTag,
    Merchant,
    ModelStatus,
    ModelVersion,
    RankingConfig,
    ServingLatency,
    Viewer,
)
from recengine.models.serving_stats import BUCKETS, LATENCY_EDGES_MS, bucket_of
from tests.conftest import PLATFORM_NOW

pytestmark = pytest.mark.django_db


def _statuses(spec, context) -> tuple[str, float | None]:
    outcome = evaluate(spec, context)
    value = outcome.measurement.value if outcome.measurement else None
    return outcome.status, value


# -- data protection (clause 7) -------------------------------------------------


def test_every_field_graded_passes_and_fails_on_an_ungraded_field(
    context, catalogue_check, monkeypatch
):
    spec = catalogue_check("every-field-graded")
    assert _statuses(spec, context) == ("pass", 0)

    grades = dict(Viewer.DATA_CLASSIFICATION)
    del grades["region"]
    monkeypatch.setattr(Viewer, "DATA_CLASSIFICATION", grades)

    outcome = evaluate(spec, context)
    assert outcome.status == "fail"
    assert outcome.measurement.sample_ids == ["recengine.Viewer.region"]


def test_personal_data_in_features_fails_on_a_declared_identity_field(
    context, catalogue_check, monkeypatch, platform
):
    spec = catalogue_check("no-personal-data-in-features")
    assert _statuses(spec, context) == ("pass", 0)

    declared = datasets.declared_fields()
    planted = declared | {"contact": {"recengine.ViewerIdentity": ("phone",)}}
    monkeypatch.setattr(datasets, "declared_fields", lambda: planted)

    outcome = evaluate(spec, context)
    assert outcome.status == "fail"
    assert "recengine.ViewerIdentity.phone" in outcome.measurement.sample_ids[0]


def test_personal_data_in_features_sees_a_mobile_number_in_the_catalogue(
    context, catalogue_check, platform
):
    product = platform.products[0]
    product.external_id = "13912345678"
    product.save()

    outcome = evaluate(catalogue_check("no-personal-data-in-features"), context)
    assert outcome.status == "fail"
    assert "mobile" in outcome.measurement.sample_ids[0]


def test_log_retention_fails_when_an_old_platform_kept_only_recent_events(
    context, catalogue_check, platform, make_event
):
    spec = catalogue_check("log-retention")
    Merchant.objects.filter(pk=platform.merchants[0].pk).update(
        created_at=PLATFORM_NOW - dt.timedelta(days=400)
    )
    status, kept = _statuses(spec, context)
    assert status == "fail"
    assert kept == pytest.approx(20, abs=0.01)

    make_event(
        EventKind.IMPRESSION,
        PLATFORM_NOW - dt.timedelta(days=200),
        platform.viewers[0],
        room=platform.rooms[0],
    )
    assert _statuses(spec, context)[0] == "pass"


def test_log_retention_is_not_assessed_on_a_young_platform(
    context, catalogue_check, platform
):
    outcome = evaluate(catalogue_check("log-retention"), context)
    assert outcome.status == "not_assessed"
    assert "younger than 180" in outcome.reason


# -- model lifecycle (clause 8.2.2) -------------------------------------------------


def _model(version: str, **fields) -> ModelVersion:
    defaults = {
        "created_at": PLATFORM_NOW - dt.timedelta(days=9),
        "window_start": PLATFORM_NOW - dt.timedelta(days=23),
        "window_end": PLATFORM_NOW - dt.timedelta(days=9),
        "artifact": f"models/{version}",
        "artifact_sha256": "0" * 64,
    }
    return ModelVersion.objects.create(version=version, **(defaults | fields))


def test_only_evaluated_and_approved_models_serve(
    context, catalogue_check, platform, make_event, compliance_officer
):
    spec = catalogue_check("approved-models-only")
    _model(
        "m-approved",
        status=ModelStatus.ACTIVE,
        evaluation={"ndcg@10": 0.4},
        activated_by=compliance_officer,
        activated_at=PLATFORM_NOW - dt.timedelta(days=8),
    )
    _model("m-unapproved")
    viewer, room = platform.viewers[0], platform.rooms[0]
    at = PLATFORM_NOW - dt.timedelta(days=2)
    make_event(EventKind.IMPRESSION, at, viewer, room=room, model_version="m-approved")
    assert _statuses(spec, context) == ("pass", 0)

    make_event(
        EventKind.IMPRESSION, at, viewer, room=room, model_version="m-unapproved"
    )
    make_event(EventKind.IMPRESSION, at, viewer, room=room, model_version="m-unknown")

    # A context reads the period's exposures once, as one audit run does.
    context = AuditContext(period=context.period, now=context.now)
    outcome = evaluate(spec, context)
    assert outcome.status == "fail"
    assert outcome.measurement.sample_ids == ["m-unapproved", "m-unknown"]


# -- integrity of the governance history (clause 4.1) ---------------------------------


def _record_seeded_taxonomy() -> None:
    # The taxonomy is seeded by a migration, which writes no history rows.
    InterestTag.history.bulk_history_create(
        list(InterestTag.objects.all()), default_change_reason="seed"
    )


def test_history_completeness_fails_on_a_write_around_the_history(
    context, catalogue_check, platform
):
    _record_seeded_taxonomy()
    spec = catalogue_check("integrity-governed-changes-recorded")
    assert _statuses(spec, context) == ("pass", 0)

    merchant = platform.merchants[1]
    Merchant.objects.filter(pk=merchant.pk).update(name="renamed quietly")

    outcome = evaluate(spec, context)
    assert outcome.status == "fail"
    assert outcome.measurement.sample_ids == [f"recengine.Merchant:{merchant.pk}"]


def test_history_completeness_sees_rows_created_without_history(
    context, catalogue_check, platform
):
    _record_seeded_taxonomy()
    Merchant.objects.bulk_create(
        [Merchant(external_id="m-x", name="no record", created_at=PLATFORM_NOW)]
    )
    outcome = evaluate(catalogue_check("integrity-governed-changes-recorded"), context)
    assert outcome.status == "fail"
    assert outcome.measurement.value == 1


def test_history_completeness_covers_the_governed_models():
    labels = {model._meta.label for model in governed_models()}
    assert {"recengine.Merchant", "recengine.Viewer", "audits.Report"} <= labels


# -- provenance, ranking weights, personas (clauses 5.1, 5.2.2, 5.4.2) ---------------


def test_exposure_provenance_fails_on_exposures_without_versions(
    context, catalogue_check, platform, make_event
):
    spec = catalogue_check("exposure-provenance", min_sample=1)
    outcome = evaluate(spec, context)
    assert outcome.status == "fail"
    assert outcome.measurement.value == 0
    assert "fx-0000" in outcome.measurement.sample_ids


def test_exposure_provenance_passes_when_every_exposure_names_its_versions(
    context, catalogue_check, viewer, platform, make_event
):
    context.period = context.period.__class__(
        PLATFORM_NOW + dt.timedelta(hours=1), PLATFORM_NOW + dt.timedelta(days=1)
    )
    for hour in (2, 3):
        make_event(
            EventKind.IMPRESSION,
            PLATFORM_NOW + dt.timedelta(hours=hour),
            viewer,
            room=platform.rooms[0],
        )
    spec = catalogue_check("exposure-provenance", min_sample=1)
    assert _statuses(spec, context) == ("pass", 1.0)


def test_noncommercial_weight_share(context, catalogue_check, compliance_officer):
    spec = catalogue_check("non-commercial-weight")
    assert _statuses(spec, context) == ("pass", pytest.approx(0.5))

    RankingConfig.objects.create(
        version=2,
        weights={"ctr": 0.7, "cvr": 0.25, "quality": 0.05},
        rerank={},
        created_at=PLATFORM_NOW - dt.timedelta(days=3),
        created_by=compliance_officer,
        reason="growth push",
    )
    assert _statuses(spec, context) == ("fail", pytest.approx(0.05))


def test_anchor_persona_coverage(context, catalogue_check, platform):
    spec = catalogue_check("anchor-persona-coverage", min_sample=1)
    assert _statuses(spec, context) == ("fail", 0.0)

    for anchor in platform.anchors:
        AnchorPersona.objects.create(
            anchor=anchor,
            professionalism=0.8,
            clarity=0.7,
            interactivity=0.6,
            model_version="persona-1",
            computed_at=PLATFORM_NOW,
        )
    assert _statuses(spec, context) == ("pass", 1.0)


# -- serving latency (clause 5.5) ---------------------------------------------------


def _latency(minutes_ago: int, scene: str, answers: dict[float, int]) -> None:
    """One process's histogram of one minute; ``answers``: milliseconds -> count."""
    buckets = [0] * BUCKETS
    for ms, count in answers.items():
        buckets[bucket_of(ms)] += count
    ServingLatency.objects.create(
        minute=(PLATFORM_NOW - dt.timedelta(minutes=minutes_ago)).replace(second=0),
        scene=scene,
        strategy="personalised",
        count=sum(answers.values()),
        total_ms=sum(ms * count for ms, count in answers.items()),
        max_ms=max(answers),
        buckets=buckets,
    )


def test_latency_p99_passes_when_one_answer_in_a_hundred_is_slow(
    context, catalogue_check
):
    # Two processes wrote the same minute; the rows of the period add up.
    _latency(10, "live_feed", {20.0: 500})
    _latency(10, "live_feed", {20.0: 290, 900.0: 5})
    _latency(9, "product_feed", {20.0: 200, 900.0: 5})

    outcome = evaluate(catalogue_check("recommendation-latency"), context)

    fast = LATENCY_EDGES_MS[bucket_of(20.0)]
    assert (outcome.status, outcome.measurement.value) == ("pass", fast)
    assert outcome.measurement.sample == 1000
    detail = outcome.measurement.detail
    assert (detail["minutes"], detail["max_ms"], detail["p50_ms"]) == (2, 900.0, fast)
    assert detail["mean_ms"] == pytest.approx((990 * 20 + 10 * 900) / 1000)
    # 5 of 205 product-feed answers are slow: more than 1%, so its p99 is slow.
    assert detail["p99_ms_by_scene"] == {"live_feed": fast, "product_feed": 900.0}
    assert detail["requests_by_scene"] == {"live_feed": 795, "product_feed": 205}


def test_latency_p99_fails_when_two_answers_in_a_hundred_are_slow(
    context, catalogue_check
):
    _latency(5, "live_feed", {20.0: 980, 300.0: 20, 900.0: 1})

    outcome = evaluate(catalogue_check("recommendation-latency"), context)

    slow = LATENCY_EDGES_MS[bucket_of(300.0)]
    assert (outcome.status, outcome.measurement.value) == ("fail", slow)
    assert 300 <= slow < 330
    assert outcome.reason == "<= 200"


def test_latency_p99_is_not_assessed_without_enough_recorded_answers(
    context, catalogue_check
):
    spec = catalogue_check("recommendation-latency")
    # Answered after the period: not part of it.
    _latency(-60, "live_feed", {20.0: 5000})

    outcome = evaluate(spec, context)
    assert outcome.status == "not_assessed"
    assert outcome.reason == "no recommendation request was recorded in the period"

    _latency(30, "live_feed", {20.0: 500})
    outcome = evaluate(spec, context)
    assert outcome.status == "not_assessed"
    assert outcome.reason == "sample below minimum (500 < 1000)"


# -- audit cadence (clause 8.2.1) ---------------------------------------------------


def _final_report(days_ago: int) -> Report:
    run = AuditRun.objects.create(
        kind="full",
        period_start=dt.date(2025, 10, 1),
        period_end=dt.date(2025, 10, 31),
        catalogue=current_catalogue(),
        requested_at=timezone.now(),
    )
    return Report.objects.create(
        run=run,
        status=ReportStatus.FINAL,
        document={},
        content_sha256="a" * 64,
        generated_at=PLATFORM_NOW - dt.timedelta(days=days_ago),
        signed_at=PLATFORM_NOW - dt.timedelta(days=days_ago),
    )


def test_audit_cadence(context, catalogue_check):
    spec = catalogue_check("audit-cadence")
    assert evaluate(spec, context).reason == "no earlier final report"

    _final_report(days_ago=120)
    assert _statuses(spec, context) == ("fail", 120)

    _final_report(days_ago=10)
    assert _statuses(spec, context) == ("pass", 10)
