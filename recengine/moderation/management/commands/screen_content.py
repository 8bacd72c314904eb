"""``manage.py screen_content``: machine-screen the whole catalogue (clause 6.1.1),
verify product pictures' AIGC labels and check AI personas for impersonation (6.4).

Only new or changed elements are screened again, so the command can run at any time;
the periodic task ``moderation.screen_new_content`` runs the same steps for rows
ingested since.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from recengine.moderation.models import PublicFigure
from recengine.moderation.services import active_screen, train_screen
from recengine.moderation.tasks import run_screen
from recengine.simulator import vocab


class Command(BaseCommand):
    help = "Screen the catalogue, verify AIGC labels and check for impersonation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--train",
            action="store_true",
            help="Train a new screen model first (always done when none is active).",
        )
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--register-simulated-figures",
            action="store_true",
            help="Fill an empty public-figure registry from the simulator's list.",
        )

    def handle(self, *args, **options) -> None:
        if options["train"] or active_screen() is None:
            model = train_screen(actor=None, seed=options["seed"])
            self.stdout.write(
                f"screen {model.version}: precision {model.precision:.3f}, "
                f"recall {model.recall:.3f} on {model.test_examples} held-out examples"
            )
        if options["register_simulated_figures"]:
            self._register_figures()

        # The full run re-verifies every picture, so one swapped under its signed
        # label is found "tampered"; the periodic task looks at new ones only.
        summary = run_screen(all_pictures=True)
        for line in summary:
            self.stdout.write(line)

    def _register_figures(self) -> None:
        from recengine.moderation.impersonation import register_figure

        if PublicFigure.objects.exists():
            return
        for code, name in vocab.PUBLIC_FIGURES:
            register_figure(actor=None, code=code, name=name)
        self.stdout.write(f"registered {len(vocab.PUBLIC_FIGURES)} public figures")
