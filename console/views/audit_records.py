"""The compliance officer's standing records: attestation evidence, the statement
of applicability, remediation items, audit schedules and trends across runs."""

from __future__ import annotations

import plotly.graph_objects as go
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from audits.models import (
    Applicability,
    AuditRun,
    ClauseResult,
    Conclusion,
    Finding,
    RemediationItem,
    RunStatus,
)
from audits.schedules import ScheduleError, audit_schedules, update_schedule
from audits.services.evidence import (
    EvidenceError,
    add_evidence,
    evidence_state,
    open_remediation,
    set_applicability,
    update_remediation,
)
from audits.services.runs import current_catalogue
from console.access import permission_required
from console.audit_forms import (
    ApplicabilityForm,
    EvidenceForm,
    RemediationForm,
    RemediationUpdateForm,
    ScheduleForm,
)

READ = "audits.view_auditrun"
RUN = "audits.run_audit"


def _chart(figure: go.Figure, element_id: str) -> str:
    # plotly.js comes from static/ (the page's head), never from a CDN.
    return figure.to_html(
        full_html=False,
        include_plotlyjs=False,
        div_id=element_id,
        config={"displaylogo": False, "responsive": True},
    )


def _evidence_page(request, form, applicability_form, status=200) -> HttpResponse:
    catalogue = current_catalogue()
    attestations = catalogue.attestations.select_related("clause")
    today = timezone.localdate()
    rows = [(a, evidence_state(a.attestation_id, today)) for a in attestations]
    context = {
        "rows": rows,
        "form": form,
        "applicability_form": applicability_form,
        "statements": Applicability.objects.select_related("updated_by"),
        "mine_expired": [
            a
            for a, state in rows
            if state.status == "expired" and state.revision.owner_id == request.user.pk
        ],
        "may_run": request.user.has_perm(RUN),
    }
    return render(request, "console/audits/evidence.html", context, status=status)


def _attestations():
    return current_catalogue().attestations.select_related("clause")


def _evidence_form(data=None, files=None) -> EvidenceForm:
    return EvidenceForm(data, files, attestations=_attestations())


def _applicability_form(data=None) -> ApplicabilityForm:
    clauses = current_catalogue().clauses.exclude(kind="heading")
    return ApplicabilityForm(data, clauses=clauses)


