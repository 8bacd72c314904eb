"""Serializers of the moderation and AIGC API."""

from __future__ import annotations

from rest_framework import serializers

from recengine.moderation.models import (
    AigcCase,
    AigcContent,
    AigcLabel,
    Appeal,
    Decision,
    ModerationCase,
    PublicFigure,
)


class DecisionSerializer(serializers.ModelSerializer):
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Decision
        fields = [
            "id",
            "outcome",
            "queue",
            "ground",
            "facts",
            "automated",
            "redress",
            "decided_by",
            "decided_at",
            "batch",
            "appeal",
        ]


class CaseSerializer(serializers.ModelSerializer):
    target = serializers.SerializerMethodField()
    claimed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ModerationCase
        fields = [
            "id",
            "kind",
            "target",
            "excerpt",
            "risk_score",
            "model_probability",
            "rule_hits",
            "high_risk",
            "ai_synthesised",
            "queue",
            "priority",
            "status",
            "screened_at",
            "claimed_by",
            "decided_at",
        ]

    def get_target(self, case: ModerationCase) -> dict[str, str] | None:
        for kind, entity in (
            ("product", case.product),
            ("live_room", case.room),
            ("anchor", case.anchor),
        ):
            if entity is not None:
                return {"kind": kind, "id": entity.external_id}
        return None


class CaseDetailSerializer(CaseSerializer):
    decisions = DecisionSerializer(many=True, read_only=True)

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "decisions"]


class StatementSerializer(serializers.Serializer):
    outcome = serializers.CharField()
    ground = serializers.CharField(allow_blank=True, trim_whitespace=False)
    facts = serializers.CharField(allow_blank=True, trim_whitespace=False)
    redress = serializers.CharField(required=False, allow_blank=True, default="")


class BulkStatementSerializer(StatementSerializer):
    cases = serializers.ListField(child=serializers.IntegerField(min_value=1))


class AppealFilingSerializer(serializers.Serializer):
    statement = serializers.CharField(allow_blank=True)


class AppealDecisionSerializer(serializers.Serializer):
    uphold = serializers.BooleanField()
    ground = serializers.CharField(allow_blank=True)
    facts = serializers.CharField(allow_blank=True)
    redress = serializers.CharField(required=False, allow_blank=True, default="")


class AppealSerializer(serializers.ModelSerializer):
    class Meta:
        model = Appeal
        fields = ["id", "case", "statement", "status", "filed_at", "decided_at"]


TARGET_KINDS = ["live_room", "product"]


class DeclarationSerializer(serializers.Serializer):
    target_kind = serializers.ChoiceField(choices=TARGET_KINDS)
    target = serializers.CharField(max_length=64)
    content = serializers.ChoiceField(choices=AigcContent.values)
    file = serializers.FileField(required=False)


class LabelSerializer(serializers.ModelSerializer):
    target = serializers.SerializerMethodField()

    class Meta:
        model = AigcLabel
        fields = [
            "id",
            "content",
            "target",
            "tier",
            "explicit",
            "content_hash",
            "metadata",
            "signature",
            "created_at",
            "active",
        ]

    def get_target(self, label: AigcLabel) -> dict[str, str]:
        if label.room is not None:
            return {"kind": "live_room", "id": label.room.external_id}
        return {"kind": "product", "id": label.product.external_id}


class VerificationSerializer(serializers.Serializer):
    target_kind = serializers.ChoiceField(choices=TARGET_KINDS)
    target = serializers.CharField(max_length=64)
    metadata = serializers.JSONField(required=False, allow_null=True, default=None)
    signature = serializers.CharField(required=False, allow_blank=True, default="")
    file = serializers.FileField()


class AigcCaseSerializer(serializers.ModelSerializer):
    class Meta:
        model = AigcCase
        fields = [
            "id",
            "verdict",
            "room",
            "product",
            "anchor",
            "label",
            "detail",
            "status",
            "restricted",
            "escalated",
            "opened_at",
        ]


class RestrictionSerializer(serializers.Serializer):
    restricted = serializers.BooleanField()
    reason = serializers.CharField(allow_blank=True)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class FigureSerializer(serializers.ModelSerializer):
    class Meta:
        model = PublicFigure
        fields = ["id", "code", "name", "aliases", "created_at"]
        read_only_fields = ["id", "created_at"]
        extra_kwargs = {"code": {"validators": []}}


class ConsentSerializer(serializers.Serializer):
    anchor = serializers.CharField(max_length=64)
    evidence = serializers.CharField(allow_blank=True)
    expires_at = serializers.DateTimeField(required=False, allow_null=True)
