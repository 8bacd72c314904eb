"""The reviewer workspace (clause 6.1): queues by priority, a case with its
statement of reasons, bulk decisions, appeals, review times and the screen's figures.
"""

from __future__ import annotations

import csv

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from console.access import permission_required
from console.views.moderation_forms import (
    AppealDecisionForm,
    AppealForm,
    BulkStatementForm,
    StatementForm,
)
from recengine.moderation import access, review
from recengine.moderation.models import CaseStatus, Queue
from recengine.moderation.validation import ModerationError

PAGE_SIZE = 25
VIEW = access.VIEW_CASES
REVIEW = access.REVIEW


def _queue(request: HttpRequest) -> str:
    chosen = request.GET.get("queue") or request.POST.get("queue") or ""
    return chosen if chosen in access.HUMAN_QUEUES else Queue.HIGH_RISK.value


def _workspace(request: HttpRequest, bulk_form=None, status: int = 200):
    queue = _queue(request)
    counts = access.queue_counts(request.user)
    cases = access.open_queue(request.user, queue)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    room_labels, product_labels = access.labels_by_target(
        room_ids=[case.room_id for case in page if case.room_id],
        product_ids=[case.product_id for case in page if case.product_id],
    )
    for case in page:
        case.labels = (
            product_labels.get(case.product_id, [])
            if case.product_id
            else room_labels.get(case.room_id, [])
        )
    context = {
        "queue": queue,
        "queues": [(q.value, q.label, counts[q]) for q in access.HUMAN_QUEUES],
        "page": page,
        "bulk_form": bulk_form or StatementForm(),
        "times": access.review_times(request.user),
        "screen": access.active_screen(request.user),
        "appeals": access.open_appeals(request.user)[:50],
        "can_review": request.user.has_perm(REVIEW),
    }
    return render(request, "console/moderation/workspace.html", context, status=status)


@permission_required(VIEW)
def workspace(request: HttpRequest) -> HttpResponse:
    return _workspace(request)


@permission_required(VIEW)
def case_detail(request: HttpRequest, pk: int, form=None, appeal_form=None, status=200):
    case = get_object_or_404(access.cases(request.user), pk=pk)
    rooms, products = access.labels_by_target(
        room_ids=[case.room_id] if case.room_id else [],
        product_ids=[case.product_id] if case.product_id else [],
    )
    case.labels = products.get(case.product_id) or rooms.get(case.room_id) or []
    context = {
        "case": case,
        "decisions": access.decisions(request.user, case),
        "appeals": case.appeals.select_related("filed_by", "decided_by"),
        "form": form or StatementForm(),
        "appeal_form": appeal_form or AppealForm(),
        "can_review": request.user.has_perm(REVIEW),
        "appealable": case.status in (CaseStatus.APPROVED, CaseStatus.REJECTED),
    }
    return render(request, "console/moderation/case.html", context, status=status)


@require_POST
@permission_required(REVIEW)
def claim(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_object_or_404(access.cases(request.user), pk=pk)
    try:
        review.claim_case(actor=request.user, case=case)
    except ModerationError as error:
        messages.error(request, str(error))
    return redirect("console:moderation_case", pk=pk)


@require_POST
@permission_required(REVIEW)
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_object_or_404(access.cases(request.user), pk=pk)
    form = StatementForm(request.POST)
    if not form.is_valid():
        return case_detail(request, pk, form=form, status=400)

    try:
        review.decide_case(actor=request.user, case=case, **form.cleaned_data)
    except ModerationError as error:
        form.add_error(None, str(error))
        return case_detail(request, pk, form=form, status=400)
    messages.success(request, _("Case %(pk)s decided.") % {"pk": pk})
    return redirect(f"{_workspace_url()}?queue={case.queue}")


def _workspace_url() -> str:
    return reverse("console:moderation")


@require_POST
@permission_required(REVIEW)
def bulk_decide(request: HttpRequest) -> HttpResponse:
    ids = [value for value in request.POST.getlist("cases") if value.isdigit()]
    form = BulkStatementForm(request.POST, case_ids=[int(value) for value in ids])
    if not form.is_valid():
        return _workspace(request, bulk_form=form, status=400)

    data = dict(form.cleaned_data)
    case_ids = data.pop("cases")
    try:
        decisions = review.decide_bulk(actor=request.user, case_ids=case_ids, **data)
    except ModerationError as error:
        form.add_error(None, str(error))
        return _workspace(request, bulk_form=form, status=400)
    messages.success(
        request,
        _("%(count)d cases decided with one statement of reasons.")
        % {"count": len(decisions)},
    )
    return redirect(f"{_workspace_url()}?queue={_queue(request)}")


@require_POST
@permission_required(REVIEW)
def file_appeal(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_object_or_404(access.cases(request.user), pk=pk)
    form = AppealForm(request.POST)
    if not form.is_valid():
        return case_detail(request, pk, appeal_form=form, status=400)

    try:
        review.file_appeal(actor=request.user, case=case, **form.cleaned_data)
    except ModerationError as error:
        form.add_error(None, str(error))
        return case_detail(request, pk, appeal_form=form, status=400)
    messages.success(request, _("Appeal filed; a different reviewer will decide it."))
    return redirect("console:moderation_case", pk=pk)


@permission_required(REVIEW)
def appeal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = get_object_or_404(access.open_appeals(request.user), pk=pk)
    form = AppealDecisionForm(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        status = 400 if request.method == "POST" else 200
        return _appeal_page(request, appeal, form, status)

    try:
        review.decide_appeal(actor=request.user, appeal=appeal, **form.cleaned_data)
    except ModerationError as error:
        form.add_error(None, str(error))
        return _appeal_page(request, appeal, form, 400)
    messages.success(request, _("Appeal decided."))
    return redirect("console:moderation")


def _appeal_page(request, appeal, form, status):
    context = {
        "appeal": appeal,
        "case": appeal.case,
        "decisions": access.decisions(request.user, appeal.case),
        "form": form,
        "own_decision": appeal.original_decider_id == request.user.pk,
    }
    return render(request, "console/moderation/appeal.html", context, status=status)


@permission_required(VIEW)
def review_times_csv(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="review-times.csv"'
    writer = csv.writer(response)
    writer.writerow(["queue", "decisions", "p50_minutes", "p95_minutes"])
    for row in access.review_times(request.user):
        writer.writerow(
            [
                row.queue,
                row.decisions,
                "" if row.p50_minutes is None else f"{row.p50_minutes:.2f}",
                "" if row.p95_minutes is None else f"{row.p95_minutes:.2f}",
            ]
        )
    return response
