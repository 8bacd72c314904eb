"""A full audit over a simulated platform: metrics, checks and report rendering.

    python bench/audit.py                                 # 100k viewers x 14 days
    python bench/audit.py --viewers 2000 --days 7
    python bench/audit.py --database-url postgresql://postgres@127.0.0.1/bench_audit
    python bench/audit.py --database-url URL --existing --days 14   # audit as it is

The platform is simulated first and timed apart (``--existing`` audits the last
``--days`` of a database simulated earlier instead). Then one audit runs as the
console runs it (``request_audit`` and ``execute_run``: every check of the
catalogue evaluated, findings and the draft report stored), the report is signed
and frozen (HTML and PDF in Chinese and English, CSV and JSON), and the time of
each stage and the peak memory are printed: the process's resident peak
(ru_maxrss, which also covers the simulation) and, with ``--trace-memory``, the
largest Python allocation during the audit (tracemalloc, which slows it down).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import secrets
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from benchenv import prepare_environment

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

UNTIL = dt.datetime(2026, 11, 30, 13, 30, tzinfo=dt.UTC)


def main() -> None:
    args = _arguments()
    workdir = Path(tempfile.mkdtemp(prefix="bench-full-audit-"))
    # Production settings want every signing key; the bench makes throwaway ones.
    os.environ.setdefault("AIGC_SIGNING_KEY", secrets.token_urlsafe(32))
    prepare_environment(workdir, args.database_url, recreate=not args.existing)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from recengine.models import Event, Viewer

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    if not args.existing:
        call_command(
            "simulate",
            f"--seed={args.seed}",
            f"--viewers={args.viewers}",
            f"--days={args.days}",
            f"--until={UNTIL.isoformat()}",
        )
    simulate_seconds = time.perf_counter() - started

    if args.trace_memory:
        tracemalloc.start()
    profile = _Profile(args.slowest)
    with connection.execute_wrapper(profile.query):
        profile.wrap_checks()
        stages = _audit(args, _last_day(args.existing))
    python_peak = tracemalloc.get_traced_memory()[1] if args.trace_memory else 0
    tracemalloc.stop()

    where = "server" if args.database_url else workdir
    print(f"database          {connection.vendor} ({where})")
    viewers = Viewer.objects.count() if args.existing else args.viewers
    print(f"size              {viewers} viewers x {args.days} days")
    print(f"events            {Event.objects.count():,}")
    print(f"simulation        {simulate_seconds:.1f} s (not part of the audit)")
    for name, seconds in stages.items():
        print(f"{name:<17} {seconds:.2f} s")
    print(f"audit total       {sum(stages.values()):.2f} s")
    if args.trace_memory:
        print(f"python peak       {python_peak / 2**20:,.1f} MiB (tracemalloc)")
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak      {peak_mib:,.0f} MiB (ru_maxrss, simulation included)")
    profile.report()


class _Profile:
    """Where an audit's time goes: per check, and the slowest SQL statements."""

    def __init__(self, slowest: int) -> None:
        self.slowest = slowest
        self.checks: dict[str, float] = {}
        self.queries: list[tuple[float, str]] = []

    def query(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append((time.perf_counter() - started, sql))

    def wrap_checks(self) -> None:
        from audits.services import runs

        evaluate = runs.evaluate

        def timed(spec, context):
            started = time.perf_counter()
            try:
                return evaluate(spec, context)
            finally:
                name = spec.metric
                self.checks[name] = self.checks.get(name, 0.0) + (
                    time.perf_counter() - started
                )

        runs.evaluate = timed

    def report(self) -> None:
        if not self.slowest:
            return
        total = sum(seconds for seconds, _ in self.queries)
        print(f"\nSQL               {len(self.queries):,} statements, {total:.2f} s")
        print("checks by time (Table 1 counts where first asked for):")
        ranked = sorted(self.checks.items(), key=lambda item: -item[1])
        for name, seconds in ranked[: self.slowest]:
            print(f"  {seconds:8.2f} s  {name}")
        print("slowest statements:")
        for seconds, sql in sorted(self.queries, key=lambda item: -item[0])[
            : self.slowest
        ]:
            print(f"  {seconds:8.2f} s  {' '.join(sql.split())[:160]}")


def _last_day(existing: bool) -> dt.date:
    """The last whole local day of the simulated period."""
    from django.db.models import Max
    from django.utils import timezone

    from recengine.models import Event

    until = UNTIL
    if existing:
        until = Event.objects.aggregate(last=Max("occurred_at"))["last"]
    return timezone.localtime(until).date() - dt.timedelta(days=1)


def _audit(args, end: dt.date) -> dict[str, float]:
    from django.contrib.auth import get_user_model

    from audits.models import Finding, Report
    from audits.services.reports import finalize, sign_off
    from audits.services.runs import execute_run, request_audit

    officer, _ = get_user_model().objects.get_or_create(username="bench-officer")
    start = end - dt.timedelta(days=args.days - 1)
    stages = {}

    started = time.perf_counter()
    run = request_audit(
        actor=officer,
        start=start,
        end=end,
        enqueue=False,
        parameters={"n_boot": args.boot},
    )
    report = Report.objects.get(pk=execute_run(run.pk))
    stages["metrics+checks"] = time.perf_counter() - started

    started = time.perf_counter()
    sign_off(report=report, actor=officer, content_sha256=report.content_sha256)
    finalize(report=report, actor=officer)
    stages["rendering"] = time.perf_counter() - started

    statuses = Finding.objects.filter(run=run).values_list("status", flat=True)
    counts = {status: list(statuses).count(status) for status in set(statuses)}
    print(f"findings          {dict(sorted(counts.items()))}")
    return stages


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--viewers", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--boot", type=int, default=500, help="bootstrap replicates")
    parser.add_argument("--database-url", default="")
    parser.add_argument(
        "--existing",
        action="store_true",
        help="audit the database at --database-url as it is; no simulation",
    )
    parser.add_argument(
        "--slowest",
        type=int,
        default=15,
        help="print this many slowest checks and SQL statements (0: none)",
    )
    parser.add_argument(
        "--trace-memory",
        action="store_true",
        help="also trace Python allocations (slows the audit several times over)",
    )
    return parser.parse_args()


if __name__ == "__main__":
    main()
