"""Table 1 metrics over a simulated platform: wall time and peak memory.

    python bench/audit_metrics.py                       # 10k viewers x 14 days
    python bench/audit_metrics.py --viewers 2000 --days 7
    python bench/audit_metrics.py --database-url postgresql://postgres@127.0.0.1/bench_audit

Without ``--database-url`` the platform goes to a fresh SQLite file in a temporary
folder; a PostgreSQL database named in the URL is dropped and created anew. The
simulation is built first and timed apart; then every metric of Table 1 is
computed ``--repeat`` times over the whole simulated period. Peak memory is the
largest Python allocation during one computation (tracemalloc) next to the
process's resident peak (ru_maxrss), which also covers the simulation.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
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
    workdir = Path(tempfile.mkdtemp(prefix="bench-audit-"))
    prepare_environment(workdir, args.database_url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from recengine.models import Event

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command(
        "simulate",
        f"--seed={args.seed}",
        f"--viewers={args.viewers}",
        f"--days={args.days}",
        f"--until={UNTIL.isoformat()}",
    )
    simulate_seconds = time.perf_counter() - started

    period = _period(args.days)
    predicate = _quality_predicate()
    timings, python_peak, results = _measure(period, predicate, args)

    where = "server" if args.database_url else workdir
    print(f"database          {connection.vendor} ({where})")
    print(
        f"size              {args.viewers} viewers x {args.days} days, seed {args.seed}"
    )
    print(f"events            {Event.objects.count():,}")
    print(f"simulation        {simulate_seconds:.1f} s (not part of the metrics)")
    print(f"metrics wall time {_summary(timings)}")
    print(f"python peak       {python_peak / 2**20:,.1f} MiB (tracemalloc, one run)")
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak      {peak_mib:,.0f} MiB (ru_maxrss, simulation included)")
    _print_results(results)


def _measure(period, predicate, args):
    from audits.metrics.table1 import compute_table1

    timings = []
    results = {}
    for run in range(args.repeat):
        if run == 0:
            tracemalloc.start()
        started = time.perf_counter()
        results = compute_table1(period, **predicate, n_boot=args.boot, seed=args.seed)
        timings.append(time.perf_counter() - started)
        if run == 0:
            python_peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
    return timings, python_peak, results


def _period(days: int):
    from audits.metrics.loaders import Period

    return Period(start=UNTIL - dt.timedelta(days=days + 1), end=UNTIL)


def _quality_predicate() -> dict[str, set]:
    """Quality as the simulator's ground truth knows it: honest merchants, and
    products whose latent quality is in the upper part of the range."""
    from recengine.models import GroundTruth, Merchant, Product, TruthKind

    truth = GroundTruth.objects.values_list("kind", "external_id", "attributes")
    honest = {
        external
        for kind, external, attributes in truth
        if kind == TruthKind.MERCHANT and not attributes["dishonest"]
    }
    good = {
        external
        for kind, external, attributes in truth
        if kind == TruthKind.PRODUCT and attributes["quality"] >= 0.7
    }
    merchants = set(
        Merchant.objects.filter(external_id__in=honest).values_list("pk", flat=True)
    )
    products = Product.objects.filter(external_id__in=good).values_list("pk", flat=True)
    return {
        "quality_merchants": merchants,
        "quality_content": {("product", pk) for pk in products},
    }


def _summary(timings: list[float]) -> str:
    ordered = sorted(timings)
    median = ordered[len(ordered) // 2]
    return f"median {median:.2f} s, best {ordered[0]:.2f} s over {len(timings)} runs"


def _print_results(results: dict) -> None:
    gini = results["fairness.traffic_gini"]
    ctr, cvr = results["business.ctr"], results["business.cvr"]
    gmv, roi = results["business.gmv"], results["business.roi"]
    print(f"CTR / CVR         {ctr:.4f} / {cvr:.4f}")
    print(f"GMV / ROI         {gmv:,.2f} / {roi:.2f}")
    print(f"list diversity    {results['ux.intra_list_diversity']:.3f}")
    print(
        f"traffic Gini      {gini['gini']:.3f} over {gini['merchants']} merchants, "
        f"top 10% share {gini['top_10_percent_share']:.3f}"
    )


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--viewers", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--boot", type=int, default=500, help="bootstrap replicates")
    parser.add_argument("--database-url", default="")
    return parser.parse_args()


if __name__ == "__main__":
    main()
