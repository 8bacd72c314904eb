"""Offline evaluation of the engine's recall model against its baselines.

    manage.py evaluate --interactions u.data --format ml100k --k 10 --seed 42 --json
    manage.py evaluate --train train.csv --test test.csv --format csv --dump-recs r.csv

The protocol (per-user random 75/25 split unless a split is given, seen items
removed, every catalogue item ranked) is described in
``recengine.evaluation.protocol``; the metric definitions in
``recengine.evaluation.metrics``.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from recengine.evaluation.data import (
    FORMATS,
    InteractionFileError,
    Interactions,
    encode,
    read_interactions,
)
from recengine.evaluation.metrics import METRIC_NAMES
from recengine.evaluation.protocol import (
    EvaluationSet,
    ModelResult,
    evaluate_model,
    prepare,
    random_holdout,
)
from recengine.evaluation.selection import (
    Selection,
    fixed_selection,
    tuned_selection,
)

TEST_FRACTION = 0.25


class Command(BaseCommand):
    help = gettext_lazy(
        "Evaluate the engine's recall model and its baselines offline on an "
        "interaction file (NDCG, precision, recall, MAP, coverage and Gini at k)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interactions", help=gettext_lazy("Interaction file."))
        parser.add_argument(
            "--format", default="ml100k", help=gettext_lazy("ml100k or csv.")
        )
        parser.add_argument("--k", type=int, default=10)
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument(
            "--train", help=gettext_lazy("Training file of a split made elsewhere.")
        )
        parser.add_argument(
            "--test", help=gettext_lazy("Test file of a split made elsewhere.")
        )
        parser.add_argument(
            "--dump-recs",
            help=gettext_lazy("Write the engine's top k per user as user,rank,item."),
        )
        parser.add_argument(
            "--no-tune",
            action="store_true",
            help=gettext_lazy("Use fixed hyperparameters instead of validation."),
        )
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options) -> None:
        self._check_options(options)
        train, test, n_users, n_items, split = self._load(options)
        evaluation = prepare(train, test)
        if evaluation.users.size == 0:
            raise CommandError(_("No user has both training and test interactions."))

        selection = self._select(evaluation, options)
        results = [
            evaluate_model(name, model, evaluation, options["k"])
            for name, model in selection.models.items()
        ]
        if options["dump_recs"]:
            self._dump(options["dump_recs"], results[0], evaluation)

        protocol = {
            "split": split,
            "test_fraction": TEST_FRACTION if split == "random_per_user" else None,
            "seed": options["seed"],
            "k": options["k"],
            "n_users": n_users,
            "n_items": n_items,
            "n_train": evaluation.n_train,
            "n_test": evaluation.n_test,
            "n_evaluated_users": int(evaluation.users.size),
            "n_catalogue_items": int(evaluation.catalogue.size),
            "n_test_dropped_seen": evaluation.n_dropped_seen,
            "tuning": "fixed" if options["no_tune"] else "validation",
            "validation_ndcg": selection.validation_ndcg,
        }
        if options["json"]:
            self._write_json(protocol, results)
        else:
            self._write_table(protocol, results)

    def _check_options(self, options: dict) -> None:
        if options["format"] not in FORMATS:
            raise CommandError(
                _("Unknown format %(format)r; use one of: %(known)s.")
                % {"format": options["format"], "known": ", ".join(FORMATS)}
            )
        if options["k"] < 1:
            raise CommandError(_("--k must be at least 1."))
        given = bool(options["train"]) or bool(options["test"])
        if given and options["interactions"]:
            raise CommandError(_("Use either --interactions or --train/--test."))
        if given and not (options["train"] and options["test"]):
            raise CommandError(_("--train and --test must be given together."))
        if not given and not options["interactions"]:
            raise CommandError(_("Give --interactions FILE, or --train and --test."))

    def _load(self, options: dict) -> tuple[Interactions, Interactions, int, int, str]:
        fmt, seed = options["format"], options["seed"]
        try:
            if options["interactions"]:
                logs = [read_interactions(options["interactions"], fmt)]
            else:
                logs = [
                    read_interactions(options[name], fmt) for name in ("train", "test")
                ]
        except InteractionFileError as error:
            raise CommandError(str(error)) from error

        self._user_ids, self._item_ids, coded = encode(*logs)
        n_users, n_items = len(self._user_ids), len(self._item_ids)
        if len(coded) == 2:
            return coded[0], coded[1], n_users, n_items, "given"
        train, test = random_holdout(coded[0], test_fraction=TEST_FRACTION, seed=seed)
        return train, test, n_users, n_items, "random_per_user"

    def _select(self, evaluation: EvaluationSet, options: dict) -> Selection:
        n_items = evaluation.train.shape[1]
        if options["no_tune"]:
            return fixed_selection(n_items, random_state=options["seed"])
        return tuned_selection(evaluation.train, k=options["k"], seed=options["seed"])

    def _dump(self, path: str, result: ModelResult, evaluation: EvaluationSet) -> None:
        try:
            with Path(path).open("w", encoding="utf-8", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(["user", "rank", "item"])
                for user, row in zip(
                    evaluation.users, result.recommendations, strict=True
                ):
                    for rank, item in enumerate(row[row >= 0], start=1):
                        writer.writerow(
                            [self._user_ids[user], rank, self._item_ids[item]]
                        )
        except OSError as error:
            raise CommandError(
                _("Cannot write %(path)s: %(error)s") % {"path": path, "error": error}
            ) from error

    def _write_json(self, protocol: dict, results: list[ModelResult]) -> None:
        models = {
            result.name: {
                "params": result.params,
                "metrics": result.metrics,
                "fit_seconds": round(result.fit_seconds, 3),
                "recommend_seconds": round(result.recommend_seconds, 3),
            }
            for result in results
        }
        report = {"protocol": protocol, "models": models}
        self.stdout.write(json.dumps(report, default=_json_default, ensure_ascii=False))

    def _write_table(self, protocol: dict, results: list[ModelResult]) -> None:
        self.stdout.write(
            _(
                "Split %(split)s, seed %(seed)s, k = %(k)s: %(n_users)s users, "
                "%(n_items)s items, %(n_train)s training and %(n_test)s test pairs, "
                "%(n_evaluated_users)s users evaluated."
            )
            % protocol
        )
        names = [_("model")] + [f"{name}@{protocol['k']}" for name in METRIC_NAMES]
        header = f"{names[0]:<14}" + "".join(f"{name:>14}" for name in names[1:])
        self.stdout.write(header + f"{_('fit (s)'):>10}")
        for result in results:
            cells = "".join(f"{result.metrics[name]:>14.4f}" for name in METRIC_NAMES)
            line = f"{result.name:<14}{cells}{result.fit_seconds:>10.2f}"
            self.stdout.write(line)
        self.stdout.write(
            _("engine: %s") % json.dumps(results[0].params, default=_json_default)
        )


def _json_default(value: object) -> object:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot serialise {type(value).__name__}")
