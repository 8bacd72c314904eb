"""Blacklist pages (clause 6.2.3): list, add with an impact preview, bulk add,
entry history with the four-eyes lift, and re-registration cases."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from console.access import permission_required
from console.views.trust_forms import BulkForm, CaseDecisionForm, EntryForm, ReasonForm
from recengine.services.rows import BatchRejected
from recengine.trust import access, services
from recengine.trust.api.serializers import parse_list
from recengine.trust.models import CaseState, EntryState, TargetKind

VIEW = access.VIEW
GOVERN = access.GOVERN
PAGE_SIZE = 50


def _page(request: HttpRequest, rows):
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _list(request: HttpRequest, form: EntryForm, status: int = 200, impact=None):
    filters = access.EntryFilter(
        query=request.GET.get("q", ""),
        kind=request.GET.get("kind", ""),
        state=request.GET.get("state", ""),
    )
    context = {
        "page": _page(request, access.entries(request.user, filters)),
        "filters": filters,
        "kinds": TargetKind.choices,
        "states": [*EntryState.choices, ("expired", _("Expired"))],
        "form": form,
        "impact": impact,
        "can_govern": access.can_govern(request.user),
    }
    return render(request, "console/trust/blacklist.html", context, status=status)


@permission_required(VIEW)
def blacklist(request: HttpRequest) -> HttpResponse:
    return _list(request, EntryForm())


@require_POST
@permission_required(GOVERN)
def blacklist_add(request: HttpRequest) -> HttpResponse:
    """Add an entry, or with ``preview`` show what it would have removed."""
    form = EntryForm(request.POST)
    if not form.is_valid():
        return _list(request, form, status=400)

    new = form.new_entry()
    if "preview" in request.POST:
        impact = access.preview_impact(
            request.user, new.kind, new.target, new.pattern, new.is_regex
        )
        return _list(request, form, impact=impact)
    try:
        entry = services.add_blacklist_entry(actor=request.user, new=new)
    except services.TrustError as problem:
        form.add_error(None, str(problem))
        return _list(request, form, status=400)
    messages.success(request, _("Blacklist entry added; serving obeys it now."))
    return redirect("console:trust_entry", pk=entry.pk)


@permission_required(GOVERN)
def blacklist_bulk(request: HttpRequest) -> HttpResponse:
    form = BulkForm(request.POST or None, request.FILES or None)
    context = {"form": form, "errors": [], "added": []}
    if request.method != "POST":
        return render(request, "console/trust/bulk.html", context)
    if not form.is_valid():
        return render(request, "console/trust/bulk.html", context, status=400)

    data = form.cleaned_data
    rows = parse_list(data["text"])
    try:
        context["added"] = services.bulk_add_blacklist(
            actor=request.user,
            rows=rows,
            reason=data["reason"],
            clause=data["clause"],
            evidence=data["evidence"],
            expires_at=data["expires_at"],
        )
    except BatchRejected as problem:
        context["errors"] = [_row_error(rows, error) for error in problem.errors]
        return render(request, "console/trust/bulk.html", context, status=400)
    return render(request, "console/trust/bulk.html", context)


def _row_error(rows: list[dict], error) -> dict:
    """Rows count from 1 on the page, as a person counts lines."""
    if not 0 <= error.row < len(rows):
        return {"row": None, "input": "", "message": error.message}
    row = rows[error.row]
    return {
        "row": error.row + 1,
        "input": f"{row.get('kind', '')},{row.get('target', '')}",
        "message": error.message,
    }


def _entry_page(request, entry, status: int = 200, form: ReasonForm | None = None):
    context = {
        "entry": entry,
        "history": access.entry_history(request.user, entry),
        "cases": entry.cases.select_related("anchor", "merchant"),
        "form": form or ReasonForm(),
        "can_govern": access.can_govern(request.user),
        "is_requester": entry.lift_requested_by_id == request.user.pk,
    }
    return render(request, "console/trust/entry.html", context, status=status)


@permission_required(VIEW)
def blacklist_entry(request: HttpRequest, pk: int) -> HttpResponse:
    return _entry_page(request, access.entry(request.user, pk))


LIFT_ACTIONS = {
    "request": services.request_lift,
    "approve": services.approve_lift,
    "reject": services.reject_lift,
}


@require_POST
@permission_required(GOVERN)
def blacklist_lift(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    entry = access.entry(request.user, pk)
    form = ReasonForm(request.POST)
    if action not in LIFT_ACTIONS or not form.is_valid():
        return _entry_page(request, entry, status=400, form=form)
    try:
        LIFT_ACTIONS[action](
            actor=request.user, entry=entry, reason=form.cleaned_data["reason"]
        )
    except services.TrustError as problem:
        form.add_error(None, str(problem))
        return _entry_page(request, entry, status=400, form=form)
    messages.success(request, _("Recorded."))
    return redirect("console:trust_entry", pk=entry.pk)


@permission_required(VIEW)
def cases(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", CaseState.OPEN)
    context = {
        "page": _page(request, access.cases(request.user, state)),
        "state": state,
        "states": CaseState.choices,
        "form": CaseDecisionForm(),
        "can_govern": access.can_govern(request.user),
    }
    return render(request, "console/trust/cases.html", context)


@require_POST
@permission_required(GOVERN)
def cases_detect(request: HttpRequest) -> HttpResponse:
    opened = services.detect_reregistrations()
    messages.info(
        request, _("%(count)d new re-registration cases.") % {"count": len(opened)}
    )
    return redirect("console:trust_cases")


@require_POST
@permission_required(GOVERN)
def case_decide(request: HttpRequest, pk: int) -> HttpResponse:
    case = access.case(request.user, pk)
    form = CaseDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a decision and give a reason."))
        return redirect("console:trust_cases")
    try:
        services.decide_case(
            actor=request.user,
            case=case,
            confirm=form.cleaned_data["decision"] == "confirm",
            note=form.cleaned_data["reason"],
        )
    except services.TrustError as problem:
        messages.error(request, str(problem))
        return redirect("console:trust_cases")
    messages.success(request, _("Case decided."))
    return redirect("console:trust_cases")
