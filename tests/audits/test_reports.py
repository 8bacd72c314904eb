"""Reports: sign-off bound to the content hash, frozen final files whose hash a
re-render reproduces, corrections as new versions, and a real bilingual PDF."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json

import pytest
from django.core.files.storage import default_storage
from pypdf import PdfReader

from audits.models import Finding, Report, ReportStatus
from audits.reports.render import render
from audits.services.evidence import open_remediation
from audits.services.reports import (
    ReportError,
    correct,
    finalize,
    refresh_draft,
    sign_off,
)
from audits.services.runs import execute_run, request_audit

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def draft(platform, compliance_officer, media) -> Report:
    run = request_audit(
        actor=compliance_officer,
        start=dt.date(2026, 2, 20),
        end=dt.date(2026, 3, 9),
        enqueue=False,
    )
    return Report.objects.get(pk=execute_run(run.pk))


def test_a_sign_off_names_the_hash_it_approved(draft, compliance_officer):
    with pytest.raises(ReportError, match="changed since it was shown"):
        sign_off(report=draft, actor=compliance_officer, content_sha256="0" * 64)

    signed = sign_off(
        report=draft, actor=compliance_officer, content_sha256=draft.content_sha256
    )
    assert signed.signature_valid
    assert signed.history.first().history_user == compliance_officer


def test_a_later_change_voids_the_sign_off(draft, compliance_officer):
    signed = sign_off(
        report=draft, actor=compliance_officer, content_sha256=draft.content_sha256
    )
    finding = Finding.objects.filter(run=draft.run, status="fail").first()
    open_remediation(
        actor=compliance_officer,
        finding=finding,
        action="Record every change through the service layer.",
        owner=compliance_officer,
        due_date=dt.date(2026, 12, 31),
    )

    refreshed = refresh_draft(report=signed, actor=compliance_officer)
    assert refreshed.content_sha256 != signed.signed_sha256
    assert not refreshed.signature_valid
    with pytest.raises(ReportError, match="valid sign-off"):
        finalize(report=refreshed, actor=compliance_officer)


def test_a_final_report_is_frozen_and_its_rerender_reproduces_the_hash(
    draft, compliance_officer
):
    sign_off(
        report=draft, actor=compliance_officer, content_sha256=draft.content_sha256
    )
    final = finalize(report=draft, actor=compliance_officer)

    assert final.status == ReportStatus.FINAL
    assert set(final.files) == {
        f"{lang}.{fmt}"
        for lang in ("zh-hans", "en")
        for fmt in ("html", "pdf", "csv", "json")
    }
    for name, stored in final.files.items():
        with default_storage.open(stored["path"], "rb") as handle:
            assert hashlib.sha256(handle.read()).hexdigest() == stored["sha256"], name

    # Re-rendered from the stored document alone, the files come out identical.
    again = Report.objects.get(pk=final.pk)
    for fmt in ("pdf", "html", "csv", "json"):
        content = render(again, fmt, "zh-hans")
        assert (
            hashlib.sha256(content).hexdigest()
            == final.files[f"zh-hans.{fmt}"]["sha256"]
        )

    with pytest.raises(ReportError, match="no longer a draft"):
        sign_off(
            report=final, actor=compliance_officer, content_sha256=final.content_sha256
        )

    # The PDF opens, shows the hash and Chinese text, and is signed by the officer.
    pdf = PdfReader(default_storage.open(final.files["zh-hans.pdf"]["path"], "rb"))
    first_page = pdf.pages[0].extract_text()
    assert len(pdf.pages) >= 5
    assert final.content_sha256 in first_page.replace("\n", "")
    assert "技术规范" in first_page
    assert compliance_officer.username in first_page


def test_a_correction_is_a_new_version_that_supersedes_the_final(
    draft, compliance_officer
):
    sign_off(
        report=draft, actor=compliance_officer, content_sha256=draft.content_sha256
    )
    final = finalize(report=draft, actor=compliance_officer)
    with pytest.raises(ReportError, match="needs a reason"):
        correct(report=final, actor=compliance_officer, reason=" ")

    correction = correct(report=final, actor=compliance_officer, reason="wrong owner")
    assert (correction.version, correction.previous_id) == (2, final.pk)
    assert correction.document["cover"]["previous_report_id"] == final.pk

    sign_off(
        report=correction,
        actor=compliance_officer,
        content_sha256=correction.content_sha256,
    )
    finalize(report=correction, actor=compliance_officer)
    final.refresh_from_db()
    assert final.status == ReportStatus.SUPERSEDED


def test_json_has_a_versioned_schema_and_csv_the_evidence(draft):
    payload = json.loads(render(draft, "json", "en"))
    assert (payload["schema"], payload["schema_version"]) == ("tcmbn-audit-report", 1)
    assert payload["report"]["content_sha256"] == draft.content_sha256
    assert {"cover", "scope", "summary", "clauses", "findings", "remediation"} <= set(
        payload["document"]
    )

    rows = render(draft, "csv", "en").decode("utf-8-sig").splitlines()
    assert rows[0].startswith("clause,check,status,severity,metric,measured")
    assert len(rows) == 1 + 54
    assert any(row.startswith("7.3,every-field-graded,pass") for row in rows)


def test_html_report_has_interactive_charts_and_one_conclusion_per_clause(draft):
    html = render(draft, "html", "en").decode()
    assert 'id="chart-lorenz"' in html
    assert "Plotly.newPlot" in html
    assert html.count('<span class="badge') > len(draft.document["clauses"])
    assert '<script src="http' not in html  # plotly.js is inside the file
    clause_rows = draft.document["clauses"]
    assert len({row["number"] for row in clause_rows}) == len(clause_rows)


def test_pdf_draws_charts_as_vector_images(draft):
    pdf = PdfReader(io.BytesIO(render(draft, "pdf", "en")))
    text = "".join(page.extract_text() for page in pdf.pages)
    assert "Lorenz curve of merchant exposure" in text
    assert "Executive summary" in text
