"""Register the default audit schedules in the database that beat reads."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from audits.schedules import ensure_audit_schedules


class Command(BaseCommand):
    help = "Register the daily, weekly and monthly audit schedules unless present."

    def handle(self, *args, **options) -> None:
        for name, created in ensure_audit_schedules():
            verb = "Registered" if created else "Already present:"
            self.stdout.write(f"{verb} {name}")
