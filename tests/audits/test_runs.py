"""Audit runs: synchronous command, Celery task, idempotence, interruption,
applicability, expired evidence and remediation carried forward."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.utils import timezone

from audits.models import (
    AuditRun,
    ClauseResult,
    EvidenceRevision,
    Finding,
    Report,
    RunStatus,
)
from audits.services import runs as run_service
from audits.services.evidence import (
    add_evidence,
    open_remediation,
    set_applicability,
    update_remediation,
)
from audits.services.runs import AuditError, execute_run, request_audit

pytestmark = pytest.mark.django_db

START, END = dt.date(2026, 2, 20), dt.date(2026, 3, 9)


def _run(actor=None, **kwargs) -> AuditRun:
    return request_audit(actor=actor, start=START, end=END, enqueue=False, **kwargs)


def test_run_audit_command_prints_the_report_id(platform):
    out = StringIO()
    call_command(
        "run_audit", "--start", "2026-02-20", "--end", "2026-03-09", stdout=out
    )

    report = Report.objects.get()
    assert out.getvalue().strip() == str(report.pk)
    assert report.run.status == RunStatus.DONE
    assert report.run.progress.percent == 100
    assert Finding.objects.filter(run=report.run).count() == 54
    assert report.document["cover"]["period"] == {
        "start": "2026-02-20",
        "end": "2026-03-09",
    }


def test_run_audit_command_refuses_a_bad_period(db):
    with pytest.raises(CommandError, match="ends before it starts"):
        call_command("run_audit", "--start", "2026-03-09", "--end", "2026-03-01")
    with pytest.raises(CommandError, match="not a date"):
        call_command("run_audit", "--start", "March", "--end", "2026-03-01")


def test_a_second_delivery_of_a_finished_run_writes_nothing(platform):
    run = _run()
    first = execute_run(run.pk)
    findings = Finding.objects.count()

    assert execute_run(run.pk) == first
    assert Finding.objects.count() == findings
    assert Report.objects.count() == 1


def test_a_worker_killed_before_storing_leaves_no_half_report(platform, monkeypatch):
    run = _run()

    def killed(run_id, computed):
        raise SystemExit("worker lost")

    monkeypatch.setattr(run_service, "_store", killed)
    with pytest.raises(SystemExit):
        execute_run(run.pk)
    assert Finding.objects.count() == ClauseResult.objects.count() == 0
    assert Report.objects.count() == 0

    monkeypatch.undo()
    report_id = execute_run(run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    assert run.progress.attempts == 2
    assert list(Report.objects.values_list("pk", flat=True)) == [report_id]


def test_a_run_that_fails_is_marked_failed_with_the_error(platform, monkeypatch):
    run = _run()

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(run_service, "compute", broken)
    with pytest.raises(RuntimeError):
        execute_run(run.pk)
    run.refresh_from_db()
    assert (run.status, run.error) == (RunStatus.FAILED, "database went away")


@override_settings(CELERY_TASK_ALWAYS_EAGER=True)
def test_a_requested_audit_runs_as_a_celery_task(
    platform, compliance_officer, django_capture_on_commit_callbacks
):
    from console.celery import app

    app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            run = request_audit(actor=compliance_officer, start=START, end=END)
    finally:
        app.conf.task_always_eager = False

    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    history = list(run.history.order_by("history_date"))
    assert history[0].history_user == compliance_officer
    assert "clause 8.2.1" in history[0].history_change_reason


def test_the_period_must_be_over(db):
    today = timezone.localdate()
    with pytest.raises(AuditError, match="before today"):
        request_audit(actor=None, start=today, end=today, enqueue=False)


def _conclusion(run: AuditRun, number: str) -> ClauseResult:
    return ClauseResult.objects.get(run=run, clause__number=number)


def test_a_clause_declared_not_applicable_is_excluded(platform, compliance_officer):
    set_applicability(
        actor=compliance_officer,
        clause_number="6.4.2",
        applicable=False,
        justification="No AI avatars of real people on this platform.",
    )
    run = _run()
    report = Report.objects.get(pk=execute_run(run.pk))

    assert _conclusion(run, "6.4.2").conclusion == "not_applicable"
    assert not Finding.objects.filter(run=run, clause__number="6.4.2").exists()
    assert report.document["scope"]["exclusions"] == [
        {
            "clause": "6.4.2",
            "justification": "No AI avatars of real people on this platform.",
        }
    ]


def test_expired_evidence_makes_its_clause_not_assessed(platform, compliance_officer):
    # Clause 8.2.3 has no automated check: only its attestation decides.
    def attest(expires_on: dt.date) -> EvidenceRevision:
        return add_evidence(
            actor=compliance_officer,
            attestation_id="external-input",
            clause_number="8.2.3",
            owner=compliance_officer,
            effective_from=dt.date(2026, 1, 1),
            expires_on=expires_on,
            link="https://intranet.example/logs-policy",
        )

    attest(dt.date(2026, 3, 1))
    expired = _run()
    execute_run(expired.pk)
    result = _conclusion(expired, "8.2.3")
    assert (result.conclusion, result.reason) == ("not_assessed", "evidence expired")

    revision = attest(dt.date(2027, 1, 1))
    assert revision.revision == 2
    renewed = _run()
    execute_run(renewed.pk)
    assert _conclusion(renewed, "8.2.3").conclusion != "not_assessed"


def test_remediation_is_carried_into_the_next_audit_until_closed(
    platform, compliance_officer
):
    first = _run()
    execute_run(first.pk)
    failed = Finding.objects.filter(run=first, status="fail").first()
    item = open_remediation(
        actor=compliance_officer,
        finding=failed,
        action="Fix it",
        owner=compliance_officer,
        due_date=dt.date(2026, 6, 30),
    )

    second = _run()
    report = Report.objects.get(pk=execute_run(second.pk))
    assert [row["id"] for row in report.document["remediation"]] == [item.pk]
    assert report.document["remediation"][0]["from_run"] == first.pk

    update_remediation(actor=compliance_officer, item=item, status="closed")
    third = _run()
    report = Report.objects.get(pk=execute_run(third.pk))
    assert report.document["remediation"] == []
    assert item.history.first().history_change_reason.startswith("clause 8.2.3")


def test_the_trend_compares_with_the_previous_audit(platform):
    first = _run()
    execute_run(first.pk)
    second = _run()
    report = Report.objects.get(pk=execute_run(second.pk))

    trend = report.document["summary"]["trend"]
    assert trend["previous_run_id"] == first.pk
    assert trend["previous_conclusions"] == report.document["summary"]["conclusions"]
    assert trend["changed"] == []
