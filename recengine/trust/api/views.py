"""``/api/v1/trust/``: every console action of trust & safety, for services too.

People need the permissions of their role; services an API key with the scope
``trust:read`` (reads) or ``trust:write`` (changes). A refused change answers 400
with the reason and changes nothing.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from recengine.api.intake import rejected
from recengine.governance.publishing import current_version
from recengine.models import Merchant
from recengine.services.rows import BatchRejected
from recengine.trust import access, services
from recengine.trust.api import serializers as s
from recengine.trust.services import NewEntry, TrustError

_ROWS = inline_serializer(
    "TrustRowReport",
    {
        "error": serializers.CharField(),
        "detail": serializers.CharField(),
        "rows": serializers.ListField(child=serializers.DictField()),
    },
)
_REFUSED = inline_serializer(
    "TrustRefusal",
    {"error": serializers.CharField(), "detail": serializers.CharField()},
)


def _lists(out, *filters: str):
    """Schema of a paginated list, with its query filters."""
    return extend_schema(
        parameters=[OpenApiParameter(name, str) for name in filters],
        responses=out(many=True),
    )


def _changes(body, out, status_code: int = 200, *, rows: bool = False):
    return extend_schema(
        request=body, responses={status_code: out, 400: _ROWS if rows else _REFUSED}
    )


class TrustPermission(permissions.BasePermission):
    """Reads need the view right, changes the govern right (or the key's scope)."""

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS or getattr(
            view, "read_only", False
        ):
            return access.can_view(request.user, request.auth)
        return access.can_govern(request.user, request.auth)


def _actor(request: Request):
    """The person, or the service behind an API key (named in history reasons)."""
    if getattr(request.user, "pk", None) or getattr(request.user, "api_key", None):
        return request.user
    return None


def _valid(serializer_class, data, **kwargs) -> dict:
    serializer = serializer_class(data=data, **kwargs)
    if not serializer.is_valid():
        raise ValidationError(serializer.errors)
    return serializer.validated_data


def _refused(problem: Exception) -> Response:
    return Response(
        {"error": "refused", "detail": str(problem)}, status=status.HTTP_400_BAD_REQUEST
    )


class TrustView(APIView):
    permission_classes = [TrustPermission]


def _page(request: Request, rows, serializer_class, view) -> Response:
    paginator = LimitOffsetPagination()
    page = paginator.paginate_queryset(rows, request, view=view)
    return paginator.get_paginated_response(serializer_class(page, many=True).data)


class BlacklistView(TrustView):
    @_lists(s.EntryOut, "q", "kind", "state")
    def get(self, request: Request) -> Response:
        filters = access.EntryFilter(
            query=request.query_params.get("q", ""),
            kind=request.query_params.get("kind", ""),
            state=request.query_params.get("state", ""),
        )
        rows = access.entries(request.user, filters, request.auth)
        return _page(request, rows, s.EntryOut, self)

    @_changes(s.EntryIn, s.EntryOut, 201)
    def post(self, request: Request) -> Response:
        data = _valid(s.EntryIn, request.data)
        new = NewEntry(
            kind=data["kind"],
            target=data["target_object"],
            pattern=data["target"] if data["target_object"] is None else "",
            is_regex=data["is_regex"],
            reason=data["reason"],
            clause=data["clause"],
            evidence=data["evidence"],
            starts_at=data.get("starts_at"),
            expires_at=data.get("expires_at"),
        )
        try:
            entry = services.add_blacklist_entry(actor=_actor(request), new=new)
        except TrustError as problem:
            return _refused(problem)
        return Response(s.EntryOut(entry).data, status=status.HTTP_201_CREATED)


class BlacklistBulkView(TrustView):
    @_changes(
        s.BulkIn,
        inline_serializer(
            "BulkAdded",
            {
                "added": serializers.IntegerField(),
                "rows": serializers.ListField(child=serializers.DictField()),
            },
        ),
        201,
        rows=True,
    )
    def post(self, request: Request) -> Response:
        data = _valid(s.BulkIn, request.data)
        try:
            entries = services.bulk_add_blacklist(
                actor=_actor(request),
                rows=data["rows"],
                reason=data["reason"],
                clause=data["clause"],
                evidence=data["evidence"],
                expires_at=data.get("expires_at"),
            )
        except BatchRejected as problem:
            return rejected(problem)
        results = [
            {"row": index, "id": entry.pk, "status": "added"}
            for index, entry in enumerate(entries)
        ]
        return Response({"added": len(entries), "rows": results}, status=201)


class BlacklistEntryView(TrustView):
    @extend_schema(operation_id="trust_blacklist_entry", responses=s.EntryOut)
    def get(self, request: Request, pk: int) -> Response:
        entry = access.entry(request.user, pk, request.auth)
        history = [
            {
                "at": row.history_date,
                "by": str(row.history_user) if row.history_user else None,
                "state": row.state,
                "reason": row.history_change_reason,
            }
            for row in access.entry_history(request.user, entry, request.auth)
        ]
        return Response({**s.EntryOut(entry).data, "history": history})


class LiftView(TrustView):
    """POST ``request`` / ``approve`` / ``reject`` with a reason."""

    actions = {
        "request": services.request_lift,
        "approve": services.approve_lift,
        "reject": services.reject_lift,
    }

    @_changes(s.ReasonIn, s.EntryOut)
    def post(self, request: Request, pk: int, action: str) -> Response:
        if action not in self.actions:
            return Response({"error": "not_found", "detail": "unknown action"}, 404)
        entry = access.entry(request.user, pk, request.auth)
        data = _valid(s.ReasonIn, request.data)
        try:
            entry = self.actions[action](
                actor=_actor(request), entry=entry, reason=data["reason"]
            )
        except TrustError as problem:
            return _refused(problem)
        return Response(s.EntryOut(entry).data)


class PreviewView(TrustView):
    read_only = True

    @extend_schema(
        parameters=[s.PreviewIn],
        responses=inline_serializer(
            "Impact",
            {
                "exposures": serializers.IntegerField(),
                "total_exposures": serializers.IntegerField(),
                "share": serializers.FloatField(),
                "rooms": serializers.IntegerField(),
                "products": serializers.IntegerField(),
                "since": serializers.DateTimeField(),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        data = _valid(s.PreviewIn, request.query_params)
        impact = access.preview_impact(
            request.user,
            data["kind"],
            target=data["target_object"],
            pattern=data["target"],
            is_regex=data["is_regex"],
            auth=request.auth,
        )
        return Response(
            {
                "exposures": impact.exposures,
                "total_exposures": impact.total,
                "share": round(impact.share, 6),
                "rooms": impact.rooms,
                "products": impact.products,
                "since": impact.since,
            }
        )


class CasesView(TrustView):
    @_lists(s.CaseOut, "state")
    def get(self, request: Request) -> Response:
        rows = access.cases(request.user, request.query_params.get("state", ""))
        return _page(request, rows, s.CaseOut, self)

    @extend_schema(request=None, responses={201: s.CaseOut(many=True)})
    def post(self, request: Request) -> Response:
        """Sweep for re-registrations now (the periodic job does so too)."""
        opened = services.detect_reregistrations()
        return Response({"opened": s.CaseOut(opened, many=True).data}, status=201)


class CaseDecisionView(TrustView):
    @_changes(s.DecisionIn, s.CaseOut)
    def post(self, request: Request, pk: int) -> Response:
        case = access.case(request.user, pk, request.auth)
        data = _valid(s.DecisionIn, request.data)
        try:
            case = services.decide_case(
                actor=_actor(request),
                case=case,
                confirm=data["decision"] == "confirm",
                note=data["reason"],
            )
        except TrustError as problem:
            return _refused(problem)
        return Response(s.CaseOut(case).data)


class CreditView(TrustView):
    @_lists(s.CreditOut, "q")
    def get(self, request: Request) -> Response:
        rows = access.credit_rows(request.user, request.query_params.get("q", ""))
        return _page(request, rows, s.CreditOut, self)

    @_changes(
        s.CreditIn,
        inline_serializer("CreditImported", {"imported": serializers.IntegerField()}),
        201,
        rows=True,
    )
    def post(self, request: Request) -> Response:
        """Import credit supervision data (rows or CSV text), all rows or none."""
        data = _valid(s.CreditIn, request.data)
        try:
            written = services.import_credit(
                actor=_actor(request), rows=data["rows"], source=data["source"]
            )
        except BatchRejected as problem:
            return rejected(problem)
        return Response({"imported": written}, status=201)


class RestrictionView(TrustView):
    @_changes(s.RestrictionIn, s.CreditOut)
    def post(self, request: Request, merchant: str) -> Response:
        access.require_govern(request.user, request.auth)
        target = Merchant.objects.filter(external_id=merchant).first()
        if target is None:
            return Response({"error": "not_found", "detail": "unknown merchant"}, 404)
        data = _valid(s.RestrictionIn, request.data)
        try:
            record = services.set_restriction(
                actor=_actor(request),
                merchant=target,
                restricted=data["restricted"],
                reason=data["reason"],
            )
        except TrustError as problem:
            return _refused(problem)
        return Response(s.CreditOut(record).data)


class ViolationsView(TrustView):
    @_lists(s.ViolationOut, "merchant")
    def get(self, request: Request) -> Response:
        rows = access.violations(request.user, request.auth)
        merchant = request.query_params.get("merchant")
        if merchant:
            rows = rows.filter(merchant__external_id=merchant)
        return _page(request, rows, s.ViolationOut, self)

    @_changes(s.ViolationIn, s.ViolationOut, 201)
    def post(self, request: Request) -> Response:
        data = _valid(s.ViolationIn, request.data)
        try:
            violation = services.record_violation(actor=_actor(request), **data)
        except TrustError as problem:
            return _refused(problem)
        return Response(s.ViolationOut(violation).data, status=201)


class AppealsView(TrustView):
    @_lists(s.AppealOut)
    def get(self, request: Request) -> Response:
        return _page(
            request, access.appeals(request.user, request.auth), s.AppealOut, self
        )

    @_changes(s.AppealIn, s.AppealOut, 201)
    def post(self, request: Request) -> Response:
        data = _valid(s.AppealIn, request.data)
        try:
            appeal = services.file_appeal(actor=_actor(request), **data)
        except TrustError as problem:
            return _refused(problem)
        return Response(s.AppealOut(appeal).data, status=201)


class AppealDecisionView(TrustView):
    @_changes(s.AppealDecisionIn, s.AppealOut)
    def post(self, request: Request, pk: int) -> Response:
        appeal = access.appeal(request.user, pk, request.auth)
        data = _valid(s.AppealDecisionIn, request.data)
        try:
            appeal = services.decide_appeal(
                actor=_actor(request),
                appeal=appeal,
                uphold=data["decision"] == "uphold",
                reason=data["reason"],
            )
        except TrustError as problem:
            return _refused(problem)
        return Response(s.AppealOut(appeal).data)


class QualityView(TrustView):
    @_lists(s.QualityOut)
    def get(self, request: Request) -> Response:
        rows = access.quality_scores(request.user, request.auth)
        return _page(request, rows, s.QualityOut, self)

    @extend_schema(
        request=None,
        responses={
            201: inline_serializer(
                "QualityComputed", {"merchants": serializers.IntegerField()}
            )
        },
    )
    def post(self, request: Request) -> Response:
        """Recompute quality scores now and publish their boosts."""
        written = services.compute_quality_scores(actor=_actor(request))
        return Response({"merchants": written}, status=201)


class PolicyView(TrustView):
    @extend_schema(
        responses=inline_serializer(
            "PolicyVersions",
            {
                "current_version": serializers.IntegerField(),
                "recent": s.PolicyVersionOut(many=True),
            },
        )
    )
    def get(self, request: Request) -> Response:
        versions = access.policy_versions(request.user, request.auth)[:20]
        return Response(
            {
                "current_version": current_version(),
                "recent": s.PolicyVersionOut(versions, many=True).data,
            }
        )
