"""The AIGC labelling tool and its enforcement (clause 6.4): declarations, labels
with their tier and signed implicit metadata, verification cases, and the registry
of public figures with consent records."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from console.access import permission_required
from console.views.moderation_forms import (
    ConsentForm,
    DeclarationForm,
    FigureForm,
    ReasonForm,
)
from recengine.models import Anchor
from recengine.moderation import access, impersonation, labelling
from recengine.moderation.models import PublicFigure
from recengine.moderation.validation import ModerationError

PAGE_SIZE = 25
VIEW = access.VIEW_LABELS


def _page(request: HttpRequest, status: int = 200, **forms) -> HttpResponse:
    user = request.user
    context = {
        "labels": Paginator(
            access.labels(user).filter(active=True), PAGE_SIZE
        ).get_page(request.GET.get("page")),
        "cases": access.aigc_cases(user)[:100],
        "figures": PublicFigure.objects.prefetch_related("consents__anchor").order_by(
            "code"
        ),
        "declare_form": forms.get("declare_form") or DeclarationForm(),
        "figure_form": forms.get("figure_form") or FigureForm(),
        "consent_form": forms.get("consent_form") or ConsentForm(),
        "reason_form": ReasonForm(),
        "can_declare": user.has_perm(access.DECLARE),
        "can_enforce": user.has_perm(access.ENFORCE),
        "can_register": user.has_perm("moderation.add_publicfigure"),
        "max_upload": settings.AIGC_MAX_UPLOAD_BYTES,
    }
    return render(request, "console/aigc/labels.html", context, status=status)


@permission_required(VIEW)
def labels(request: HttpRequest) -> HttpResponse:
    return _page(request)


@require_POST
@permission_required(access.DECLARE)
def declare(request: HttpRequest) -> HttpResponse:
    form = DeclarationForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, status=400, declare_form=form)

    upload = form.cleaned_data.get("file")
    if upload is not None and upload.size > settings.AIGC_MAX_UPLOAD_BYTES:
        form.add_error("file", _("The file is too large."))
        return _page(request, status=400, declare_form=form)
    try:
        label = labelling.declare_label(
            actor=request.user,
            target_kind=form.cleaned_data["target_kind"],
            target_id=form.cleaned_data["target"],
            content=form.cleaned_data["content"],
            data=upload.read() if upload is not None else None,
        )
    except ModerationError as error:
        form.add_error(None, str(error))
        return _page(request, status=400, declare_form=form)
    messages.success(
        request, _("Label “%(label)s” recorded and signed.") % {"label": label.explicit}
    )
    return redirect("console:aigc")


def _case_action(request: HttpRequest, pk: int, action) -> HttpResponse:
    case = get_object_or_404(access.aigc_cases(request.user), pk=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A reason is required."))
        return redirect("console:aigc")
    try:
        action(case, form.cleaned_data["reason"])
    except ModerationError as error:
        messages.error(request, str(error))
        return redirect("console:aigc")
    messages.success(request, _("Case %(pk)s updated.") % {"pk": pk})
    return redirect("console:aigc")


@require_POST
@permission_required(access.ENFORCE)
def restrict(request: HttpRequest, pk: int) -> HttpResponse:
    wanted = request.POST.get("restricted") == "1"
    return _case_action(
        request,
        pk,
        lambda case, reason: labelling.set_restriction(
            actor=request.user, case=case, restricted=wanted, reason=reason
        ),
    )


@require_POST
@permission_required(access.ENFORCE)
def close(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_action(
        request,
        pk,
        lambda case, reason: labelling.close_case(
            actor=request.user, case=case, reason=reason
        ),
    )


@require_POST
@permission_required("moderation.add_publicfigure")
def add_figure(request: HttpRequest) -> HttpResponse:
    form = FigureForm(request.POST)
    if not form.is_valid():
        return _page(request, status=400, figure_form=form)
    try:
        impersonation.register_figure(actor=request.user, **form.cleaned_data)
    except ModerationError as error:
        form.add_error(None, str(error))
        return _page(request, status=400, figure_form=form)
    messages.success(request, _("Public figure registered."))
    return redirect("console:aigc")


@require_POST
@permission_required("moderation.add_consentrecord")
def add_consent(request: HttpRequest, pk: int) -> HttpResponse:
    figure = get_object_or_404(PublicFigure, pk=pk)
    form = ConsentForm(request.POST)
    if not form.is_valid():
        return _page(request, status=400, consent_form=form)
    anchor = Anchor.objects.filter(external_id=form.cleaned_data["anchor"]).first()
    if anchor is None:
        form.add_error("anchor", _("There is no anchor with this id."))
        return _page(request, status=400, consent_form=form)
    try:
        impersonation.record_consent(
            actor=request.user,
            figure=figure,
            anchor=anchor,
            evidence=form.cleaned_data["evidence"],
            expires_at=form.cleaned_data["expires_at"],
        )
    except ModerationError as error:
        form.add_error(None, str(error))
        return _page(request, status=400, consent_form=form)
    messages.success(request, _("Consent recorded."))
    return redirect("console:aigc")


@require_POST
@permission_required(access.ENFORCE)
def check_impersonation(request: HttpRequest) -> HttpResponse:
    cases = impersonation.check_impersonation(actor=request.user)
    messages.success(
        request,
        _("Impersonation check done: %(count)d AI personas blocked and escalated.")
        % {"count": len(cases)},
    )
    return redirect("console:aigc")
