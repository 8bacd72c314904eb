"""Register the default periodic jobs in the database that beat reads."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from recengine.schedules import ensure_default_schedules


class Command(BaseCommand):
    help = gettext_lazy(
        "Register the default periodic jobs (platform snapshots) unless present."
    )

    def handle(self, *args, **options) -> None:
        for result in ensure_default_schedules():
            if result.created:
                message = _("Registered periodic task: %(name)s")
            else:
                message = _("Periodic task already present: %(name)s")
            self.stdout.write(message % {"name": result.name})
