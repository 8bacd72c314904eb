"""Read-only admin views: changes go through the services, which write history."""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from recengine.trust.models import (
    BlacklistEntry,
    MerchantAppeal,
    MerchantCredit,
    PolicyVersion,
    QualityScore,
    ReregistrationCase,
    Violation,
)


class ReadOnlyAdmin(SimpleHistoryAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(BlacklistEntry)
class BlacklistEntryAdmin(ReadOnlyAdmin):
    list_display = ("pk", "kind", "pattern", "reason", "state", "starts_at")
    list_filter = ("kind", "state", "clause")
    search_fields = ("pattern", "reason")


@admin.register(ReregistrationCase)
class ReregistrationCaseAdmin(ReadOnlyAdmin):
    list_display = ("pk", "entry", "matched_on", "state", "detected_at")
    list_filter = ("state", "matched_on")


@admin.register(MerchantCredit)
class MerchantCreditAdmin(ReadOnlyAdmin):
    list_display = ("merchant", "score", "tier", "restricted", "updated_at")
    list_filter = ("tier", "restricted")


@admin.register(Violation)
class ViolationAdmin(ReadOnlyAdmin):
    list_display = ("merchant", "kind", "occurred_on")
    list_filter = ("kind",)


@admin.register(MerchantAppeal)
class MerchantAppealAdmin(ReadOnlyAdmin):
    list_display = ("merchant", "state", "filed_at", "decided_at")
    list_filter = ("state",)


@admin.register(PolicyVersion)
class PolicyVersionAdmin(ReadOnlyAdmin):
    list_display = ("version", "published_at", "published_by", "clause", "reason")


@admin.register(QualityScore)
class QualityScoreAdmin(ReadOnlyAdmin):
    list_display = ("merchant", "score", "boost", "computed_at")
