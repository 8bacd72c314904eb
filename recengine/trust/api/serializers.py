"""Input checks and output shapes of the trust & safety API."""

from __future__ import annotations

import csv
import io

from rest_framework import serializers

from recengine.models import Anchor, LiveRoom, Merchant, Product
from recengine.trust.models import (
    BlacklistEntry,
    Clause,
    MerchantAppeal,
    MerchantCredit,
    PolicyVersion,
    QualityScore,
    ReregistrationCase,
    TargetKind,
    Violation,
    ViolationKind,
)

MAX_CSV_BYTES = 1024 * 1024
TARGETS = {
    TargetKind.ANCHOR: Anchor,
    TargetKind.MERCHANT: Merchant,
    TargetKind.PRODUCT: Product,
    TargetKind.LIVE_ROOM: LiveRoom,
}


def _external(instance) -> str | None:
    return instance.external_id if instance is not None else None


class EntryOut(serializers.ModelSerializer):
    target = serializers.SerializerMethodField()
    created_by = serializers.StringRelatedField()
    lift_requested_by = serializers.StringRelatedField()
    lifted_by = serializers.StringRelatedField()

    class Meta:
        model = BlacklistEntry
        fields = [
            "id",
            "kind",
            "target",
            "pattern",
            "is_regex",
            "reason",
            "clause",
            "evidence",
            "starts_at",
            "expires_at",
            "state",
            "created_by",
            "created_at",
            "lift_requested_by",
            "lift_reason",
            "lifted_by",
            "lifted_at",
            "matched_rooms",
            "matched_products",
        ]

    def get_target(self, entry: BlacklistEntry) -> str | None:
        return _external(entry.target) if entry.kind != TargetKind.KEYWORD else None


class EntryIn(serializers.Serializer):
    """``target`` is an external id, or the keyword / pattern for ``keyword``."""

    kind = serializers.ChoiceField(choices=TargetKind.choices)
    target = serializers.CharField(max_length=200)
    is_regex = serializers.BooleanField(default=False)
    reason = serializers.CharField(max_length=500)
    clause = serializers.ChoiceField(choices=Clause.choices, default=Clause.BLACKLIST)
    evidence = serializers.CharField(max_length=5000, required=False, default="")
    starts_at = serializers.DateTimeField(required=False, allow_null=True)
    expires_at = serializers.DateTimeField(required=False, allow_null=True)

    def validate(self, data: dict) -> dict:
        kind = data["kind"]
        if kind == TargetKind.KEYWORD:
            data["target_object"] = None
            return data
        found = TARGETS[kind].objects.filter(external_id=data["target"]).first()
        if found is None:
            raise serializers.ValidationError(
                {"target": f"unknown {kind} {data['target']!r}"}
            )
        data["target_object"] = found
        return data


class PreviewIn(serializers.Serializer):
    kind = serializers.ChoiceField(choices=TargetKind.choices)
    target = serializers.CharField(max_length=200)
    is_regex = serializers.BooleanField(default=False)

    validate = EntryIn.validate


def parse_list(text: str) -> list[dict[str, str]]:
    """CSV with a ``kind,target`` header, or a pasted list of ``kind,target`` lines."""
    if len(text.encode()) > MAX_CSV_BYTES:
        raise serializers.ValidationError(
            {"csv": f"at most {MAX_CSV_BYTES} bytes per upload"}
        )
    lines = [line for line in text.splitlines() if line.strip()]
    if lines and lines[0].replace(" ", "").lower().startswith("kind,target"):
        lines = lines[1:]
    rows = []
    for cells in csv.reader(lines):
        cells = [cell.strip() for cell in cells]
        rows.append({"kind": cells[0] if cells else "", "target": ",".join(cells[1:])})
    return rows


def parse_csv(text: str) -> list[dict[str, str]]:
    """A CSV with a header row, as a list of column -> cell dicts."""
    if len(text.encode()) > MAX_CSV_BYTES:
        raise serializers.ValidationError(
            {"csv": f"at most {MAX_CSV_BYTES} bytes per upload"}
        )
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    return [
        {key.strip(): (value or "").strip() for key, value in row.items() if key}
        for row in reader
    ]


class BulkIn(serializers.Serializer):
    """Rows as JSON, or the text of a CSV / pasted list; one shared reason."""

    rows = serializers.ListField(
        child=serializers.DictField(child=serializers.CharField()), required=False
    )
    csv = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    reason = serializers.CharField(max_length=500)
    clause = serializers.ChoiceField(choices=Clause.choices, default=Clause.BLACKLIST)
    evidence = serializers.CharField(max_length=5000, required=False, default="")
    expires_at = serializers.DateTimeField(required=False, allow_null=True)

    def validate(self, data: dict) -> dict:
        if data.get("rows") is None and not data.get("csv", "").strip():
            raise serializers.ValidationError({"rows": "give rows or csv"})
        if data.get("rows") is None:
            data["rows"] = parse_list(data["csv"])
        return data


