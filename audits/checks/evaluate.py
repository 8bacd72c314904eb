"""A measurement against its check, and the checks of a clause into a conclusion.

Outcomes of one check: pass, fail, not assessed (with the reason) or reported
(a "report" comparator shows the value and decides nothing). A clause is
non-compliant when a check of medium severity or above fails, compliant with
comments when only low or informational checks fail or part of it could not be
assessed, not assessed when nothing could be, and compliant otherwise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from audits.checks.registry import (
    AuditContext,
    Measurement,
    MetricUnavailable,
    measure,
)
from audits.models import Conclusion, FindingStatus, Severity

# Values within this distance of an "==" threshold count as equal (float shares).
EQUAL_TOLERANCE = 1e-9
BLOCKING = (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM)


@dataclass(frozen=True)
class CheckSpec:
    """The parts of a catalogue check that evaluation needs (plain data)."""

    check_id: str
    metric: str
    grouping: str
    comparator: str
    threshold: float | None
    threshold_high: float | None
    min_sample: int
    severity: str
    params: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, check) -> CheckSpec:
        return cls(
            check.check_id,
            check.metric,
            check.grouping,
            check.comparator,
            check.threshold,
            check.threshold_high,
            check.min_sample,
            check.severity,
            dict(check.params or {}),
        )


@dataclass(frozen=True)
class Outcome:
    status: str
    reason: str = ""
    measurement: Measurement | None = None


def compare(value: float, spec: CheckSpec) -> bool:
    low, high = spec.threshold, spec.threshold_high
    if spec.comparator == "==":
        return math.isclose(value, low, abs_tol=EQUAL_TOLERANCE)
    if spec.comparator == ">=":
        return value >= low - EQUAL_TOLERANCE
    if spec.comparator == "<=":
        return value <= low + EQUAL_TOLERANCE
    if spec.comparator == "between":
        return low - EQUAL_TOLERANCE <= value <= high + EQUAL_TOLERANCE
    raise ValueError(f"unknown comparator {spec.comparator}")


def evaluate(spec: CheckSpec, context: AuditContext) -> Outcome:
    try:
        measured = measure(spec.metric, context, _check_input(spec))
    except MetricUnavailable as error:
        return Outcome(FindingStatus.NOT_ASSESSED, str(error))

    if measured.sample < spec.min_sample:
        reason = f"sample below minimum ({measured.sample} < {spec.min_sample})"
        return Outcome(FindingStatus.NOT_ASSESSED, reason, measured)
    if spec.comparator == "report":
        return Outcome(FindingStatus.REPORTED, "", measured)
    if compare(measured.value, spec):
        return Outcome(FindingStatus.PASS, "", measured)
    return Outcome(FindingStatus.FAIL, threshold_text(spec), measured)


def _check_input(spec: CheckSpec) -> dict[str, Any]:
    return {"grouping": spec.grouping, "params": spec.params}


def threshold_text(spec: CheckSpec) -> str:
    if spec.comparator == "report":
        return ""
    if spec.comparator == "between":
        return f"[{spec.threshold:g}, {spec.threshold_high:g}]"
    return f"{spec.comparator} {spec.threshold:g}"


@dataclass(frozen=True)
class ClauseInput:
    applicable: bool
    statuses: list[tuple[str, str]]  # (finding status, severity) of each check
    attestations: list[str]  # "valid", "missing" or "expired" per attestation


def conclude(clause: ClauseInput) -> tuple[str, str]:
    """One conclusion per clause, with the reason a reader sees."""
    if not clause.applicable:
        return Conclusion.NOT_APPLICABLE, "declared not applicable"
    blocking = [s for s, sev in clause.statuses if s == "fail" and sev in BLOCKING]
    if blocking:
        return Conclusion.NON_COMPLIANT, f"{len(blocking)} check(s) failed"

    decided = [s for s, _ in clause.statuses if s in ("pass", "fail", "reported")]
    attested = [a for a in clause.attestations if a == "valid"]
    open_items = len(clause.statuses) - len(decided)
    open_items += len(clause.attestations) - len(attested)
    if not decided and not attested:
        return Conclusion.NOT_ASSESSED, _open_reason(clause)
    minor = [s for s, _ in clause.statuses if s == "fail"]
    if minor or open_items:
        return Conclusion.WITH_COMMENTS, _comment(len(minor), open_items, clause)
    return Conclusion.COMPLIANT, ""


def _open_reason(clause: ClauseInput) -> str:
    if "expired" in clause.attestations:
        return "evidence expired"
    if clause.attestations:
        return "attestation evidence missing"
    return "no check could be assessed"


def _comment(minor: int, open_items: int, clause: ClauseInput) -> str:
    parts = []
    if minor:
        parts.append(f"{minor} low-severity check(s) failed")
    if open_items:
        expired = " (evidence expired)" if "expired" in clause.attestations else ""
        parts.append(f"{open_items} item(s) not assessed{expired}")
    return "; ".join(parts)
