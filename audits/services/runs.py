"""Audit runs: request one, then compute it (clause 8.2.1).

``execute_run`` is safe to repeat and to interrupt. Everything is computed first,
outside any transaction; findings, conclusions, the run's status and its first
report are then written in one transaction that locks the run. A worker killed
while computing leaves no row behind, and a task delivered again to a run that is
already done returns its report without writing anything.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.catalogue.schema import DEFAULT_FILE, read_catalogue
from audits.checks import AuditContext
from audits.checks.evaluate import CheckSpec, ClauseInput, Outcome, conclude, evaluate
from audits.checks.registry import METRICS
from audits.checks.rights_metrics import not_interested_scan
from audits.checks.table1_metrics import daily_exposure_shares
from audits.metrics.loaders import Period, list_diversity_by_viewer, viewer_counts
from audits.models import (
    Applicability,
    AuditKind,
    AuditRun,
    CatalogueVersion,
    ClauseKind,
    ClauseResult,
    Finding,
    RunProgress,
    RunStatus,
)
from audits.services.catalogue import load_catalogue
from audits.services.evidence import evidence_state

logger = logging.getLogger(__name__)

# Metric name prefixes each kind of report covers; a full audit covers everything.
KIND_METRICS = {
    AuditKind.FAIRNESS: ("fairness.",),
    AuditKind.ECOSYSTEM: ("ecosystem.", "business.", "ux."),
}


CREDIT_METRIC = "governance.credit_monotonicity_violations"
# The longest scans of an audit, run on connections of their own while the other
# checks run, longest first (see ``AuditContext.start_background``).
BACKGROUND_SCANS = {
    "list_diversity": list_diversity_by_viewer,
    "not_interested": not_interested_scan,
    "viewer_counts": viewer_counts,
    "daily_shares": daily_exposure_shares,
}
# Memory each sort or hash of an audit query may use on PostgreSQL.
AUDIT_WORK_MEM = "256MB"


class AuditError(ValueError):
    """An audit that cannot be requested as asked; the message says why."""


def current_catalogue(actor=None) -> CatalogueVersion:
    """The newest loaded catalogue; the shipped file is loaded when none is."""
    latest = CatalogueVersion.objects.order_by("-loaded_at", "-id").first()
    if latest is not None:
        return latest
    catalogue = read_catalogue(DEFAULT_FILE)
    return load_catalogue(
        catalogue, actor=actor, source_name=DEFAULT_FILE.name
    ).catalogue


def period_bounds(start: dt.date, end: dt.date) -> Period:
    """Local calendar days ``start`` to ``end`` inclusive, as an aware period."""
    zone = timezone.get_current_timezone()
    return Period(
        dt.datetime.combine(start, dt.time.min, tzinfo=zone),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone),
    )


@transaction.atomic
def request_audit(
    *,
    actor,
    start: dt.date,
    end: dt.date,
    kind: str = AuditKind.FULL,
    schedule: str = "",
    parameters: dict[str, Any] | None = None,
    enqueue: bool = True,
) -> AuditRun:
    """Create a run for the period, freezing catalogue and applicability."""
    if end < start:
        raise AuditError(_("The period ends before it starts."))
    if end >= timezone.localdate():
        raise AuditError(_("The period must end before today: today's log is open."))
    if kind not in AuditKind.values:
        raise AuditError(_("Unknown audit kind %(kind)s.") % {"kind": kind})

    run = AuditRun(
        kind=kind,
        period_start=start,
        period_end=end,
        catalogue=current_catalogue(actor),
        applicability=_applicability(),
        parameters=parameters or {},
        requested_by=actor,
        requested_at=timezone.now(),
        schedule=schedule,
    )
    run._history_user = actor
    run._change_reason = f"clause 8.2.1: {kind} audit of {start}..{end} requested"
    run.save()
    RunProgress.objects.create(run=run, stage="queued")
    logger.info("Audit requested", extra={"run_id": run.pk, "kind": kind})

    if enqueue:
        # The task module imports this one; importing it here breaks the cycle.
        from audits.tasks import run_audit_task

        transaction.on_commit(lambda: run_audit_task.delay(run.pk))
    return run


def _applicability() -> dict[str, dict[str, Any]]:
    return {
        row.clause_number: {
            "applicable": row.applicable,
            "justification": row.justification,
        }
        for row in Applicability.objects.all()
    }


@dataclass
class Computed:
    outcomes: dict[int, Outcome] = field(default_factory=dict)  # check pk -> outcome
    conclusions: dict[int, tuple[str, str]] = field(default_factory=dict)
    series: dict[str, Any] = field(default_factory=dict)


Progress = Callable[[int, str], None]


def execute_run(run_id: int, *, now: dt.datetime | None = None) -> int:
    """Compute run ``run_id`` and store its results; returns its report's id."""
    run = AuditRun.objects.select_related("catalogue").get(pk=run_id)
    if run.status == RunStatus.DONE:
        return _first_report(run)

    _mark(run, RunStatus.RUNNING, "clause 8.2.1: audit started")
    progress = _progress_writer(run)
    try:
        with sorting_memory():
            computed = compute(run, now or timezone.now(), progress)
        report_id = _store(run_id, computed)
    except Exception as error:
        logger.exception("Audit failed", extra={"run_id": run_id})
        _mark(run, RunStatus.FAILED, "clause 8.2.1: audit failed", error=str(error))
        raise
    progress(100, "done")
    return report_id


