"""``GET /api/v1/recommendations/``: the serving endpoint of DESIGN.md."""

from __future__ import annotations

import time

from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
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


class RecommendationQuery(serializers.Serializer):
    viewer = serializers.CharField(max_length=64, help_text="Platform user id")
    scene = serializers.ChoiceField(choices=Scene.values)
    size = serializers.IntegerField(min_value=1, max_value=MAX_SIZE, default=20)


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
