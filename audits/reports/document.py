"""The report document: everything a report says, as plain JSON-ready data.

The document is the stored input of every rendering; its canonical JSON is what
``content_sha256`` hashes and what a sign-off approves. It is built from the run's
stored findings and conclusions, the remediation tracker and the evidence on file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from importlib import metadata
from typing import Any

from django.db.models import Count, Max

from audits.checks.evaluate import CheckSpec, threshold_text
from audits.metrics.definitions import DEFINITIONS
from audits.models import (
    AuditRun,
    ClauseKind,
    ClauseResult,
    Finding,
    FindingStatus,
    RemediationItem,
    RemediationStatus,
    RunStatus,
)
from audits.services.evidence import evidence_state
from audits.services.runs import period_bounds

SCHEMA = "tcmbn-audit-report"
SCHEMA_VERSION = 1


def canonical_json(value: Any) -> bytes:
    return json.dumps(
        value, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    ).encode()


def document_sha256(document: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(document)).hexdigest()


def software_version() -> str:
    try:
        return metadata.version("livecommerce-rec")
    except metadata.PackageNotFoundError:
        return "unknown"


def build_document(
    run: AuditRun, *, version: int, generated_at: dt.datetime, previous_id=None
) -> dict[str, Any]:
    findings = list(
        Finding.objects.filter(run=run)
        .select_related("check_item", "clause")
        .prefetch_related("remediation__owner")
        .order_by("clause__position", "id")
    )
    results = {r.clause_id: r for r in ClauseResult.objects.filter(run=run)}
    document = {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "cover": _cover(run, version, generated_at, previous_id),
        "scope": _scope(run, findings),
        "clauses": _clauses(run, findings, results),
        "findings": [_finding(f) for f in findings],
        "remediation": _remediation(run),
        "series": run.series,
    }
    document["summary"] = _summary(run, findings, results)
    return document


def _cover(run, version, generated_at, previous_id) -> dict[str, Any]:
    period = period_bounds(run.period_start, run.period_end)
    snapshot = period.events().aggregate(events=Count("id"), last_event=Max("id"))
    catalogue = run.catalogue
    return {
        "run_id": run.pk,
        "kind": run.kind,
        "version": version,
        "previous_report_id": previous_id,
        "generated_at": generated_at.isoformat(),
        "software_version": software_version(),
        "period": {
            "start": run.period_start.isoformat(),
            "end": run.period_end.isoformat(),
        },
        "snapshot": snapshot,
        "catalogue": {
            "version": catalogue.version,
            "sha256": catalogue.sha256,
            "standard": catalogue.standard_code,
        },
        "requested_by": run.requested_by.get_username() if run.requested_by else "",
        "schedule": run.schedule,
    }


def _scope(run: AuditRun, findings: list[Finding]) -> dict[str, Any]:
    excluded = [
        {"clause": number, "justification": entry.get("justification", "")}
        for number, entry in sorted(run.applicability.items())
        if not entry.get("applicable", True)
    ]
    limits = [
        {"check": f.check_item.check_id, "clause": f.clause.number, "reason": f.reason}
        for f in findings
        if f.status == FindingStatus.NOT_ASSESSED
    ]
    return {
        "kind": run.kind,
        "applicability": run.applicability,
        "exclusions": excluded,
        "limits": limits,
    }


def _finding(finding: Finding) -> dict[str, Any]:
    check = finding.check_item
    definition = DEFINITIONS.get(check.metric, {})
    return {
        "id": finding.pk,
        "check": check.check_id,
        "clause": finding.clause.number,
        "title_zh": check.title_zh,
        "title_en": check.title_en,
        "metric": check.metric,
        "definition_zh": definition.get("zh", ""),
        "definition_en": definition.get("en", finding.evidence.get("query", "")),
        "grouping": check.grouping,
        "criterion": threshold_text(CheckSpec.of(check)),
        "window_days": check.window_days,
        "min_sample": check.min_sample,
        "expected_evidence": check.evidence,
        "status": finding.status,
        "reason": finding.reason,
        "measured": finding.measured,
        "sample": finding.sample,
        "severity": finding.severity,
        "evidence": finding.evidence,
        "remediation": [item.pk for item in finding.remediation.all()],
    }


def _clauses(run, findings, results) -> list[dict[str, Any]]:
    by_clause: dict[int, list[str]] = {}
    for finding in findings:
        by_clause.setdefault(finding.clause_id, []).append(finding.check_item.check_id)
    rows = []
    clauses = run.catalogue.clauses.exclude(kind=ClauseKind.HEADING)
    for clause in clauses.prefetch_related("attestations").order_by("position"):
        result = results.get(clause.pk)
        if result is None:
            continue
        rows.append(
            {
                "number": clause.number,
                "title_zh": clause.title_zh,
                "title_en": clause.title_en,
                "obligation": clause.obligation,
                "text_zh": clause.text_zh,
                "summary_en": clause.summary_en,
                "conclusion": result.conclusion,
                "reason": result.reason,
                "checks": by_clause.get(clause.pk, []),
                "attestations": _attestations(clause, run.period_end),
            }
        )
    return rows


def _attestations(clause, on: dt.date) -> list[dict[str, Any]]:
    rows = []
    for item in clause.attestations.all():
        state = evidence_state(item.attestation_id, on)
        revision = state.revision
        rows.append(
            {
                "id": item.attestation_id,
                "evidence_zh": item.evidence_zh,
                "evidence_en": item.evidence_en,
                "status": state.status,
                "revision": revision.revision if revision else None,
                "sha256": revision.sha256 if revision else "",
                "expires_on": revision.expires_on.isoformat() if revision else None,
                "owner": revision.owner.get_username() if revision else "",
            }
        )
    return rows


def _remediation(run: AuditRun) -> list[dict[str, Any]]:
    """Items of this run and every earlier item still open: carried until closed."""
    items = RemediationItem.objects.filter(
        finding__run__requested_at__lte=run.requested_at
    )
    items = items.exclude(status=RemediationStatus.CLOSED) | items.filter(
        finding__run=run
    )
    return [
        {
            "id": item.pk,
            "check": item.check_id,
            "clause": item.clause_number,
            "action": item.action,
            "owner": item.owner.get_username(),
            "due_date": item.due_date.isoformat(),
            "status": item.status,
            "response": item.response,
            "from_run": item.finding.run_id,
        }
        for item in items.select_related("owner", "finding").order_by("due_date", "id")
    ]


def _summary(run, findings, results) -> dict[str, Any]:
    conclusions = Counter(r.conclusion for r in results.values())
    failed = Counter(f.severity for f in findings if f.status == FindingStatus.FAIL)
    return {
        "conclusions": dict(sorted(conclusions.items())),
        "failed_by_severity": dict(sorted(failed.items())),
        "trend": _trend(run, results, failed),
    }


def _trend(run, results, failed) -> dict[str, Any] | None:
    previous = (
        AuditRun.objects.filter(
            kind=run.kind, status=RunStatus.DONE, requested_at__lt=run.requested_at
        )
        .exclude(pk=run.pk)
        .order_by("-requested_at")
        .first()
    )
    if previous is None:
        return None
    before = {
        r.clause.number: r.conclusion
        for r in ClauseResult.objects.filter(run=previous).select_related("clause")
    }
    now = {r.clause.number: r.conclusion for r in _with_clause(results)}
    changed = [
        {"clause": number, "before": before[number], "after": conclusion}
        for number, conclusion in sorted(now.items())
        if number in before and before[number] != conclusion
    ]
    earlier_failed = Counter(
        Finding.objects.filter(run=previous, status=FindingStatus.FAIL).values_list(
            "severity", flat=True
        )
    )
    return {
        "previous_run_id": previous.pk,
        "previous_conclusions": dict(sorted(Counter(before.values()).items())),
        "previous_failed_by_severity": dict(sorted(earlier_failed.items())),
        "changed": changed,
    }


def _with_clause(results) -> list[ClauseResult]:
    return list(
        ClauseResult.objects.filter(
            pk__in=[r.pk for r in results.values()]
        ).select_related("clause")
    )
