"""Audit runs and reports in the console (clause 8.2): compliance officers start
runs, read findings clause by clause, sign off and download; platform admins read.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from audits.models import (
    AccessAction,
    AuditRun,
    Conclusion,
    Finding,
    FindingStatus,
    Report,
    ReportStatus,
    Severity,
)
from audits.reports.render import (
    CONTENT_TYPES,
    FORMATS,
    LANGUAGES,
    render_html,
)
from audits.reports.render import (
    render as render_file,
)
from audits.services.reports import (
    ReportError,
    correct,
    finalize,
    record_access,
    refresh_draft,
    sign_off,
)
from audits.services.runs import AuditError, request_audit
from console.access import permission_required
from console.audit_forms import CorrectionForm, RemediationForm, RunForm, SignOffForm

READ = "audits.view_auditrun"
RUN = "audits.run_audit"


def _runs_page(request: HttpRequest, form: RunForm, status: int = 200) -> HttpResponse:
    runs = AuditRun.objects.select_related("progress", "requested_by", "catalogue")
    page = Paginator(runs, 20).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "form": form,
        "may_run": request.user.has_perm(RUN),
    }
    return render(request, "console/audits/runs.html", context, status=status)


@require_http_methods(["GET", "POST"])
@permission_required(READ)
def runs(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _runs_page(request, RunForm())
    if not request.user.has_perm(RUN):
        raise PermissionDenied

    form = RunForm(request.POST)
    if not form.is_valid():
        return _runs_page(request, form, status=400)
    try:
        run = request_audit(
            actor=request.user,
            start=form.cleaned_data["start"],
            end=form.cleaned_data["end"],
            kind=form.cleaned_data["kind"],
        )
    except AuditError as error:
        form.add_error(None, str(error))
        return _runs_page(request, form, status=400)
    messages.success(request, _("Audit %(id)s started.") % {"id": run.pk})
    return redirect("console:audit_run", pk=run.pk)


FILTERS = {
    "status": FindingStatus.values,
    "severity": Severity.values,
}


def _filtered_findings(run: AuditRun, request: HttpRequest):
    findings = Finding.objects.filter(run=run).select_related("check_item", "clause")
    for name, allowed in FILTERS.items():
        value = request.GET.get(name, "")
        if value in allowed:
            findings = findings.filter(**{name: value})
    clause = request.GET.get("clause", "").strip()
    if clause:
        findings = findings.filter(clause__number__startswith=clause)
    return findings.prefetch_related("remediation__owner")


@permission_required(READ)
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(
        AuditRun.objects.select_related("progress", "catalogue"), pk=pk
    )
    context = {
        "run": run,
        "findings": _filtered_findings(run, request),
        "results": run.clause_results.select_related("clause"),
        "reports": run.reports.select_related("signed_by").order_by("version"),
        "statuses": FindingStatus.choices,
        "severities": Severity.choices,
        "conclusions": dict(Conclusion.choices),
        "may_run": request.user.has_perm(RUN),
        "remediation_form": RemediationForm(),
        "refresh": run.status in ("queued", "running"),
    }
    return render(request, "console/audits/run.html", context)


def _report(pk: int) -> Report:
    return get_object_or_404(Report.objects.select_related("run", "signed_by"), pk=pk)


@permission_required(READ)
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(pk)
    if report.status == ReportStatus.DRAFT and request.user.has_perm(RUN):
        # Drafts follow the records (remediation, evidence) until they are frozen.
        report = refresh_draft(report=report, actor=request.user)
    record_access(report=report, actor=request.user, action=AccessAction.VIEW)
    context = {
        "report": report,
        "body": render_html(report, standalone=False),
        "formats": FORMATS,
        "languages": LANGUAGES,
        "may_run": request.user.has_perm(RUN),
        "sign_form": SignOffForm(initial={"content_sha256": report.content_sha256}),
        "correction_form": CorrectionForm(),
        "access": report.access.select_related("user")[:20],
    }
    return render(request, "console/audits/report.html", context)


@permission_required(READ)
def report_download(
    request: HttpRequest, pk: int, file_format: str, language: str
) -> HttpResponse:
    if file_format not in FORMATS or language not in LANGUAGES:
        raise Http404
    report = _report(pk)
    record_access(
        report=report,
        actor=request.user,
        action=AccessAction.DOWNLOAD,
        file_format=file_format,
        language=language,
    )
    name = f"audit-report-{report.pk}-v{report.version}-{language}.{file_format}"
    stored = report.files.get(f"{language}.{file_format}")
    if stored:
        handle = default_storage.open(stored["path"], "rb")
        response = FileResponse(handle, as_attachment=True, filename=name)
        response["X-Content-SHA256"] = stored["sha256"]
        return response
    response = HttpResponse(
        render_file(report, file_format, language),
        content_type=CONTENT_TYPES[file_format],
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _report_action(request: HttpRequest, pk: int, action) -> HttpResponse:
    report = _report(pk)
    try:
        action(report)
    except ReportError as error:
        messages.error(request, str(error))
    return redirect("console:audit_report", pk=pk)


@require_POST
@permission_required(RUN)
def report_sign(request: HttpRequest, pk: int) -> HttpResponse:
    form = SignOffForm(request.POST)
    if not form.is_valid():
        return HttpResponse(_("The report hash is missing."), status=400)
    digest = form.cleaned_data["content_sha256"]

    def act(report: Report) -> None:
        sign_off(report=report, actor=request.user, content_sha256=digest)
        messages.success(request, _("Report signed off."))

    return _report_action(request, pk, act)


@require_POST
@permission_required(RUN)
def report_finalize(request: HttpRequest, pk: int) -> HttpResponse:
    def act(report: Report) -> None:
        finalize(report=report, actor=request.user)
        messages.success(request, _("Report finalised; its files are frozen."))

    return _report_action(request, pk, act)


@require_POST
@permission_required(RUN)
def report_correct(request: HttpRequest, pk: int) -> HttpResponse:
    form = CorrectionForm(request.POST)
    report = _report(pk)
    if not form.is_valid():
        messages.error(request, _("A correction needs a reason."))
        return redirect("console:audit_report", pk=pk)
    try:
        draft = correct(
            report=report, actor=request.user, reason=form.cleaned_data["reason"]
        )
    except ReportError as error:
        messages.error(request, str(error))
        return redirect("console:audit_report", pk=pk)
    return redirect("console:audit_report", pk=draft.pk)
