"""Simulator throughput: wall time, events per second and peak memory.

    python bench/simulate.py --viewers 2000 --days 7
    python bench/simulate.py --viewers 100000 --days 14 \
        --database-url postgresql://postgres@127.0.0.1/bench_sim

Without ``--database-url`` the run goes to a fresh SQLite file in a temporary
folder; a PostgreSQL database named in the URL is dropped and created anew. The
run uses production settings (DEBUG off), so Django does not keep a log of every
SQL statement, as it would in debug mode.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from benchenv import prepare_environment

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    args = _arguments()
    workdir = Path(tempfile.mkdtemp(prefix="bench-simulate-"))
    prepare_environment(workdir, args.database_url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from recengine.models import SimulationRun

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command(
        "simulate",
        f"--seed={args.seed}",
        f"--viewers={args.viewers}",
        f"--days={args.days}",
    )
    seconds = time.perf_counter() - started

    stats = SimulationRun.objects.get().stats
    events = stats["events_total"]
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    where = "server" if args.database_url else workdir
    print(f"database        {connection.vendor} ({where})")
    print(
        f"size            {args.viewers} viewers x {args.days} days, seed {args.seed}"
    )
    print(f"events          {events}  (visits {stats['visits']})")
    print(f"wall time       {seconds:.1f} s")
    print(f"events/second   {events / seconds:,.0f}")
    print(f"peak memory     {peak_mib:,.0f} MiB (ru_maxrss)")
    print(f"data folder     {workdir} (product pictures; train.py --data-dir)")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--viewers", type=int, default=2000)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--database-url", default="")
    return parser.parse_args()


if __name__ == "__main__":
    main()
