"""Integration endpoints: catalogue upserts and event batches from the platform."""

from __future__ import annotations

import logging

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from recengine.api.auth import HasScope
from recengine.models import ApiScope
from recengine.services.catalogue import KINDS, upsert_catalogue
from recengine.services.events import ingest_events
from recengine.services.rows import BatchRejected

logger = logging.getLogger(__name__)

_ROWS = serializers.ListField(child=serializers.DictField())
_REJECTION = inline_serializer(
    "BatchRejection",
    {
        "error": serializers.CharField(),
        "detail": serializers.CharField(),
        "rows": serializers.ListField(child=serializers.DictField()),
    },
)


def _rows(request: Request, name: str):
    """Accept ``{"<name>": [...]}`` or a bare list; anything else is one clear error."""
    if isinstance(request.data, list):
        return request.data
    if isinstance(request.data, dict) and name in request.data:
        return request.data[name]
    return None


def rejected(problem: BatchRejected) -> Response:
    return Response(
        {
            "error": "invalid_rows",
            "detail": str(problem),
            "rows": [error.as_dict() for error in problem.errors],
        },
        status=status.HTTP_400_BAD_REQUEST,
    )


class CatalogueUpsertView(APIView):
    """Create or update catalogue rows by external id: all rows of a batch or none."""

    permission_classes = [HasScope]
    required_scope = ApiScope.CATALOGUE_WRITE
    staff_permission = "recengine.change_product"

    @extend_schema(
        parameters=[
            OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=sorted(KINDS))
        ],
        request=inline_serializer("CatalogueBatch", {"rows": _ROWS}),
        responses={
            200: inline_serializer(
                "UpsertResult",
                {
                    "created": serializers.IntegerField(),
                    "updated": serializers.IntegerField(),
                },
            ),
            400: _REJECTION,
        },
    )
    def post(self, request: Request, kind: str) -> Response:
        if kind not in KINDS:
            raise NotFound(f"Unknown catalogue kind {kind!r}; one of {sorted(KINDS)}.")
        actor = request.user if getattr(request.user, "pk", None) else None
        try:
            result = upsert_catalogue(
                kind, _rows(request, "rows"), actor=actor, reason=_reason(request, kind)
            )
        except BatchRejected as problem:
            return rejected(problem)
        return Response({"created": result.created, "updated": result.updated})


def _reason(request: Request, kind: str) -> str:
    key = getattr(request.user, "api_key", None)
    caller = f"api key {key.prefix}" if key else f"user {request.user.pk}"
    return f"{kind} upsert via API by {caller}"


class EventBatchView(APIView):
    """Append a batch of events, idempotent by ``event_id``; all rows or none."""

    permission_classes = [HasScope]
    required_scope = ApiScope.EVENTS_WRITE
    staff_permission = "recengine.add_event"

    @extend_schema(
        request=inline_serializer("EventBatch", {"events": _ROWS}),
        responses={
            200: inline_serializer(
                "IngestResult",
                {
                    "received": serializers.IntegerField(),
                    "inserted": serializers.IntegerField(),
                    "duplicates": serializers.IntegerField(),
                },
            ),
            400: _REJECTION,
        },
    )
    def post(self, request: Request) -> Response:
        try:
            result = ingest_events(_rows(request, "events"))
        except BatchRejected as problem:
            return rejected(problem)
        return Response(result.as_dict())
