"""Read-only admin views of the audits: the catalogue is frozen once loaded, and
runs, reports and evidence change only through the console's service functions."""

from __future__ import annotations

from django.contrib import admin

from audits.models import (
    Applicability,
    Attestation,
    AuditRun,
    CatalogueVersion,
    Check,
    Clause,
    ClauseResult,
    EvidenceRevision,
    Finding,
    RemediationItem,
    Report,
    ReportAccess,
    RunProgress,
)


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


@admin.register(AuditRun)
class AuditRunAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "period_start", "period_end", "status", "catalogue"]
    list_filter = ["kind", "status"]


@admin.register(Finding)
class FindingAdmin(ReadOnlyAdmin):
    list_display = ["run", "check_item", "status", "measured", "sample", "severity"]
    list_filter = ["status", "severity"]


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ["id", "run", "version", "status", "signed_by", "content_sha256"]
    list_filter = ["status"]
    exclude = ["document"]


@admin.register(ReportAccess)
class ReportAccessAdmin(ReadOnlyAdmin):
    list_display = ["at", "report", "user", "action", "file_format", "language"]


@admin.register(EvidenceRevision)
class EvidenceRevisionAdmin(ReadOnlyAdmin):
    list_display = ["attestation_id", "revision", "owner", "expires_on", "sha256"]


@admin.register(RemediationItem)
class RemediationItemAdmin(ReadOnlyAdmin):
    list_display = ["check_id", "clause_number", "owner", "due_date", "status"]
    list_filter = ["status"]


@admin.register(RunProgress)
class RunProgressAdmin(ReadOnlyAdmin):
    list_display = ["run", "percent", "stage", "attempts", "updated_at"]


@admin.register(ClauseResult)
class ClauseResultAdmin(ReadOnlyAdmin):
    list_display = ["run", "clause", "conclusion", "reason"]
    list_filter = ["conclusion"]


@admin.register(Applicability)
class ApplicabilityAdmin(ReadOnlyAdmin):
    list_display = ["clause_number", "applicable", "updated_by", "updated_at"]