@contextmanager
def sorting_memory() -> Iterator[None]:
    """On PostgreSQL, let the audit's grouped scans sort and hash in memory.

    An audit groups ten million events by viewer, by served list and by item; with
    the server's default ``work_mem`` (4 MB) each of those spills to disk. JIT
    compilation is turned off for the same scans. The settings hold for this
    session only and are put back afterwards, since a worker keeps its connection
    for the next task.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(f"SET work_mem = '{AUDIT_WORK_MEM}'")
        # Compiling a grouped scan's expressions costs the server about half a
        # second a query, more than a scan of a few seconds gains from it.
        cursor.execute("SET jit = off")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET work_mem")
            cursor.execute("RESET jit")


def _first_report(run: AuditRun) -> int:
    return run.reports.order_by("version").values_list("pk", flat=True)[0]


def _mark(run: AuditRun, status: str, reason: str, error: str = "") -> None:
    with transaction.atomic():
        locked = AuditRun.objects.select_for_update().get(pk=run.pk)
        if locked.status == RunStatus.DONE:
            return
        locked.status = status
        locked.error = error[:2000]
        locked._change_reason = reason
        locked.save()
        if status == RunStatus.RUNNING:
            progress = RunProgress.objects.select_for_update().get(run=locked)
            progress.attempts += 1
            progress.started_at = timezone.now()
            progress.save()


def _progress_writer(run: AuditRun) -> Progress:
    def write(percent: int, stage: str) -> None:
        RunProgress.objects.filter(run=run).update(
            percent=percent, stage=stage[:80], updated_at=timezone.now()
        )

    return write


def _selected(run: AuditRun):
    checks = run.catalogue.checks.select_related("clause").order_by(
        "clause__position", "id"
    )
    prefixes = KIND_METRICS.get(run.kind)
    if prefixes is None:
        return list(checks)
    return [check for check in checks if check.metric.startswith(prefixes)]


def compute(run: AuditRun, now: dt.datetime, progress: Progress) -> Computed:
    """Every check of the run evaluated and every clause concluded, in memory."""
    context = AuditContext(
        period=period_bounds(run.period_start, run.period_end),
        now=now,
        run_id=run.pk,
        parameters=run.parameters,
    )
    checks = _selected(run)
    computed = Computed()
    context.start_background(BACKGROUND_SCANS)
    # Checks that read Table 1 go last, so that the scan started in the background
    # has run alongside the others; the order changes no result.
    for index, check in enumerate(sorted(checks, key=_reads_table1)):
        progress(5 + 85 * index // max(len(checks), 1), check.check_id)
        if not _applicable(run, check.clause.number):
            continue
        computed.outcomes[check.pk] = evaluate(CheckSpec.of(check), context)

    progress(92, "conclusions")
    computed.conclusions = _conclusions(run, checks, computed.outcomes)
    computed.series = _series(context.table1) | _credit_series(checks, computed)
    return computed


def _reads_table1(check) -> bool:
    function = METRICS.get(check.metric)
    return function is not None and function.__module__.endswith("table1_metrics")


def _credit_series(checks, computed: Computed) -> dict[str, Any]:
    for check in checks:
        outcome = computed.outcomes.get(check.pk)
        if check.metric == CREDIT_METRIC and outcome and outcome.measurement:
            return {"credit": outcome.measurement.detail}
    return {}


def _applicable(run: AuditRun, number: str) -> bool:
    return run.applicability.get(number, {}).get("applicable", True)


def _conclusions(run, checks, outcomes) -> dict[int, tuple[str, str]]:
    by_clause: dict[int, list[tuple[str, str]]] = {}
    for check in checks:
        if check.pk in outcomes:
            entry = (outcomes[check.pk].status, check.severity)
            by_clause.setdefault(check.clause_id, []).append(entry)

    clauses = run.catalogue.clauses.exclude(kind=ClauseKind.HEADING)
    if run.kind != AuditKind.FULL:
        clauses = clauses.filter(pk__in=by_clause)
    on = run.period_end
    conclusions = {}
    for clause in clauses.prefetch_related("attestations"):
        attestations = (
            [
                evidence_state(a.attestation_id, on).status
                for a in clause.attestations.all()
            ]
            if run.kind == AuditKind.FULL
            else []
        )
        item = ClauseInput(
            applicable=_applicable(run, clause.number),
            statuses=by_clause.get(clause.pk, []),
            attestations=attestations,
        )
        conclusions[clause.pk] = conclude(item)
    return conclusions


def _series(table1: dict[str, Any]) -> dict[str, Any]:
    """What the report's charts draw, kept with the run so a report can be
    re-rendered without recomputing anything."""
    traffic = table1.get("fairness.traffic_gini", {})
    groups = {
        name.removeprefix("fairness.group_ratio."): value
        for name, value in table1.items()
        if name.startswith("fairness.group_ratio.")
    }
    return {
        "lorenz": traffic.get("lorenz", {}),
        "groups": groups,
        "daily": table1.get("daily", []),
    }


@transaction.atomic
def _store(run_id: int, computed: Computed) -> int:
    # Reports build on the run's period helpers here; imported late for the cycle.
    from audits.services.reports import create_report

    run = AuditRun.objects.select_for_update().get(pk=run_id)
    if run.status == RunStatus.DONE:
        # Another delivery of the task finished first; its results stand.
        return _first_report(run)

    checks = {c.pk: c for c in run.catalogue.checks.filter(pk__in=computed.outcomes)}
    Finding.objects.bulk_create(
        _finding(run, checks[pk], outcome) for pk, outcome in computed.outcomes.items()
    )
    ClauseResult.objects.bulk_create(
        ClauseResult(run=run, clause_id=pk, conclusion=c, reason=reason[:300])
        for pk, (c, reason) in computed.conclusions.items()
    )
    run.status = RunStatus.DONE
    run.finished_at = timezone.now()
    run.series = _clean(computed.series)
    run.error = ""
    run._change_reason = "clause 8.2.1: audit completed"
    run.save()
    report = create_report(run=run, actor=run.requested_by)
    logger.info("Audit completed", extra={"run_id": run.pk, "report_id": report.pk})
    return report.pk


def _finding(run: AuditRun, check, outcome: Outcome) -> Finding:
    measured = outcome.measurement
    return Finding(
        run=run,
        check_item=check,
        clause_id=check.clause_id,
        status=outcome.status,
        reason=outcome.reason[:300],
        measured=_number(measured.value) if measured else None,
        sample=measured.sample if measured else 0,
        severity=check.severity,
        evidence=_clean(measured.evidence()) if measured else {},
        detail=_clean(measured.detail) if measured else {},
    )


def _number(value: float) -> float | None:
    value = float(value)
    return None if value != value or value in (float("inf"), float("-inf")) else value


def _clean(value: Any) -> Any:
    """JSON-safe: NaN and infinities become null, tuples lists, numpy plain."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, int | str | bool) or value is None:
        return value
    return str(value)
