"""Models of the audits app: the catalogue, runs, evidence and reports."""

from audits.models.catalogue import (
    Attestation,
    CatalogueVersion,
    Check,
    Clause,
    ClauseKind,
    ObligationLevel,
    Severity,
)
from audits.models.evidence import (
    AppendOnlyEvidence,
    Applicability,
    EvidenceRevision,
    RemediationItem,
    RemediationStatus,
)
from audits.models.reports import AccessAction, Report, ReportAccess, ReportStatus
from audits.models.runs import (
    AuditKind,
    AuditRun,
    ClauseResult,
    Conclusion,
    Finding,
    FindingStatus,
    RunProgress,
    RunStatus,
)

__all__ = [
    "AccessAction",
    "AppendOnlyEvidence",
    "Applicability",
    "Attestation",
    "AuditKind",
    "AuditRun",
    "CatalogueVersion",
    "Check",
    "Clause",
    "ClauseKind",
    "ClauseResult",
    "Conclusion",
    "EvidenceRevision",
    "Finding",
    "FindingStatus",
    "ObligationLevel",
    "RemediationItem",
    "RemediationStatus",
    "Report",
    "ReportAccess",
    "ReportStatus",
    "RunProgress",
    "RunStatus",
    "Severity",
]
