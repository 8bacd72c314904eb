"""``GET /api/v1/recommendations/``: the serving endpoint of DESIGN.md."""

from __future__ import annotations

import time

from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from recengine.api.auth import HasScope
from recengine.models import ApiScope, Scene
from recengine.pseudonym import pseudonym_for
from recengine.serving import recommend
from recengine.serving.latency import LATENCY
from recengine.serving.viewers import DIRECTORY

MAX_SIZE = 100
DEFAULT_SIZE = 20
_SCENES = frozenset(Scene.values)


class RecommendationQuery(serializers.Serializer):
    viewer = serializers.CharField(max_length=64, help_text="Platform user id")
    scene = serializers.ChoiceField(choices=Scene.values)
    size = serializers.IntegerField(
        min_value=1, max_value=MAX_SIZE, default=DEFAULT_SIZE
    )


def plain_query(params) -> dict | None:
    """The query when it is plainly valid, read without building a serializer.

    Only values the serializer would accept unchanged pass: a printable viewer
    without surrounding blanks, a known scene and a size of ASCII digits within
    range. Anything else returns ``None`` and goes through ``RecommendationQuery``,
    which says what is wrong; so both paths accept and refuse the same queries.
    """
    viewer = params.get("viewer")
    scene = params.get("scene")
    size = params.get("size", str(DEFAULT_SIZE))
    if (
        viewer is None
        or not 0 < len(viewer) <= 64
        or not viewer.isprintable()
        or viewer != viewer.strip()
        or scene not in _SCENES
        or not (0 < len(size) <= 3 and size.isascii() and size.isdigit())
    ):
        return None
    number = int(size)
    if not 1 <= number <= MAX_SIZE:
        return None
    return {"viewer": viewer, "scene": scene, "size": number}


class JsonOnly(BaseContentNegotiation):
    """Serving answers JSON whatever the client accepts; no negotiation to pay for."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        renderer = renderers[0]
        return renderer, renderer.media_type


_ITEM = inline_serializer(
    "ServedItem",
    {
        "id": serializers.CharField(),
        "kind": serializers.ChoiceField(choices=["live_room", "product"]),
        "score": serializers.FloatField(),
        "labels": serializers.ListField(child=serializers.CharField()),
        "reason": serializers.CharField(),
    },
)


class RecommendationView(APIView):
    permission_classes = [HasScope]
    required_scope = ApiScope.RECOMMENDATIONS_READ
    staff_permission = "recengine.view_liveroom"
    renderer_classes = [JSONRenderer]
    content_negotiation_class = JsonOnly

    @extend_schema(
        parameters=[RecommendationQuery],
        responses=inline_serializer(
            "Recommendations",
            {
                "items": serializers.ListField(child=_ITEM),
                "strategy": serializers.CharField(),
                "model_version": serializers.CharField(),
                "policy_version": serializers.IntegerField(),
                "request_id": serializers.CharField(),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        started = time.perf_counter()
        params = plain_query(request.query_params)
        if params is None:
            query = RecommendationQuery(data=request.query_params)
            if not query.is_valid():
                raise ValidationError(query.errors)
            params = query.validated_data
        # The viewer and their personalisation switch (6.3.1), from process memory
        # that a switch turned off anywhere updates before the next response. A
        # viewer the platform has not registered yet is served like a new user.
        viewer_id, personalization = DIRECTORY.lookup(pseudonym_for(params["viewer"]))
        result = recommend(
            viewer_id=viewer_id,
            scene=params["scene"],
            size=params["size"],
            now=timezone.now(),
            personalization=personalization,
        )
        response = Response(result.as_dict())

        # The response time clause 5.5 asks about; rendering the JSON comes after.
        elapsed_ms = (time.perf_counter() - started) * 1000
        LATENCY.add(params["scene"], result.strategy, elapsed_ms, timezone.now())
        return response
