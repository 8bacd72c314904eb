"""Run one audit synchronously: ``manage.py run_audit --start D --end D``."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from audits.models import AuditKind
from audits.services.runs import AuditError, execute_run, request_audit


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"not a date (YYYY-MM-DD): {value}") from error


class Command(BaseCommand):
    help = "Run a compliance audit of a period now and print the report id."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--start", required=True, help="First day, YYYY-MM-DD.")
        parser.add_argument("--end", required=True, help="Last day, YYYY-MM-DD.")
        parser.add_argument("--kind", default=AuditKind.FULL, choices=AuditKind.values)
        parser.add_argument("--user", default="", help="Username requesting it.")

    def handle(self, *args, **options) -> None:
        actor = self._actor(options["user"])
        try:
            run = request_audit(
                actor=actor,
                start=_date(options["start"]),
                end=_date(options["end"]),
                kind=options["kind"],
                enqueue=False,
            )
        except AuditError as error:
            raise CommandError(str(error)) from error
        report_id = execute_run(run.pk)
        self.stdout.write(str(report_id))

    def _actor(self, username: str):
        if not username:
            return None
        try:
            return get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist as error:
            raise CommandError(f"No user named {username!r}") from error
