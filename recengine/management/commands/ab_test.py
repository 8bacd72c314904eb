"""``manage.py ab_test``: online A/B test of the active engine on the simulator."""

from __future__ import annotations

import json
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from recengine.simulator.ab_metrics import format_table
from recengine.simulator.config import SimulationRefused
from recengine.simulator.online import run_ab_test


class Command(BaseCommand):
    help = (
        "Replay more days on the latest simulated platform with viewers split 50/50 "
        "by a hash of their id between the active engine (personalised) and the "
        "popularity baseline; print CTR, CVR, GMV, ground-truth interest, "
        "diversity, quality share and not-interested rate per arm with bootstrap "
        "95 % intervals, and the lift of the engine over popularity with the "
        "interval of the difference. With --train, a new version is trained on the "
        "platform's log and activated first in the name of --actor."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=2)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--train", action="store_true")
        parser.add_argument("--actor", help="Username that activates the new version.")
        parser.add_argument("--json", action="store_true", help="Print JSON instead.")

    def handle(self, *args, **options) -> None:
        started = time.perf_counter()

        def progress(message: str) -> None:
            self.stderr.write(f"[{time.perf_counter() - started:7.1f}s] {message}")

        if options["train"]:
            self._train_and_activate(options["actor"], progress)
        try:
            result = run_ab_test(
                days=options["days"], seed=options["seed"], progress=progress
            )
        except SimulationRefused as refused:
            raise CommandError(str(refused)) from None

        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), indent=2))
            return
        self.stdout.write(
            f"A/B {result.start:%Y-%m-%d %H:%M} - {result.end:%Y-%m-%d %H:%M}, "
            f"engine {result.model_version}"
        )
        self.stdout.write(format_table(result.arms, result.lift))

    def _train_and_activate(self, username: str | None, progress) -> None:
        from recengine.engine.pipeline import train
        from recengine.models import SimulationRun
        from recengine.services.lifecycle import activate_model

        actor = get_user_model().objects.filter(username=username or "").first()
        if actor is None:
            raise CommandError("--train needs --actor naming an existing user.")
        run = SimulationRun.objects.order_by("-pk").first()
        if run is None:
            raise CommandError("There is no simulated platform to train on.")
        until = _end_of(run)
        model = train(until, run.days).model
        activate_model(actor=actor, version=model.version, reason="online A/B test")
        progress(f"trained and activated {model.version}")


def _end_of(run):
    import datetime as dt

    return dt.datetime.fromisoformat(run.stats.get("ab_end", run.stats["period_end"]))
