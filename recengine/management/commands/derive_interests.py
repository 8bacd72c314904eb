"""``python manage.py derive_interests``: every active viewer's interest tags."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from recengine.services.interests import WINDOW_DAYS, derive_all_interests


class Command(BaseCommand):
    help = _("Derive the interest tags of every viewer active in the window.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--until", default="")
        parser.add_argument("--days", type=int, default=WINDOW_DAYS)

    def handle(self, *args, **options) -> None:
        until = timezone.now()
        if options["until"]:
            until = parse_datetime(options["until"])
            if until is None or timezone.is_naive(until):
                raise CommandError(_("--until must be an ISO date-time with a zone"))
        if options["days"] < 1:
            raise CommandError(_("--days must be at least 1"))
        count = derive_all_interests(actor=None, now=until, days=options["days"])
        self.stdout.write(
            _("interest tags derived for %(count)d viewers") % {"count": count}
        )
