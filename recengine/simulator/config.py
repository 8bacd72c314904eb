"""Arguments of a simulation run and the limits that keep them sensible."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

MAX_VIEWERS = 2_000_000
MAX_DAYS = 365
MAX_SEED = 2**63 - 1
# About 2,000 viewer-days fill the event log with roughly 200 rows; beyond this the
# run would take many hours and hundreds of gigabytes.
MAX_VIEWER_DAYS = 20_000_000
MIN_VIEWERS = 10
# Catalogue sizes, when set explicitly instead of derived from the audience.
MAX_ROOMS = 50_000
MAX_MERCHANTS = 100_000
FUTURE_TOLERANCE = dt.timedelta(minutes=5)


class SimulationRefused(ValueError):
    """The arguments or the database state do not allow this run; nothing changed."""


@dataclass(frozen=True)
class SimulationConfig:
    seed: int
    viewers: int
    days: int
    until: dt.datetime
    replace: bool = False
    # None: derived from the number of viewers (see ``world.build_world``).
    rooms: int | None = None
    merchants: int | None = None

    def validate(self, now: dt.datetime) -> None:
        problems = self.problems(now)
        if problems:
            raise SimulationRefused(" ".join(problems))

    def problems(self, now: dt.datetime) -> list[str]:
        problems = []
        if not 0 <= self.seed <= MAX_SEED:
            problems.append(_("The seed must be between 0 and 2^63-1."))
        if not MIN_VIEWERS <= self.viewers <= MAX_VIEWERS:
            problems.append(
                _("The number of viewers must be between %(low)d and %(high)d.")
                % {"low": MIN_VIEWERS, "high": MAX_VIEWERS}
            )
        if not 1 <= self.days <= MAX_DAYS:
            problems.append(
                _("The number of days must be between 1 and %(high)d.")
                % {"high": MAX_DAYS}
            )
        if self.viewers * self.days > MAX_VIEWER_DAYS:
            problems.append(
                _("viewers x days must not exceed %(high)d.")
                % {"high": MAX_VIEWER_DAYS}
            )
        if self.rooms is not None and not 1 <= self.rooms <= MAX_ROOMS:
            problems.append(
                _("The number of live rooms must be between 1 and %(high)d.")
                % {"high": MAX_ROOMS}
            )
        if self.merchants is not None and not 1 <= self.merchants <= MAX_MERCHANTS:
            problems.append(
                _("The number of merchants must be between 1 and %(high)d.")
                % {"high": MAX_MERCHANTS}
            )
        if self.until.tzinfo is None:
            problems.append(_("The end of the period must carry a time zone."))
        elif self.until > now + FUTURE_TOLERANCE:
            problems.append(_("The simulated period cannot end in the future."))
        return problems

    @property
    def image_folder(self) -> str:
        # One folder per configuration: a rerun rewrites identical files, so a
        # rolled-back rerun never damages the pictures of the platform it replaced.
        folder = f"sim-{self.seed}-{self.viewers}-{self.days}"
        if self.rooms is not None or self.merchants is not None:
            folder += f"-r{self.rooms or 0}-m{self.merchants or 0}"
        return folder
