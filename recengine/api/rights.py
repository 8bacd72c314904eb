"""``/api/v1/me/...``: the signed-in viewer's own tags, switch, feedback and data.

A viewer authenticates with their portal session, so every unsafe method needs
the CSRF token (DRF's session authentication enforces it). API keys are refused:
a platform service never acts as a viewer. Nothing here takes a viewer id; ids of
tags are looked up among the caller's own, so another viewer's id is a 404.
"""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from recengine.models import InterestSource, Scene, Viewer, ViewerInterest
from recengine.services import rights
from recengine.serving import recommend


class IsViewer(permissions.BasePermission):
    """A signed-in person linked to a platform viewer."""

    message = "Only a signed-in viewer may use this endpoint."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        request.viewer = Viewer.objects.filter(user=user).first()
        return request.viewer is not None


class ViewerRightsThrottle(UserRateThrottle):
    scope = "viewer_rights"
    rate = "120/minute"


class MeView(APIView):
    authentication_classes = [SessionAuthentication]
    permission_classes = [IsViewer]
    throttle_classes = [ViewerRightsThrottle]


class TagSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="tag.code")
    name = serializers.SerializerMethodField()
    source = serializers.ChoiceField(choices=InterestSource.values)

    class Meta:
        model = ViewerInterest
        fields = ["id", "code", "name", "weight", "source", "example", "updated_at"]

    def get_name(self, interest: ViewerInterest) -> str:
        return interest.tag.name_zh


def _tags(viewer: Viewer):
    return viewer.interests.select_related("tag").order_by("-weight", "tag__code")


class TagsView(MeView):
    @extend_schema(responses=TagSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(TagSerializer(_tags(request.viewer), many=True).data)

    @extend_schema(
        responses=inline_serializer(
            "TagsDeleted", {"deleted": serializers.IntegerField()}
        )
    )
    def delete(self, request: Request) -> Response:
        deleted = rights.delete_all_tags(
            actor=request.user, viewer=request.viewer, now=timezone.now()
        )
        return Response({"deleted": deleted})


class TagView(MeView):
    @extend_schema(operation_id="me_tag_delete", responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        try:
            rights.delete_tag(
                actor=request.user,
                viewer=request.viewer,
                interest_id=pk,
                now=timezone.now(),
            )
        except ViewerInterest.DoesNotExist:
            raise NotFound("You hold no interest tag with this id.") from None
        return Response(status=status.HTTP_204_NO_CONTENT)


class SwitchSerializer(serializers.Serializer):
    enabled = serializers.BooleanField()


class SwitchHistorySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    by = serializers.CharField()
    old = serializers.BooleanField()
    new = serializers.BooleanField()


_SWITCH_STATE = inline_serializer(
    "Personalization",
    {
        "enabled": serializers.BooleanField(),
        "history": SwitchHistorySerializer(many=True),
    },
)


def _switch_state(viewer: Viewer) -> dict:
    history = rights.personalization_history(viewer)
    return {
        "enabled": viewer.personalization_enabled,
        "history": SwitchHistorySerializer(history, many=True).data,
    }


class PersonalizationView(MeView):
    @extend_schema(responses=_SWITCH_STATE)
    def get(self, request: Request) -> Response:
        return Response(_switch_state(request.viewer))

    @extend_schema(request=SwitchSerializer, responses=_SWITCH_STATE)
    def put(self, request: Request) -> Response:
        body = SwitchSerializer(data=request.data)
        if not body.is_valid():
            raise ValidationError(body.errors)
        viewer = rights.set_personalization(
            actor=request.user,
            viewer=request.viewer,
            enabled=body.validated_data["enabled"],
        )
        return Response(_switch_state(viewer))


class FeedbackSerializer(serializers.Serializer):
    item = serializers.CharField(
        max_length=64, help_text="The item's id as the recommendations answer it"
    )
    kind = serializers.ChoiceField(choices=["not_interested"])
    item_kind = serializers.ChoiceField(
        choices=list(rights.ITEM_KINDS),
        required=False,
        help_text="live_room or product; needed only when both use the id",
    )


class FeedbackView(MeView):
    @extend_schema(
        request=FeedbackSerializer,
        responses={
            201: inline_serializer(
                "FeedbackRecorded",
                {
                    "item": serializers.CharField(),
                    "item_kind": serializers.CharField(),
                    "kind": serializers.CharField(),
                    "at": serializers.DateTimeField(),
                },
            )
        },
    )
    def post(self, request: Request) -> Response:
        body = FeedbackSerializer(data=request.data)
        if not body.is_valid():
            raise ValidationError(body.errors)
        data = body.validated_data
        try:
            item = rights.resolve_item(data["item"], data.get("item_kind"))
        except rights.RightsError as problem:
            raise ValidationError({"item": [str(problem)]}) from None
        event = rights.record_not_interested(
            actor=request.user, viewer=request.viewer, item=item, now=timezone.now()
        )
        kind = "live_room" if event.room_id else "product"
        payload = {
            "item": item.external_id,
            "item_kind": kind,
            "kind": data["kind"],
            "at": event.occurred_at,
        }
        return Response(payload, status=status.HTTP_201_CREATED)


class DataView(MeView):
    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        data = rights.export_data(
            actor=request.user, viewer=request.viewer, now=timezone.now()
        )
        response = Response(data)
        response["Content-Disposition"] = 'attachment; filename="my-data.json"'
        return response


class MyRecommendationsQuery(serializers.Serializer):
    scene = serializers.ChoiceField(choices=Scene.values, default=Scene.LIVE_FEED)
    size = serializers.IntegerField(min_value=1, max_value=50, default=10)


class MyRecommendationsView(MeView):
    """The viewer's own feed as the recommendation endpoint answers it; a preview,
    so no exposure is logged."""

    @extend_schema(
        parameters=[MyRecommendationsQuery],
        responses=inline_serializer(
            "MyRecommendations",
            {
                "items": inline_serializer(
                    "MyServedItem",
                    {
                        "id": serializers.CharField(),
                        "kind": serializers.CharField(),
                        "score": serializers.FloatField(),
                        "labels": serializers.ListField(child=serializers.CharField()),
                        "reason": serializers.CharField(),
                    },
                    many=True,
                ),
                "strategy": serializers.CharField(),
                "model_version": serializers.CharField(),
                "policy_version": serializers.IntegerField(),
                "request_id": serializers.CharField(),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        query = MyRecommendationsQuery(data=request.query_params)
        if not query.is_valid():
            raise ValidationError(query.errors)
        result = recommend(
            viewer_id=request.viewer.pk,
            scene=query.validated_data["scene"],
            size=query.validated_data["size"],
            now=timezone.now(),
            record=False,
            personalization=request.viewer.personalization_enabled,
        )
        return Response(result.as_dict())
