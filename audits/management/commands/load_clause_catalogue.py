"""Load a clause catalogue file: ``manage.py load_clause_catalogue [FILE]``."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from audits.catalogue.schema import DEFAULT_FILE, CatalogueError, read_catalogue
from audits.services import CatalogueConflict, load_catalogue


class Command(BaseCommand):
    help = "Validate a clause catalogue file and load it as a new catalogue version."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "file",
            nargs="?",
            default=str(DEFAULT_FILE),
            help="Catalogue YAML file (default: the catalogue shipped with audits).",
        )
        parser.add_argument(
            "--user", default="", help="Username recorded as the person loading it."
        )

    def handle(self, *args, **options) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        actor = self._actor(options["user"])

        try:
            catalogue = read_catalogue(path)
            result = load_catalogue(catalogue, actor=actor, source_name=path.name)
        except CatalogueError as error:
            lines = "\n".join(f"  - {problem}" for problem in error.problems)
            raise CommandError(
                f"{path.name} is not a valid catalogue:\n{lines}"
            ) from error
        except CatalogueConflict as error:
            raise CommandError(str(error)) from error

        verb = "Loaded" if result.created else "Already loaded, unchanged:"
        stored = result.catalogue
        self.stdout.write(
            f"{verb} catalogue {stored.version} ({stored.clauses.count()} clauses, "
            f"{stored.checks.count()} checks, {stored.attestations.count()} "
            f"attestation items), sha256 {stored.sha256}"
        )

    def _actor(self, username: str):
        if not username:
            return None
        try:
            return get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist as error:
            raise CommandError(f"No user named {username!r}") from error
