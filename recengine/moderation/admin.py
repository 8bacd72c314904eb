"""Django admin for moderation and AIGC records: read-only, with their history.

Decisions need a statement of reasons and labels a signature, which only the
services write; the admin is for looking, the console for acting.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from recengine.moderation.models import (
    AigcCase,
    AigcLabel,
    Appeal,
    ConsentRecord,
    Decision,
    ModerationCase,
    PublicFigure,
    ScreenModel,
)


class ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(ModerationCase)
class ModerationCaseAdmin(ReadOnly, SimpleHistoryAdmin):
    list_display = ("pk", "kind", "queue", "status", "risk_score", "high_risk")
    list_filter = ("queue", "status", "kind", "high_risk", "current")


@admin.register(Decision)
class DecisionAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("pk", "case", "outcome", "queue", "automated", "decided_at")
    list_filter = ("outcome", "automated", "queue")


@admin.register(ScreenModel)
class ScreenModelAdmin(ReadOnly, SimpleHistoryAdmin):
    list_display = ("version", "precision", "recall", "is_active", "trained_at")
    exclude = ("artifact",)


@admin.register(Appeal)
class AppealAdmin(ReadOnly, SimpleHistoryAdmin):
    list_display = ("pk", "case", "status", "filed_at", "decided_at")


@admin.register(AigcLabel)
class AigcLabelAdmin(ReadOnly, SimpleHistoryAdmin):
    list_display = ("pk", "content", "tier", "explicit", "room", "product", "active")
    list_filter = ("content", "tier", "active")


@admin.register(AigcCase)
class AigcCaseAdmin(ReadOnly, SimpleHistoryAdmin):
    list_display = ("pk", "verdict", "status", "restricted", "escalated", "opened_at")
    list_filter = ("verdict", "status", "restricted")


@admin.register(PublicFigure)
class PublicFigureAdmin(ReadOnly, SimpleHistoryAdmin):
    list_display = ("code", "name")


@admin.register(ConsentRecord)
class ConsentRecordAdmin(ReadOnly, SimpleHistoryAdmin):
    list_display = ("figure", "anchor", "granted_at", "expires_at")