class ReasonIn(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class DecisionIn(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["confirm", "dismiss"])
    reason = serializers.CharField(max_length=500)


class CaseOut(serializers.ModelSerializer):
    suspect = serializers.SerializerMethodField()
    suspect_kind = serializers.SerializerMethodField()
    decided_by = serializers.StringRelatedField()

    class Meta:
        model = ReregistrationCase
        fields = [
            "id",
            "entry",
            "suspect_kind",
            "suspect",
            "matched_on",
            "state",
            "detected_at",
            "decided_by",
            "decided_at",
            "decision_note",
        ]

    def get_suspect(self, case: ReregistrationCase) -> str:
        return case.suspect.external_id

    def get_suspect_kind(self, case: ReregistrationCase) -> str:
        return TargetKind.ANCHOR if case.anchor_id else TargetKind.MERCHANT


class CreditIn(serializers.Serializer):
    rows = serializers.ListField(child=serializers.DictField(), required=False)
    csv = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    source = serializers.CharField(max_length=120)

    def validate(self, data: dict) -> dict:
        if data.get("rows") is None and not data.get("csv", "").strip():
            raise serializers.ValidationError({"rows": "give rows or csv"})
        if data.get("rows") is None:
            data["rows"] = parse_csv(data["csv"])
        return data


class CreditOut(serializers.ModelSerializer):
    merchant = serializers.SlugRelatedField(slug_field="external_id", read_only=True)
    multiplier = serializers.SerializerMethodField()
    cap = serializers.SerializerMethodField()

    class Meta:
        model = MerchantCredit
        fields = [
            "merchant",
            "score",
            "tier",
            "restricted",
            "multiplier",
            "cap",
            "orders",
            "complaints",
            "returns",
            "source",
            "updated_at",
        ]

    def get_multiplier(self, record: MerchantCredit) -> float:
        from recengine.trust.credit import exposure

        return exposure(record.tier, restricted=record.restricted)[0]

    def get_cap(self, record: MerchantCredit) -> int:
        from recengine.trust.credit import exposure

        return exposure(record.tier, restricted=record.restricted)[1]


class RestrictionIn(serializers.Serializer):
    restricted = serializers.BooleanField()
    reason = serializers.CharField(max_length=500)


class ViolationIn(serializers.Serializer):
    merchant = serializers.SlugRelatedField(
        slug_field="external_id", queryset=Merchant.objects.all()
    )
    kind = serializers.ChoiceField(choices=ViolationKind.choices)
    occurred_on = serializers.DateField()
    description = serializers.CharField(max_length=5000)
    source = serializers.CharField(max_length=120, required=False, default="")


class ViolationOut(serializers.ModelSerializer):
    merchant = serializers.SlugRelatedField(slug_field="external_id", read_only=True)
    recorded_by = serializers.StringRelatedField()

    class Meta:
        model = Violation
        fields = [
            "id",
            "merchant",
            "kind",
            "occurred_on",
            "description",
            "source",
            "recorded_by",
            "recorded_at",
        ]


class AppealIn(serializers.Serializer):
    merchant = serializers.SlugRelatedField(
        slug_field="external_id", queryset=Merchant.objects.all()
    )
    statement = serializers.CharField(max_length=5000)
    requested_score = serializers.FloatField(
        min_value=0, max_value=100, required=False, allow_null=True
    )


class AppealDecisionIn(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["uphold", "reject"])
    reason = serializers.CharField(max_length=500)


class AppealOut(serializers.ModelSerializer):
    merchant = serializers.SlugRelatedField(slug_field="external_id", read_only=True)
    filed_by = serializers.StringRelatedField()
    decided_by = serializers.StringRelatedField()

    class Meta:
        model = MerchantAppeal
        fields = [
            "id",
            "merchant",
            "statement",
            "requested_score",
            "state",
            "filed_by",
            "filed_at",
            "decided_by",
            "decided_at",
            "decision_reason",
        ]


class QualityOut(serializers.ModelSerializer):
    merchant = serializers.SlugRelatedField(slug_field="external_id", read_only=True)

    class Meta:
        model = QualityScore
        fields = ["merchant", "score", "boost", "components", "computed_at"]


class PolicyVersionOut(serializers.ModelSerializer):
    published_by = serializers.StringRelatedField()

    class Meta:
        model = PolicyVersion
        fields = ["version", "published_at", "published_by", "reason", "clause"]
