"""Training cost: wall time and peak memory of one full ``train``.

    python bench/train.py                       # simulate 10k viewers x 14 days first
    python bench/train.py --viewers 2000 --days 7
    python bench/train.py --database-url postgresql://postgres@127.0.0.1/bench_sim

Without ``--database-url`` a fresh SQLite file in a temporary folder is migrated
and filled by the simulator (``--viewers`` x ``--days``) before training; the
simulation is not part of the measured time. With ``--database-url`` the database
is trained on as it is, so the 100k-viewer run is: simulate once with
``python bench/simulate.py --viewers 100000 --days 14 --database-url URL``, then
``python bench/train.py --database-url URL --data-dir DIR --days 14`` (the window
ends at the newest event; DIR is the folder ``simulate.py`` printed, which holds the
product pictures). Peak memory is the process's maximum resident set size.
"""

from __future__ import annotations

import argparse
import os
import resource
import secrets
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    args = _arguments()
    # The simulator keeps product pictures under DATA_DIR: training a database
    # simulated earlier reads them from that run's folder (``--data-dir``).
    workdir = Path(args.data_dir or tempfile.mkdtemp(prefix="bench-train-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")
    os.environ["DATA_DIR"] = str(workdir)
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("PSEUDONYM_KEY", secrets.token_urlsafe(32))
    os.environ.setdefault("AIGC_SIGNING_KEY", secrets.token_urlsafe(32))
    os.environ.setdefault("ALLOWED_HOSTS", "localhost")
    os.environ["OPENBLAS_NUM_THREADS"] = "1"
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url

    import django

    django.setup()
    from django.core.management import call_command
    from django.db.models import Max

    from recengine.engine.pipeline import train
    from recengine.models import Event

    # A database simulated by an older checkout gains the newer tables first.
    call_command("migrate", verbosity=0)
    if not args.database_url:
        call_command(
            "simulate",
            f"--seed={args.seed}",
            f"--viewers={args.viewers}",
            f"--days={args.days}",
            verbosity=0,
        )
    until = Event.objects.aggregate(last=Max("occurred_at"))["last"]
    events = Event.objects.count()

    started = time.perf_counter()
    result = train(until, args.days)
    seconds = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"events in database  {events}")
    print(f"window              {args.days} days to {until.isoformat()}")
    print(f"train seconds       {seconds:.1f}")
    print(f"peak memory MiB     {peak_mib:.0f}")
    print("offline NDCG@10 on the time-split holdout (ips: inverse-propensity):")
    for scene, report in result.model.evaluation["offline"].items():
        debiased = report.get("debiased", {})
        for name, metrics in report.get("metrics", {}).items():
            ips = debiased.get(name, {}).get("ips_ndcg", float("nan"))
            print(f"  {scene:12s} {name:18s} {metrics['ndcg']:.4f}   ips {ips:.4f}")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument(
        "--data-dir",
        default="",
        help="DATA_DIR of the run that simulated --database-url (its pictures)",
    )
    parser.add_argument("--viewers", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args()


if __name__ == "__main__":
    main()
