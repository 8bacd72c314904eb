"""Django admin for the engine's data, for superusers.

Governed models use ``SimpleHistoryAdmin`` so that every edit made here lands in the
same history as changes made through the services. Records that must not be edited
by hand are read-only: the event log is append-only, API keys are issued and revoked
in the console (so the secret is never visible), and viewer data changes only through
the viewer's own rights requests.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from recengine.models import (
    Anchor,
    ApiKey,
    BroadcastSession,
    Category,
    Event,
    GroundTruth,
    InterestTag,
    LiveRoom,
    Merchant,
    ModelVersion,
    PlatformSnapshot,
    Product,
    RankingConfig,
    ShortVideo,
    SimulationRun,
    Viewer,
    ViewerIdentity,
    ViewerInterest,
)
from recengine.models.rights import DataExport, TagSuppression


class ReadOnlyMixin:
    """Viewable by those with the view permission; never added, edited or deleted."""

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class LargeTableMixin:
    # Counting millions of rows on every page load is slower than the page itself.
    show_full_result_count = False
    list_per_page = 50


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name_zh", "name_en")
    search_fields = ("code", "name_zh", "name_en")


@admin.register(Anchor)
class AnchorAdmin(LargeTableMixin, SimpleHistoryAdmin):
    list_display = (
        "name",
        "external_id",
        "specialty",
        "is_digital_human",
        "created_at",
    )
    list_filter = ("is_digital_human", "specialty")
    search_fields = ("name", "external_id")
    list_select_related = ("specialty",)
    date_hierarchy = "created_at"


@admin.register(Merchant)
class MerchantAdmin(LargeTableMixin, SimpleHistoryAdmin):
    list_display = ("name", "external_id", "created_at")
    search_fields = ("name", "external_id")
    date_hierarchy = "created_at"


@admin.register(Product)
class ProductAdmin(LargeTableMixin, SimpleHistoryAdmin):
    list_display = ("title", "external_id", "merchant", "category", "price")
    list_filter = ("category",)
    search_fields = ("title", "external_id", "merchant__name")
    list_select_related = ("merchant", "category")
    raw_id_fields = ("merchant",)


class BroadcastSessionInline(admin.TabularInline):
    model = BroadcastSession
    fields = ("external_id", "started_at", "ended_at")
    extra = 0
    show_change_link = True
    ordering = ("-started_at",)


@admin.register(LiveRoom)
class LiveRoomAdmin(LargeTableMixin, SimpleHistoryAdmin):
    list_display = ("title", "external_id", "anchor", "merchant", "category")
    list_filter = ("virtual_background", "category")
    search_fields = ("title", "external_id", "anchor__name", "merchant__name")
    list_select_related = ("anchor", "merchant", "category")
    raw_id_fields = ("anchor", "merchant")
    filter_horizontal = ("products",)
    inlines = [BroadcastSessionInline]


@admin.register(BroadcastSession)
class BroadcastSessionAdmin(LargeTableMixin, admin.ModelAdmin):
    list_display = ("external_id", "room", "started_at", "ended_at")
    list_filter = (("ended_at", admin.EmptyFieldListFilter),)
    search_fields = ("external_id", "room__title", "room__external_id")
    list_select_related = ("room",)
    raw_id_fields = ("room",)
    date_hierarchy = "started_at"


@admin.register(ShortVideo)
class ShortVideoAdmin(LargeTableMixin, admin.ModelAdmin):
    list_display = ("title", "external_id", "anchor", "product", "category")
    list_filter = ("category",)
    search_fields = ("title", "external_id")
    list_select_related = ("anchor", "product", "category")
    raw_id_fields = ("anchor", "product")


@admin.register(InterestTag)
class InterestTagAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name_zh", "name_en", "category", "is_sensitive")
    list_filter = ("is_sensitive", "category")
    search_fields = ("code", "name_zh", "name_en")


class ViewerInterestInline(ReadOnlyMixin, admin.TabularInline):
    model = ViewerInterest
    fields = ("tag", "weight", "source", "updated_at")
    readonly_fields = fields
    extra = 0


@admin.register(Viewer)
class ViewerAdmin(ReadOnlyMixin, LargeTableMixin, SimpleHistoryAdmin):
    list_display = (
        "pseudonym",
        "region",
        "spending_level",
        "personalization_enabled",
        "user",
    )
    list_filter = ("region", "spending_level", "personalization_enabled")
    search_fields = ("pseudonym",)
    list_select_related = ("user",)
    inlines = [ViewerInterestInline]


@admin.register(ViewerIdentity)
class ViewerIdentityAdmin(ReadOnlyMixin, LargeTableMixin, admin.ModelAdmin):
    # Sensitive personal information (clause 7.3): never in lists or search.
    list_display = ("viewer",)
    raw_id_fields = ("viewer",)


@admin.register(ViewerInterest)
class ViewerInterestAdmin(ReadOnlyMixin, LargeTableMixin, SimpleHistoryAdmin):
    list_display = ("viewer", "tag", "weight", "source", "updated_at")
    list_filter = ("source", "tag")
    list_select_related = ("viewer", "tag")
    search_fields = ("viewer__pseudonym", "tag__code")


# Viewer rights (clause 6.3): changed only by the viewer, through the portal or API.
@admin.register(TagSuppression)
class TagSuppressionAdmin(ReadOnlyMixin, LargeTableMixin, SimpleHistoryAdmin):
    list_display = ("viewer", "tag", "suppressed_at")
    list_select_related = ("viewer", "tag")
    search_fields = ("viewer__pseudonym", "tag__code")


@admin.register(DataExport)
class DataExportAdmin(ReadOnlyMixin, LargeTableMixin, admin.ModelAdmin):
    list_display = ("viewer", "exported_at", "sha256")
    list_select_related = ("viewer",)
    search_fields = ("viewer__pseudonym",)


@admin.register(Event)
class EventAdmin(ReadOnlyMixin, LargeTableMixin, admin.ModelAdmin):
    """The event log is append-only (clause 7.4): it can be read, never edited."""

    list_display = (
        "event_id",
        "kind",
        "occurred_at",
        "viewer",
        "room",
        "product",
        "scene",
        "strategy",
        "model_version",
        "policy_version",
    )
    list_filter = ("kind", "scene", "strategy")
    search_fields = ("event_id", "request_id")
    list_select_related = ("viewer", "room", "product")
    date_hierarchy = "occurred_at"
    ordering = ("-occurred_at",)


@admin.register(ApiKey)
class ApiKeyAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = (
        "name",
        "prefix",
        "scopes",
        "created_by",
        "created_at",
        "revoked_at",
    )
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    search_fields = ("name", "prefix")
    exclude = ("key_hash",)


@admin.register(SimulationRun)
class SimulationRunAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("started_at", "seed", "viewers", "days", "finished_at")


@admin.register(GroundTruth)
class GroundTruthAdmin(ReadOnlyMixin, LargeTableMixin, admin.ModelAdmin):
    list_display = ("run", "kind", "external_id")
    list_filter = ("kind", "run")
    search_fields = ("external_id",)


@admin.register(PlatformSnapshot)
class PlatformSnapshotAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("day", "exposures", "clicks", "orders", "gmv", "computed_at")
    date_hierarchy = "day"


@admin.register(ModelVersion)
class ModelVersionAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = (
        "version",
        "status",
        "created_at",
        "window_end",
        "activated_at",
        "activated_by",
    )
    list_filter = ("status",)
    search_fields = ("version", "artifact_sha256")


@admin.register(RankingConfig)
class RankingConfigAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ("version", "created_at", "created_by", "reason")
    search_fields = ("reason",)