@require_http_methods(["GET", "POST"])
@permission_required(READ)
def evidence(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _evidence_page(request, _evidence_form(), _applicability_form())
    if not request.user.has_perm(RUN):
        raise PermissionDenied

    form = _evidence_form(request.POST, request.FILES)
    if not form.is_valid():
        return _evidence_page(request, form, _applicability_form(), status=400)
    data = form.cleaned_data
    item = _attestations().get(attestation_id=data["attestation"])
    try:
        revision = add_evidence(
            actor=request.user,
            attestation_id=item.attestation_id,
            clause_number=item.clause.number,
            owner=data["owner"],
            effective_from=data["effective_from"],
            expires_on=data["expires_on"],
            upload=data.get("upload"),
            link=data.get("link") or "",
            note=data.get("note") or "",
        )
    except EvidenceError as error:
        form.add_error(None, str(error))
        return _evidence_page(request, form, _applicability_form(), status=400)
    messages.success(
        request,
        _("Evidence revision %(revision)s recorded for %(item)s.")
        % {"revision": revision.revision, "item": item.attestation_id},
    )
    return redirect("console:audit_evidence")


@require_POST
@permission_required(RUN)
def applicability(request: HttpRequest) -> HttpResponse:
    form = _applicability_form(request.POST)
    if not form.is_valid():
        return _evidence_page(request, _evidence_form(), form, status=400)
    set_applicability(
        actor=request.user,
        clause_number=form.cleaned_data["clause"],
        applicable=form.cleaned_data["applicable"],
        justification=form.cleaned_data["justification"],
    )
    messages.success(request, _("Statement of applicability updated."))
    return redirect("console:audit_evidence")


@require_POST
@permission_required(RUN)
def remediation_open(request: HttpRequest, pk: int) -> HttpResponse:
    finding = get_object_or_404(Finding.objects.select_related("run"), pk=pk)
    form = RemediationForm(request.POST)
    if not form.is_valid():
        errors = "; ".join(e for errs in form.errors.values() for e in errs)
        messages.error(request, errors)
        return redirect("console:audit_run", pk=finding.run_id)
    try:
        open_remediation(actor=request.user, finding=finding, **form.cleaned_data)
    except EvidenceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Remediation item opened."))
    return redirect("console:audit_run", pk=finding.run_id)


@require_http_methods(["GET", "POST"])
@permission_required(READ)
def remediation(request: HttpRequest) -> HttpResponse:
    items = RemediationItem.objects.select_related("owner", "finding")
    if request.method == "POST":
        if not request.user.has_perm(RUN):
            raise PermissionDenied
        item = get_object_or_404(RemediationItem, pk=request.POST.get("item"))
        form = RemediationUpdateForm(request.POST)
        if form.is_valid():
            try:
                update_remediation(actor=request.user, item=item, **form.cleaned_data)
                messages.success(request, _("Remediation item updated."))
            except EvidenceError as error:
                messages.error(request, str(error))
        return redirect("console:audit_remediation")
    context = {
        "items": items,
        "form": RemediationUpdateForm(),
        "may_run": request.user.has_perm(RUN),
    }
    return render(request, "console/audits/remediation.html", context)


@require_http_methods(["GET", "POST"])
@permission_required(READ)
def schedules(request: HttpRequest) -> HttpResponse:
    tasks = list(audit_schedules())
    forms = {
        task.pk: ScheduleForm(
            request.POST if request.POST.get("task") == str(task.pk) else None,
            initial={
                "enabled": task.enabled,
                "minute": task.crontab.minute,
                "hour": task.crontab.hour,
                "day_of_week": task.crontab.day_of_week,
                "day_of_month": task.crontab.day_of_month,
            },
            prefix=f"s{task.pk}",
        )
        for task in tasks
        if task.crontab
    }
    status = 200
    if request.method == "POST":
        if not request.user.has_perm(RUN):
            raise PermissionDenied
        task = next((t for t in tasks if str(t.pk) == request.POST.get("task")), None)
        form = forms.get(task.pk) if task else None
        if form is not None and form.is_valid():
            timing = {k: v for k, v in form.cleaned_data.items() if k != "enabled"}
            try:
                update_schedule(
                    actor=request.user,
                    task=task,
                    enabled=form.cleaned_data["enabled"],
                    timing=timing,
                )
                messages.success(request, _("Schedule saved."))
                return redirect("console:audit_schedules")
            except ScheduleError as error:
                form.add_error(None, str(error))
        status = 400
    context = {
        "rows": [(task, forms.get(task.pk)) for task in tasks],
        "may_run": request.user.has_perm(RUN),
    }
    return render(request, "console/audits/schedules.html", context, status=status)


@permission_required(READ)
def trends(request: HttpRequest) -> HttpResponse:
    runs = list(
        AuditRun.objects.filter(status=RunStatus.DONE).order_by("requested_at")[:50]
    )
    labels = [f"#{run.pk} {run.period_end}" for run in runs]
    results = ClauseResult.objects.filter(run__in=runs).values_list(
        "run_id", "conclusion"
    )
    counts: dict[str, dict[int, int]] = {}
    for run_id, conclusion in results:
        counts.setdefault(conclusion, {}).setdefault(run_id, 0)
        counts[conclusion][run_id] += 1

    figure = go.Figure()
    for value, label in Conclusion.choices:
        figure.add_bar(
            x=labels,
            y=[counts.get(value, {}).get(run.pk, 0) for run in runs],
            name=str(label),
        )
    figure.update_layout(barmode="stack", height=360, xaxis={"type": "category"})
    gini = go.Figure()
    gini_rows = Finding.objects.filter(
        run__in=runs, check_item__metric="fairness.traffic_gini"
    ).values_list("run_id", "measured")
    by_run = dict(gini_rows)
    gini.add_scatter(
        x=labels,
        y=[by_run.get(run.pk) for run in runs],
        mode="lines+markers",
        name="Gini",
    )
    gini.update_layout(height=300, xaxis={"type": "category"})
    context = {
        "runs": runs,
        "conclusions_chart": _chart(figure, "trend-conclusions") if runs else "",
        "gini_chart": _chart(gini, "trend-gini") if runs else "",
    }
    return render(request, "console/audits/trends.html", context)
