"""Reports: draft, sign-off bound to the document hash, frozen final, corrections,
and the record of every view and download (clause 8.2.3)."""

from __future__ import annotations

import hashlib
import logging

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.models import AccessAction, AuditRun, Report, ReportAccess, ReportStatus
from audits.reports.document import build_document, document_sha256
from audits.reports.render import FORMATS, LANGUAGES, render

logger = logging.getLogger(__name__)


class ReportError(ValueError):
    """A report action refused; the message says why."""


@transaction.atomic
def create_report(
    *, run: AuditRun, actor, previous: Report | None = None, reason: str = ""
) -> Report:
    """A draft report of ``run``; with ``previous``, the correction of that one."""
    version = previous.version + 1 if previous else 1
    generated_at = timezone.now()
    document = build_document(
        run,
        version=version,
        generated_at=generated_at,
        previous_id=previous.pk if previous else None,
    )
    report = Report(
        run=run,
        version=version,
        previous=previous,
        document=document,
        content_sha256=document_sha256(document),
        generated_at=generated_at,
        prepared_by=actor,
        correction_reason=reason,
    )
    report._history_user = actor
    report._change_reason = (
        f"clause 8.2.3: correction of report {previous.pk}: {reason}"
        if previous
        else "clause 8.2.3: draft report generated"
    )
    report.save()
    return report


@transaction.atomic
def refresh_draft(*, report: Report, actor) -> Report:
    """Rebuild a draft from the current records (remediation, evidence).

    A changed document gets a new hash, so an earlier sign-off no longer matches.
    """
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.status != ReportStatus.DRAFT:
        raise ReportError(_("Only a draft can change; correct a final report instead."))
    document = build_document(
        report.run,
        version=report.version,
        generated_at=report.generated_at,
        previous_id=report.previous_id,
    )
    digest = document_sha256(document)
    if digest == report.content_sha256:
        return report
    report.document = document
    report.content_sha256 = digest
    report._history_user = actor
    report._change_reason = "clause 8.2.3: draft refreshed; earlier sign-off void"
    report.save()
    return report


@transaction.atomic
def sign_off(*, report: Report, actor, content_sha256: str) -> Report:
    """Approve exactly the document the signer saw, named by its hash."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.status != ReportStatus.DRAFT:
        raise ReportError(_("This report is no longer a draft."))
    if content_sha256 != report.content_sha256:
        raise ReportError(_("The report changed since it was shown; review it again."))
    report.signed_by = actor
    report.signed_at = timezone.now()
    report.signed_sha256 = report.content_sha256
    report._history_user = actor
    report._change_reason = f"clause 8.2.3: signed off sha256 {content_sha256}"
    report.save()
    return report


@transaction.atomic
def finalize(*, report: Report, actor) -> Report:
    """Freeze a signed draft: render every file, store it and its SHA-256."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.status != ReportStatus.DRAFT:
        raise ReportError(_("This report is no longer a draft."))
    if not report.signature_valid:
        raise ReportError(_("A valid sign-off of the current content is required."))

    report.status = ReportStatus.FINAL
    files = {}
    for language in LANGUAGES:
        for file_format in FORMATS:
            content = render(report, file_format, language)
            name = (
                f"audit-reports/{report.pk}/report-{report.pk}-{language}.{file_format}"
            )
            default_storage.delete(name)
            stored = default_storage.save(name, ContentFile(content))
            files[f"{language}.{file_format}"] = {
                "path": stored,
                "sha256": hashlib.sha256(content).hexdigest(),
                "bytes": len(content),
            }
    report.files = files
    report._history_user = actor
    report._change_reason = "clause 8.2.3: report finalised and frozen"
    report.save()
    _supersede(report.previous, actor)
    logger.info("Report finalised", extra={"report_id": report.pk})
    return report


def _supersede(previous: Report | None, actor) -> None:
    if previous is None or previous.status != ReportStatus.FINAL:
        return
    previous.status = ReportStatus.SUPERSEDED
    previous._history_user = actor
    previous._change_reason = "clause 8.2.3: superseded by a correction"
    previous.save()


@transaction.atomic
def correct(*, report: Report, actor, reason: str) -> Report:
    """Start the correction of a final report: a new draft version linked to it."""
    if report.status != ReportStatus.FINAL:
        raise ReportError(_("Only a final report is corrected; edit a draft instead."))
    if not reason.strip():
        raise ReportError(_("A correction needs a reason."))
    if Report.objects.filter(previous=report).exists():
        raise ReportError(_("This report already has a correction."))
    return create_report(run=report.run, actor=actor, previous=report, reason=reason)


def record_access(
    *, report: Report, actor, action: str, file_format: str = "", language: str = ""
) -> ReportAccess:
    """Log a view or a download; every access to a report is kept."""
    if action not in AccessAction.values:
        raise ReportError(_("Unknown access %(action)s.") % {"action": action})
    return ReportAccess.objects.create(
        report=report,
        user=actor,
        action=action,
        file_format=file_format,
        language=language,
        at=timezone.now(),
    )
