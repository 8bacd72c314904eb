"""Moderation (``/api/v1/moderation/``) and AIGC (``/api/v1/aigc/``) endpoints.

Reviewer actions need a person holding the reviewer permission; declarations and
verifications also accept a platform service's API key with the catalogue scope.
Refused requests answer 400 with the reason and change nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from recengine.api.auth import HasScope
from recengine.models import Anchor, ApiScope
from recengine.moderation import access, impersonation, labelling, review
from recengine.moderation.api import serializers as s
from recengine.moderation.models import AigcCase, PublicFigure
from recengine.moderation.validation import ModerationError


def _valid(serializer_class, request: Request) -> dict:
    serializer = serializer_class(data=request.data)
    if not serializer.is_valid():
        raise ValidationError(serializer.errors)
    return serializer.validated_data


def _refused(error: ModerationError) -> ValidationError:
    return ValidationError({"detail": str(error)})


class ReviewerView(APIView):
    permission_classes = [HasScope]
    required_scope = None  # people only: an API key cannot review content
    staff_permission = access.REVIEW


class CaseList(generics.ListAPIView):
    permission_classes = [HasScope]
    required_scope = None
    staff_permission = access.VIEW_CASES
    serializer_class = s.CaseSerializer
    filterset_fields = ["queue", "status", "kind", "high_risk"]

    def get_queryset(self):
        return (
            access.cases(self.request.user)
            .filter(current=True)
            .order_by("-priority", "screened_at", "pk")
        )


class CaseDetail(generics.RetrieveAPIView):
    permission_classes = [HasScope]
    required_scope = None
    staff_permission = access.VIEW_CASES
    serializer_class = s.CaseDetailSerializer

    def get_queryset(self):
        return access.cases(self.request.user).prefetch_related("decisions")


class QueueSummary(APIView):
    permission_classes = [HasScope]
    required_scope = None
    staff_permission = access.VIEW_CASES

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        model = access.active_screen(request.user)
        return Response(
            {
                "open": access.queue_counts(request.user),
                "review_minutes": [
                    vars(row) for row in access.review_times(request.user)
                ],
                "screen": None
                if model is None
                else {
                    "version": model.version,
                    "precision": model.precision,
                    "recall": model.recall,
                    "screen_precision": model.screen_precision,
                    "screen_recall": model.screen_recall,
                    "test_examples": model.test_examples,
                },
            }
        )


class ClaimCase(ReviewerView):
    @extend_schema(request=None, responses=s.CaseSerializer)
    def post(self, request: Request, pk: int) -> Response:
        case = get_object_or_404(access.cases(request.user), pk=pk)
        try:
            case = review.claim_case(actor=request.user, case=case)
        except ModerationError as error:
            raise _refused(error) from error
        return Response(s.CaseSerializer(case).data)


class DecideCase(ReviewerView):
    @extend_schema(request=s.StatementSerializer, responses={201: s.DecisionSerializer})
    def post(self, request: Request, pk: int) -> Response:
        case = get_object_or_404(access.cases(request.user), pk=pk)
        data = _valid(s.StatementSerializer, request)
        try:
            decision = review.decide_case(actor=request.user, case=case, **data)
        except ModerationError as error:
            raise _refused(error) from error
        return Response(s.DecisionSerializer(decision).data, status.HTTP_201_CREATED)


class BulkDecide(ReviewerView):
    @extend_schema(
        request=s.BulkStatementSerializer, responses={201: OpenApiTypes.OBJECT}
    )
    def post(self, request: Request) -> Response:
        data = _valid(s.BulkStatementSerializer, request)
        ids = data.pop("cases")
        try:
            decisions = review.decide_bulk(actor=request.user, case_ids=ids, **data)
        except ModerationError as error:
            raise _refused(error) from error
        rows = [
            {"case": d.case_id, "decision": d.pk, "status": d.case.status}
            for d in decisions
        ]
        return Response({"decided": len(rows), "rows": rows}, status.HTTP_201_CREATED)


class FileAppeal(ReviewerView):
    @extend_schema(
        request=s.AppealFilingSerializer, responses={201: s.AppealSerializer}
    )
    def post(self, request: Request, pk: int) -> Response:
        case = get_object_or_404(access.cases(request.user), pk=pk)
        data = _valid(s.AppealFilingSerializer, request)
        try:
            appeal = review.file_appeal(actor=request.user, case=case, **data)
        except ModerationError as error:
            raise _refused(error) from error
        return Response(s.AppealSerializer(appeal).data, status.HTTP_201_CREATED)


class DecideAppeal(ReviewerView):
    @extend_schema(
        request=s.AppealDecisionSerializer, responses={201: s.DecisionSerializer}
    )
    def post(self, request: Request, pk: int) -> Response:
        appeal = get_object_or_404(access.open_appeals(request.user), pk=pk)
        data = _valid(s.AppealDecisionSerializer, request)
        try:
            decision = review.decide_appeal(actor=request.user, appeal=appeal, **data)
        except ModerationError as error:
            raise _refused(error) from error
        return Response(s.DecisionSerializer(decision).data, status.HTTP_201_CREATED)


# -- AIGC ------------------------------------------------------------------------


def _upload(file) -> bytes | None:
    if file is None:
        return None
    if file.size > settings.AIGC_MAX_UPLOAD_BYTES:
        raise ValidationError(
            {"file": f"larger than {settings.AIGC_MAX_UPLOAD_BYTES} bytes"}
        )
    return file.read()


class Labels(generics.ListCreateAPIView):
    permission_classes = [HasScope]
    required_scope = ApiScope.CATALOGUE_WRITE
    serializer_class = s.LabelSerializer

    @property
    def staff_permission(self) -> str:
        return access.DECLARE if self.request.method == "POST" else access.VIEW_LABELS

    def get_queryset(self):
        return access.labels(self.request.user).filter(active=True)

    @extend_schema(request={"multipart/form-data": s.DeclarationSerializer})
    def create(self, request: Request, *args, **kwargs) -> Response:
        data = _valid(s.DeclarationSerializer, request)
        try:
            label = labelling.declare_label(
                actor=request.user,
                target_kind=data["target_kind"],
                target_id=data["target"],
                content=data["content"],
                data=_upload(data.get("file")),
            )
        except ModerationError as error:
            raise _refused(error) from error
        return Response(s.LabelSerializer(label).data, status.HTTP_201_CREATED)


class Verify(APIView):
    permission_classes = [HasScope]
    required_scope = ApiScope.CATALOGUE_WRITE
    staff_permission = access.ENFORCE

    @extend_schema(
        request={"multipart/form-data": s.VerificationSerializer},
        responses={200: OpenApiTypes.OBJECT},
    )
    def post(self, request: Request) -> Response:
        data = _valid(s.VerificationSerializer, request)
        try:
            verdict, case = labelling.verify_submitted(
                actor=request.user,
                target_kind=data["target_kind"],
                target_id=data["target"],
                metadata=data["metadata"],
                signature=data["signature"],
                data=_upload(data["file"]),
            )
        except ModerationError as error:
            raise _refused(error) from error
        return Response(
            {"verdict": verdict or "valid", "case": case.pk if case else None}
        )


class AigcCases(generics.ListAPIView):
    permission_classes = [HasScope]
    required_scope = None
    staff_permission = access.VIEW_AIGC_CASES
    serializer_class = s.AigcCaseSerializer
    filterset_fields = ["verdict", "status", "restricted"]

    def get_queryset(self):
        return access.aigc_cases(self.request.user)


class EnforcerView(APIView):
    permission_classes = [HasScope]
    required_scope = None
    staff_permission = access.ENFORCE

    def case(self, request: Request, pk: int) -> AigcCase:
        return get_object_or_404(access.aigc_cases(request.user), pk=pk)


class RestrictCase(EnforcerView):
    @extend_schema(request=s.RestrictionSerializer, responses=s.AigcCaseSerializer)
    def post(self, request: Request, pk: int) -> Response:
        data = _valid(s.RestrictionSerializer, request)
        try:
            case = labelling.set_restriction(
                actor=request.user, case=self.case(request, pk), **data
            )
        except ModerationError as error:
            raise _refused(error) from error
        return Response(s.AigcCaseSerializer(case).data)


class CloseCase(EnforcerView):
    @extend_schema(request=s.ReasonSerializer, responses=s.AigcCaseSerializer)
    def post(self, request: Request, pk: int) -> Response:
        data = _valid(s.ReasonSerializer, request)
        try:
            case = labelling.close_case(
                actor=request.user, case=self.case(request, pk), **data
            )
        except ModerationError as error:
            raise _refused(error) from error
        return Response(s.AigcCaseSerializer(case).data)


class Figures(generics.ListCreateAPIView):
    permission_classes = [HasScope]
    required_scope = None
    serializer_class = s.FigureSerializer
    queryset = PublicFigure.objects.order_by("code")

    @property
    def staff_permission(self) -> str:
        if self.request.method == "POST":
            return "moderation.add_publicfigure"
        return "moderation.view_publicfigure"

    @extend_schema(request=s.FigureSerializer)
    def create(self, request: Request, *args, **kwargs) -> Response:
        data = _valid(s.FigureSerializer, request)
        try:
            figure = impersonation.register_figure(actor=request.user, **data)
        except ModerationError as error:
            raise _refused(error) from error
        return Response(s.FigureSerializer(figure).data, status.HTTP_201_CREATED)


class Consents(APIView):
    permission_classes = [HasScope]
    required_scope = None
    staff_permission = "moderation.add_consentrecord"

    @extend_schema(request=s.ConsentSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request, pk: int) -> Response:
        figure = get_object_or_404(PublicFigure, pk=pk)
        data = _valid(s.ConsentSerializer, request)
        anchor = Anchor.objects.filter(external_id=data.pop("anchor")).first()
        if anchor is None:
            raise ValidationError({"anchor": "no such anchor"})
        try:
            consent = impersonation.record_consent(
                actor=request.user, figure=figure, anchor=anchor, **data
            )
        except ModerationError as error:
            raise _refused(error) from error
        return Response({"id": consent.pk}, status.HTTP_201_CREATED)


class ImpersonationCheck(EnforcerView):
    @extend_schema(request=None, responses={200: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        cases = impersonation.check_impersonation(actor=request.user)
        return Response({"cases": s.AigcCaseSerializer(cases, many=True).data})
