"""The audit pages of the console: who may see and do what, and what they show."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from audits.models import (
    AccessAction,
    Applicability,
    AuditRun,
    EvidenceRevision,
    Finding,
    RemediationItem,
    Report,
    ReportAccess,
)
from audits.schedules import MONTHLY_FULL, ensure_audit_schedules
from audits.services.runs import execute_run, request_audit

pytestmark = pytest.mark.django_db

PERIOD = {"kind": "full", "start": "2026-02-20", "end": "2026-03-09"}


@pytest.fixture
def signed_in(client, persona_password):
    def sign_in(user):
        client.login(username=user.username, password=persona_password)
        return client

    return sign_in


@pytest.fixture
def report(platform, compliance_officer, settings, tmp_path) -> Report:
    settings.MEDIA_ROOT = tmp_path
    run = request_audit(
        actor=compliance_officer,
        start=dt.date(2026, 2, 20),
        end=dt.date(2026, 3, 9),
        enqueue=False,
    )
    return Report.objects.get(pk=execute_run(run.pk))


@pytest.mark.parametrize("persona", ["outsider", "viewer_user"])
def test_outsiders_and_viewers_get_nothing(request, signed_in, persona, report):
    client = signed_in(request.getfixturevalue(persona))
    pages = [
        reverse("console:audit_runs"),
        reverse("console:audit_run", args=[report.run_id]),
        reverse("console:audit_report", args=[report.pk]),
        reverse("console:audit_report_download", args=[report.pk, "pdf", "en"]),
        reverse("console:audit_evidence"),
        reverse("console:audit_remediation"),
        reverse("console:audit_schedules"),
        reverse("console:audit_trends"),
    ]
    for page in pages:
        assert client.get(page).status_code == 403, page
    assert client.post(reverse("console:audit_runs"), PERIOD).status_code == 403
    assert not ReportAccess.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("console:audit_runs"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


@override_settings(CELERY_TASK_ALWAYS_EAGER=True)
def test_a_compliance_officer_starts_an_audit_and_reads_its_findings(
    signed_in, compliance_officer, platform, django_capture_on_commit_callbacks
):
    from console.celery import app

    client = signed_in(compliance_officer)
    app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("console:audit_runs"), PERIOD)
    finally:
        app.conf.task_always_eager = False

    run = AuditRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("console:audit_run", args=[run.pk])
    page = client.get(response["Location"]).content.decode()
    assert "every-field-graded" in page
    assert "100%" in page

    failed = client.get(response["Location"], {"status": "fail"}).content.decode()
    assert "every-field-graded" not in failed
    only_73 = client.get(response["Location"], {"clause": "7.3"}).content.decode()
    assert "every-field-graded" in only_73 and "opt-out-honoured" not in only_73

    listing = client.get(reverse("console:audit_runs")).content.decode()
    assert f'href="{reverse("console:audit_run", args=[run.pk])}"' in listing


def test_a_bad_period_is_refused_with_a_reason(signed_in, compliance_officer):
    client = signed_in(compliance_officer)
    response = client.post(
        reverse("console:audit_runs"),
        {"kind": "full", "start": "2026-03-09", "end": "2026-03-01"},
    )
    assert response.status_code == 400
    assert not AuditRun.objects.exists()


def test_a_platform_admin_reads_but_cannot_start_or_sign(
    signed_in, platform_admin, report
):
    client = signed_in(platform_admin)
    assert client.get(reverse("console:audit_runs")).status_code == 200
    assert (
        client.get(reverse("console:audit_report", args=[report.pk])).status_code == 200
    )
    assert client.post(reverse("console:audit_runs"), PERIOD).status_code == 403
    sign = reverse("console:audit_report_sign", args=[report.pk])
    assert (
        client.post(sign, {"content_sha256": report.content_sha256}).status_code == 403
    )


def test_every_view_and_download_is_recorded(signed_in, compliance_officer, report):
    client = signed_in(compliance_officer)
    client.get(reverse("console:audit_report", args=[report.pk]))
    response = client.get(
        reverse("console:audit_report_download", args=[report.pk, "json", "en"])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "attachment" in response["Content-Disposition"]

    access = list(
        ReportAccess.objects.order_by("at").values_list("action", "file_format")
    )
    assert access == [(AccessAction.VIEW, ""), (AccessAction.DOWNLOAD, "json")]
    unknown = reverse("console:audit_report_download", args=[report.pk, "exe", "en"])
    assert client.get(unknown).status_code == 404


def test_sign_off_and_finalise_from_the_console(signed_in, compliance_officer, report):
    client = signed_in(compliance_officer)
    page = client.get(
        reverse("console:audit_report", args=[report.pk])
    ).content.decode()
    assert report.content_sha256 in page

    client.post(
        reverse("console:audit_report_sign", args=[report.pk]),
        {"content_sha256": report.content_sha256},
    )
    report.refresh_from_db()
    assert report.signature_valid

    client.post(reverse("console:audit_report_finalize", args=[report.pk]))
    report.refresh_from_db()
    assert report.status == "final"
    page = client.get(
        reverse("console:audit_report", args=[report.pk])
    ).content.decode()
    assert report.files["zh-hans.pdf"]["sha256"] in page

    download = client.get(
        reverse("console:audit_report_download", args=[report.pk, "pdf", "zh-hans"])
    )
    assert download["X-Content-SHA256"] == report.files["zh-hans.pdf"]["sha256"]
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_evidence_revisions_are_recorded_and_expired_ones_shown_to_the_owner(
    signed_in, compliance_officer, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client = signed_in(compliance_officer)
    form = {
        "attestation": "external-input",
        "owner": compliance_officer.pk,
        "effective_from": "2025-01-01",
        "expires_on": "2025-12-31",
        "note": "2025 survey",
        "upload": SimpleUploadedFile("survey.pdf", b"%PDF-1.4 survey"),
    }
    response = client.post(reverse("console:audit_evidence"), form)
    assert response.status_code == 302

    revision = EvidenceRevision.objects.get()
    assert revision.sha256 == hashlib.sha256(b"%PDF-1.4 survey").hexdigest()
    page = client.get(reverse("console:audit_evidence")).content.decode()
    assert 'id="expired-notice"' in page
    assert "external-input" in page

    with pytest.raises(RuntimeError):
        revision.note = "edited"
        revision.save()


def test_evidence_needs_a_file_or_a_link(signed_in, compliance_officer, db):
    client = signed_in(compliance_officer)
    response = client.post(
        reverse("console:audit_evidence"),
        {
            "attestation": "external-input",
            "owner": compliance_officer.pk,
            "effective_from": "2026-01-01",
            "expires_on": "2026-12-31",
        },
    )
    assert response.status_code == 400
    assert not EvidenceRevision.objects.exists()


def test_applicability_is_recorded_with_history(signed_in, compliance_officer, db):
    client = signed_in(compliance_officer)
    client.post(
        reverse("console:audit_applicability"),
        {"clause": "6.4.2", "justification": "No AI avatars."},
    )
    statement = Applicability.objects.get()
    assert (statement.clause_number, statement.applicable) == ("6.4.2", False)
    assert statement.history.get().history_user == compliance_officer


def test_remediation_opened_and_updated(signed_in, compliance_officer, report):
    client = signed_in(compliance_officer)
    finding = Finding.objects.filter(run=report.run, status="fail").first()
    client.post(
        reverse("console:audit_remediation_open", args=[finding.pk]),
        {"action": "Fix", "owner": compliance_officer.pk, "due_date": "2030-01-01"},
    )
    item = RemediationItem.objects.get()
    client.post(
        reverse("console:audit_remediation"),
        {"item": item.pk, "status": "in_progress", "response": "On it"},
    )
    item.refresh_from_db()
    assert (item.status, item.response) == ("in_progress", "On it")
    assert item.history.count() == 2


def test_schedules_are_edited_in_the_console(signed_in, compliance_officer, db):
    ensure_audit_schedules()
    task = PeriodicTask.objects.get(name=MONTHLY_FULL)
    client = signed_in(compliance_officer)
    prefix = f"s{task.pk}"
    response = client.post(
        reverse("console:audit_schedules"),
        {
            "task": task.pk,
            f"{prefix}-minute": "30",
            f"{prefix}-hour": "4",
            f"{prefix}-day_of_week": "*",
            f"{prefix}-day_of_month": "2",
        },
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.crontab.minute, task.crontab.hour, task.crontab.day_of_month) == (
        "30",
        "4",
        "2",
    )
    assert not task.enabled

    bad = client.post(
        reverse("console:audit_schedules"),
        {
            "task": task.pk,
            f"{prefix}-enabled": "on",
            f"{prefix}-minute": "99",
            f"{prefix}-hour": "4",
            f"{prefix}-day_of_week": "*",
            f"{prefix}-day_of_month": "2",
        },
    )
    assert bad.status_code == 400


def test_trends_chart_across_runs(signed_in, compliance_officer, report):
    client = signed_in(compliance_officer)
    page = client.get(reverse("console:audit_trends")).content.decode()
    assert 'id="trend-conclusions"' in page
