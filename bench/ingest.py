"""Event intake throughput: rows per second through the service and the REST API.

    python bench/ingest.py                       # a fresh SQLite file
    python bench/ingest.py --database-url postgresql://postgres@127.0.0.1/bench_ingest

The target database is dropped and migrated anew. Batches of realistic rows (every
event kind, references by external id) go through ``ingest_events`` and through
``POST /api/v1/events/`` with an API key, then the same batches are retried to
measure the idempotent path.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchenv import recreate_postgres  # noqa: E402  the bench folder is on the path

KINDS = ["impression"] * 6 + [
    "click",
    "dwell",
    "like",
    "comment",
    "add_to_cart",
    "order",
]


def main() -> None:
    args = _arguments()
    workdir = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    os.environ["DATA_DIR"] = str(workdir)
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{workdir}/bench.db"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    if os.environ["DATABASE_URL"].startswith("postgres"):
        recreate_postgres(os.environ["DATABASE_URL"])

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    key = _catalogue(args.viewers)
    batches = _batches(args.rows, args.batch, args.viewers)

    vendor = django.db.connection.vendor
    print(f"database: {vendor}, {args.rows} rows in batches of {args.batch}")
    _measure("service ingest_events", batches[: len(batches) // 2], _via_service)
    _measure("REST POST /api/v1/events/", batches[len(batches) // 2 :], _via_api(key))
    _measure("retry (all duplicates)", batches, _via_service)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=5_000)
    parser.add_argument("--viewers", type=int, default=5_000)
    return parser.parse_args()


def _catalogue(viewers: int) -> str:
    from django.contrib.auth import get_user_model

    from recengine.api.auth import hash_secret
    from recengine.models import ApiKey, Category
    from recengine.services.catalogue import upsert_catalogue

    Category.objects.get_or_create(
        code="b-cat", defaults={"name_zh": "类", "name_en": "c"}
    )
    for start in range(0, viewers, 5000):
        upsert_catalogue(
            "viewers",
            [
                {"user_id": f"u{i}", "region": "east", "spending_level": "low"}
                for i in range(start, min(viewers, start + 5000))
            ],
        )
    upsert_catalogue("merchants", [{"external_id": "m0", "name": "m"}])
    upsert_catalogue(
        "anchors", [{"external_id": f"a{i}", "name": "a"} for i in range(50)]
    )
    upsert_catalogue(
        "products",
        [
            {
                "external_id": f"p{i}",
                "merchant": "m0",
                "category": "b-cat",
                "title": "t",
                "price": 10,
            }
            for i in range(500)
        ],
    )
    upsert_catalogue(
        "rooms",
        [{"external_id": f"r{i}", "anchor": f"a{i}", "title": "r"} for i in range(50)],
    )
    owner = get_user_model().objects.create_user("bench")
    ApiKey.objects.create(
        name="bench",
        prefix="bench",
        key_hash=hash_secret("x"),
        scopes=["events:write"],
        created_by=owner,
    )
    return "Api-Key bench.x"


def _batches(rows: int, size: int, viewers: int) -> list[list[dict]]:
    rng = random.Random(42)
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    all_rows = [_row(i, rng, start, viewers) for i in range(rows)]
    return [all_rows[i : i + size] for i in range(0, rows, size)]


def _row(i: int, rng: random.Random, start: dt.datetime, viewers: int) -> dict:
    kind = rng.choice(KINDS)
    row = {
        "event_id": f"ev-{i:09d}",
        "kind": kind,
        "occurred_at": (start + dt.timedelta(seconds=i * 0.3)).isoformat(),
        "viewer": f"u{rng.randrange(viewers)}",
        "room": f"r{rng.randrange(50)}",
        "product": f"p{rng.randrange(500)}",
    }
    extra = {
        "impression": {
            "position": rng.randrange(20),
            "scene": "live_feed",
            "strategy": "personalised",
            "model_version": "v1",
            "policy_version": 3,
            "request_id": f"q{i // 10}",
        },
        "dwell": {"dwell_seconds": rng.random() * 120},
        "comment": {"text": "主播讲得很清楚，请问有大码吗？"},
        "order": {"amount": "129.90"},
    }
    return row | extra.get(kind, {})


def _via_service(batch: list[dict]) -> None:
    from recengine.services.events import ingest_events

    ingest_events(batch)


def _via_api(key: str):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=key)

    def send(batch: list[dict]) -> None:
        response = client.post("/api/v1/events/", {"events": batch}, format="json")
        if response.status_code != 200:
            raise SystemExit(f"API refused a batch: {response.content[:300]!r}")

    return send


def _measure(label: str, batches: list[list[dict]], send) -> None:
    rows = sum(len(batch) for batch in batches)
    started = time.perf_counter()
    for batch in batches:
        send(batch)
    elapsed = time.perf_counter() - started
    print(
        f"{label:32s} {rows:>9d} rows {elapsed:7.2f} s {rows / elapsed:>10.0f} rows/s"
    )


if __name__ == "__main__":
    main()
