"""``manage.py simulate``: build a simulated platform with a known ground truth."""

from __future__ import annotations

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from recengine.simulator import SimulationConfig, SimulationRefused, simulate


def _moment(value: str) -> dt.datetime:
    parsed = parse_datetime(value)
    if parsed is None or parsed.tzinfo is None:
        raise CommandError(
            f"--until must be an ISO 8601 date-time with a time zone, got {value!r}."
        )
    return parsed


class Command(BaseCommand):
    help = (
        "Build a simulated live-commerce platform with a known ground truth and "
        "replay days of traffic through the serving code."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--viewers", type=int, default=2000)
        parser.add_argument("--days", type=int, default=7)
        parser.add_argument(
            "--until",
            help="End of the simulated period (ISO 8601 with zone); default: now.",
        )
        parser.add_argument(
            "--rooms",
            type=int,
            help="Live rooms (one anchor each); default: one per 50 viewers, "
            "at most 5,000.",
        )
        parser.add_argument(
            "--merchants",
            type=int,
            help="Merchants (about eight products each); default: one per 100 "
            "viewers, at most 2,500.",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Remove the previous simulated platform first (same transaction).",
        )

    def handle(self, *args, **options) -> None:
        config = SimulationConfig(
            seed=options["seed"],
            viewers=options["viewers"],
            days=options["days"],
            until=_moment(options["until"]) if options["until"] else timezone.now(),
            replace=options["replace"],
            rooms=options["rooms"],
            merchants=options["merchants"],
        )
        started = time.perf_counter()

        def progress(message: str) -> None:
            self.stderr.write(f"[{time.perf_counter() - started:7.1f}s] {message}")

        try:
            run = simulate(config, progress=progress)
        except SimulationRefused as refused:
            raise CommandError(str(refused)) from None

        stats = run.stats
        self.stdout.write(
            f"simulation run {run.pk}: seed {run.seed}, {run.viewers} viewers x "
            f"{run.days} days, {stats['events_total']} events, "
            f"{stats['rooms']} rooms, {stats['seconds']} s"
        )
