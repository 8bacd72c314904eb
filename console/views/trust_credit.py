"""Merchant credit pages (clauses 6.2.1, 6.2.2): credit with its import and the
restriction switch, violations, appeals, quality scores and policy versions."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rest_framework.exceptions import ValidationError as TooLarge

from console.access import permission_required
from console.views.trust_forms import (
    AppealDecisionForm,
    AppealForm,
    CreditImportForm,
    RestrictionForm,
    ViolationForm,
)
from recengine.governance.publishing import current_version
from recengine.services.rows import BatchRejected
from recengine.trust import access, services
from recengine.trust.api.serializers import parse_csv
from recengine.trust.credit import TIERS, exposure

VIEW = access.VIEW
GOVERN = access.GOVERN
PAGE_SIZE = 50


def _credit_page(
    request, *, status=200, import_form=None, restrict_form=None, errors=()
):
    rows = access.credit_rows(request.user, request.GET.get("q", ""))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for record in page.object_list:
        record.multiplier, record.cap = exposure(
            record.tier, restricted=record.restricted
        )
    context = {
        "page": page,
        "query": request.GET.get("q", ""),
        "tiers": TIERS,
        "import_form": import_form or CreditImportForm(),
        "restrict_form": restrict_form or RestrictionForm(),
        "errors": errors,
        "can_govern": access.can_govern(request.user),
        "policy_version": current_version(),
        "versions": access.policy_versions(request.user)[:10],
        "quality": access.quality_scores(request.user)[:20],
    }
    return render(request, "console/trust/credit.html", context, status=status)


@permission_required(VIEW)
def credit(request: HttpRequest) -> HttpResponse:
    return _credit_page(request)


@require_POST
@permission_required(GOVERN)
def credit_import(request: HttpRequest) -> HttpResponse:
    form = CreditImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _credit_page(request, status=400, import_form=form)
    try:
        rows = parse_csv(form.cleaned_data["text"])
        written = services.import_credit(
            actor=request.user, rows=rows, source=form.cleaned_data["source"]
        )
    except BatchRejected as problem:
        errors = [
            {
                "row": e.row + 2 if e.row >= 0 else None,
                "field": e.field,
                "message": e.message,
            }
            for e in problem.errors
        ]
        return _credit_page(request, status=400, import_form=form, errors=errors)
    except TooLarge:
        form.add_error(None, _("The file is larger than 1 MB."))
        return _credit_page(request, status=400, import_form=form)
    messages.success(request, _("%(count)d credit rows imported.") % {"count": written})
    return redirect("console:trust_credit")


@require_POST
@permission_required(GOVERN)
def restriction(request: HttpRequest) -> HttpResponse:
    form = RestrictionForm(request.POST)
    if not form.is_valid():
        return _credit_page(request, status=400, restrict_form=form)
    try:
        services.set_restriction(actor=request.user, **form.cleaned_data)
    except services.TrustError as problem:
        form.add_error(None, str(problem))
        return _credit_page(request, status=400, restrict_form=form)
    messages.success(request, _("Recorded."))
    return redirect("console:trust_credit")


def _violations_page(request, form=None, status=200):
    rows = access.violations(request.user)
    context = {
        "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
        "form": form or ViolationForm(),
        "can_govern": access.can_govern(request.user),
    }
    return render(request, "console/trust/violations.html", context, status=status)


@permission_required(VIEW)
def violations(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _violations_page(request)
    access.require_govern(request.user)
    form = ViolationForm(request.POST)
    if not form.is_valid():
        return _violations_page(request, form, status=400)
    try:
        services.record_violation(actor=request.user, **form.cleaned_data)
    except services.TrustError as problem:
        form.add_error(None, str(problem))
        return _violations_page(request, form, status=400)
    messages.success(request, _("Violation recorded."))
    return redirect("console:trust_violations")


def _appeals_page(request, form=None, status=200):
    rows = access.appeals(request.user)
    context = {
        "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
        "form": form or AppealForm(),
        "decision_form": AppealDecisionForm(),
        "can_govern": access.can_govern(request.user),
    }
    return render(request, "console/trust/appeals.html", context, status=status)


@permission_required(VIEW)
def appeals(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _appeals_page(request)
    access.require_govern(request.user)
    form = AppealForm(request.POST)
    if not form.is_valid():
        return _appeals_page(request, form, status=400)
    try:
        services.file_appeal(actor=request.user, **form.cleaned_data)
    except services.TrustError as problem:
        form.add_error(None, str(problem))
        return _appeals_page(request, form, status=400)
    messages.success(request, _("Appeal recorded."))
    return redirect("console:trust_appeals")


@require_POST
@permission_required(GOVERN)
def appeal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = access.appeal(request.user, pk)
    form = AppealDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a decision and give a reason."))
        return redirect("console:trust_appeals")
    try:
        services.decide_appeal(
            actor=request.user,
            appeal=appeal,
            uphold=form.cleaned_data["decision"] == "uphold",
            reason=form.cleaned_data["reason"],
        )
    except services.TrustError as problem:
        messages.error(request, str(problem))
        return redirect("console:trust_appeals")
    messages.success(request, _("Appeal decided."))
    return redirect("console:trust_appeals")


@require_POST
@permission_required(GOVERN)
def quality_compute(request: HttpRequest) -> HttpResponse:
    written = services.compute_quality_scores(actor=request.user)
    messages.success(
        request,
        _("Quality scores of %(count)d merchants computed.") % {"count": written},
    )
    return redirect("console:trust_credit")
