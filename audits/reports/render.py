"""Render a report as HTML, PDF, CSV or JSON, in Chinese or English.

Rendering reads only the report row and its stored document, and every output is
byte-for-byte reproducible: the PDF gets a fixed identifier and fixed font
timestamps, so re-rendering a final report gives the hash stored when it froze.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from audits.models import (
    AuditKind,
    Conclusion,
    FindingStatus,
    Report,
    ReportStatus,
    Severity,
)
from audits.reports.charts import plotly_charts, svg_charts
from audits.reports.document import SCHEMA, SCHEMA_VERSION

# Both libraries narrate every page and every font subset at INFO; a report's
# rendering is logged once by its caller instead.
logging.getLogger("weasyprint").setLevel(logging.WARNING)
logging.getLogger("fontTools").setLevel(logging.WARNING)

LANGUAGES = ("zh-hans", "en")
FORMATS = ("html", "pdf", "csv", "json")
CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}
# Noto Sans CJK (SIL OFL 1.1), cut down to GB 2312 and Latin: Chinese in the PDF
# needs no font installed on the machine.
REPORT_FONT = (
    Path(settings.BASE_DIR) / "static" / "fonts" / "NotoSansCJK-Regular-GB2312.otf"
)


def report_meta(report: Report) -> dict[str, Any]:
    return {
        "report_id": report.pk,
        "version": report.version,
        "status": report.status,
        "content_sha256": report.content_sha256,
        "previous_report_id": report.previous_id,
        "generated_at": report.generated_at.isoformat(),
        "prepared_by": report.prepared_by.get_username() if report.prepared_by else "",
        "signed_by": report.signed_by.get_username() if report.signed_by else "",
        "signed_at": report.signed_at.isoformat() if report.signed_at else "",
        "signature_valid": report.signature_valid,
        "correction_reason": report.correction_reason,
    }


def render(report: Report, file_format: str, language: str) -> bytes:
    if file_format not in FORMATS or language not in LANGUAGES:
        raise ValueError(f"cannot render {file_format} in {language}")
    with translation.override(language):
        if file_format == "json":
            return render_json(report)
        if file_format == "csv":
            return render_csv(report)
        if file_format == "pdf":
            return render_pdf(report)
        return render_html(report, standalone=True).encode()


def render_json(report: Report) -> bytes:
    payload = {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "report": report_meta(report),
        "document": report.document,
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, indent=2)
    return text.encode()


CSV_COLUMNS = (
    "clause",
    "check",
    "status",
    "severity",
    "metric",
    "measured",
    "criterion",
    "sample",
    "min_sample",
    "reason",
)


def render_csv(report: Report) -> bytes:
    """The findings as an evidence table: one row per check."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*CSV_COLUMNS, "query", "sample_ids", "report_id", "sha256"])
    for finding in report.document["findings"]:
        evidence = finding.get("evidence") or {}
        writer.writerow(
            [
                *(finding.get(column, "") for column in CSV_COLUMNS),
                evidence.get("query", ""),
                " ".join(map(str, evidence.get("sample_ids", []))),
                report.pk,
                report.content_sha256,
            ]
        )
    return buffer.getvalue().encode("utf-8-sig")


def _labels() -> dict[str, dict[str, str]]:
    return {
        "conclusion": {value: str(label) for value, label in Conclusion.choices},
        "status": {value: str(label) for value, label in FindingStatus.choices},
        "severity": {value: str(label) for value, label in Severity.choices},
        "kind": {value: str(label) for value, label in AuditKind.choices},
        "report_status": {value: str(label) for value, label in ReportStatus.choices},
    }


def context(report: Report, *, pdf: bool) -> dict[str, Any]:
    document = report.document
    language = translation.get_language() or "zh-hans"
    series = document.get("series") or {}
    return {
        "doc": document,
        "meta": report_meta(report),
        "zh": language.startswith("zh"),
        "language": language,
        "labels": _labels(),
        "charts": svg_charts(series) if pdf else plotly_charts(series),
        "pdf": pdf,
        "findings_by_clause": _findings_by_clause(document),
        "title": _("Compliance audit report"),
    }


def _findings_by_clause(document: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for finding in document["findings"]:
        grouped.setdefault(finding["clause"], []).append(finding)
    return grouped


def render_html(report: Report, *, standalone: bool) -> str:
    values = context(report, pdf=False)
    if standalone:
        # The downloaded file must work offline: plotly.js goes inside it.
        import plotly.offline

        values["plotly_js"] = plotly.offline.get_plotlyjs()
    template = (
        "audits/report_document.html" if standalone else "audits/report_body.html"
    )
    return render_to_string(template, values)


def render_pdf(report: Report) -> bytes:
    from weasyprint import HTML

    values = context(report, pdf=True)
    values["font_url"] = REPORT_FONT.as_uri()
    html = render_to_string("audits/report_document.html", values)
    # fontTools stamps subset fonts with the build time unless told a fixed one.
    os.environ.setdefault("SOURCE_DATE_EPOCH", "0")
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        pdf_identifier=report.content_sha256.encode()
    )
