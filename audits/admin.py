"""Read-only admin views of the clause catalogue: loaded versions are frozen."""

from __future__ import annotations

from django.contrib import admin

from audits.models import Attestation, CatalogueVersion, Check, Clause


class ReadOnlyAdmin(admin.ModelAdmin):
    # Rows change only through load_clause_catalogue, never by hand.
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CatalogueVersion)
class CatalogueVersionAdmin(ReadOnlyAdmin):
    list_display = ["version", "standard_code", "loaded_at", "loaded_by", "sha256"]


@admin.register(Clause)
class ClauseAdmin(ReadOnlyAdmin):
    list_display = ["number", "title_zh", "obligation", "kind", "catalogue"]
    list_filter = ["catalogue", "obligation", "kind"]
    search_fields = ["number", "text_zh", "summary_en"]


@admin.register(Check)
class CheckAdmin(ReadOnlyAdmin):
    list_display = [
        "check_id",
        "clause",
        "metric",
        "comparator",
        "threshold",
        "severity",
    ]
    list_filter = ["catalogue", "severity"]
    search_fields = ["check_id", "metric"]


@admin.register(Attestation)
class AttestationAdmin(ReadOnlyAdmin):
    list_display = ["attestation_id", "clause", "catalogue"]
    list_filter = ["catalogue"]
