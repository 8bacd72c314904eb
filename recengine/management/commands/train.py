"""``python manage.py train``: a new engine version from the event log window."""

from __future__ import annotations

import datetime as dt
import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from recengine.engine.pipeline import DEFAULT_DAYS, NothingToTrain, train
from recengine.services.lifecycle import LifecycleError, activate_model, active_model


def _moment(value: str) -> dt.datetime:
    moment = parse_datetime(value)
    if moment is None:
        raise CommandError(_("--until must be an ISO date-time, got %s") % value)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


class Command(BaseCommand):
    help = _("Train the engine on a window of the event log and register a candidate.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--until", type=_moment, default=None)
        parser.add_argument("--days", type=int, default=DEFAULT_DAYS)
        parser.add_argument("--activate", action="store_true")
        parser.add_argument("--actor", default="")
        parser.add_argument("--reason", default="")
        parser.add_argument(
            "--unless-active",
            action="store_true",
            help=_("Do nothing when a model version is already active (demo set-up)."),
        )

    def handle(self, *args, **options) -> None:
        if options["unless_active"] and active_model() is not None:
            self.stdout.write(_("A model version is already active; nothing to do."))
            return
        actor = self._actor(options)
        until = options["until"] or timezone.now()
        if options["days"] < 1:
            raise CommandError(_("--days must be at least 1"))
        try:
            result = train(until, options["days"])
        except NothingToTrain as problem:
            raise CommandError(str(problem)) from None

        version = result.model.version
        self.stdout.write(json.dumps(result.model.evaluation, indent=2))
        self.stdout.write(
            _("candidate %(version)s trained in %(seconds).1f s")
            % {"version": version, "seconds": result.seconds}
        )
        if actor is None:
            return
        try:
            activate_model(actor=actor, version=version, reason=options["reason"])
        except LifecycleError as problem:
            raise CommandError(str(problem)) from None
        self.stdout.write(_("%(version)s is now active") % {"version": version})

    def _actor(self, options):
        """The activating user, checked before any training time is spent."""
        if not options["activate"]:
            return None
        if not options["reason"].strip():
            raise CommandError(_("--activate needs --reason"))
        user = get_user_model().objects.filter(username=options["actor"]).first()
        if user is None:
            raise CommandError(_("--activate needs --actor naming an existing user"))
        return user
