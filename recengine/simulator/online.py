"""Online A/B test on a simulated platform: learned engine against popularity.

Offline metrics on a log collected under the popularity baseline favour that
baseline (it chose what could be clicked). The simulator knows each viewer's latent
interests and each seller's quality, and its response model decides what happens,
so replaying more days with viewers split between two arms measures the engine
without that bias.

Viewers are assigned by a hash of their own (client) id, half to the ``personalised``
arm (the active engine version, through ``serving.recommend``) and half to the
``popularity`` arm (the popularity baseline, served through the same entry point
in a dedicated block). Responses come from ``responses.Responses``; events and
exposures reach the log through the normal path, each exposure naming the
strategy that served it. The world is redrawn from the run's seed, which gives
back exactly the ground truth the platform was built with.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import logging
from collections.abc import Callable
from zoneinfo import ZoneInfo

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from recengine import serving
from recengine.models import (
    BroadcastSession,
    EventKind,
    Scene,
    ShortVideo,
    SimulationRun,
)
from recengine.services.catalogue import MAX_CATALOGUE_ROWS, upsert_catalogue
from recengine.serving.baseline import PopularityBaseline
from recengine.simulator import catalogue
from recengine.simulator.ab_metrics import (
    ARMS,
    ArmReport,
    Estimate,
    Ledger,
    summarise,
)
from recengine.simulator.config import SimulationRefused
from recengine.simulator.runner import EXPOSURE_BATCH
from recengine.simulator.traffic import PAGE_SIZE, Traffic, _Collector
from recengine.simulator.world import HOUR, World, _sessions, build_world
from recengine.simulator.writer import EventWriter

logger = logging.getLogger(__name__)

MAX_AB_DAYS = 30
PERSONALISED, POPULARITY = ARMS
STATS_KEY = "ab_tests"


@dataclasses.dataclass(frozen=True)
class AbResult:
    start: dt.datetime
    end: dt.datetime
    model_version: str
    arms: dict[str, ArmReport]
    # Per metric, personalised minus popularity with the interval of the difference.
    lift: dict[str, Estimate]

    def as_dict(self) -> dict:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "model_version": self.model_version,
            "arms": {name: report.as_dict() for name, report in self.arms.items()},
            "lift": {name: lift.as_dict() for name, lift in self.lift.items()},
        }


def arm_of(viewer: str) -> str:
    """50/50 by a hash of the viewer's own id (the one clients send), as a
    platform buckets its users: stable across runs, processes and databases,
    whatever keys the database gave the viewers."""
    digest = hashlib.sha256(f"ab-arm:{viewer}".encode()).digest()
    return ARMS[digest[0] & 1]


def run_ab_test(
    *, days: int, seed: int = 0, progress: Callable[[str], None] = logger.debug
) -> AbResult:
    """Replay ``days`` more days on the latest simulated platform, in one
    transaction; the active engine version serves the personalised arm."""
    if not 1 <= days <= MAX_AB_DAYS:
        raise SimulationRefused(
            _("The A/B test runs between 1 and %(high)d days.") % {"high": MAX_AB_DAYS}
        )
    run = SimulationRun.objects.order_by("-pk").first()
    if run is None or "period_end" not in run.stats:
        raise SimulationRefused(_("There is no simulated platform to test on."))
    start = dt.datetime.fromisoformat(run.stats.get("ab_end", run.stats["period_end"]))
    end = start + dt.timedelta(days=days)
    if end > timezone.now():
        raise SimulationRefused(
            _("The A/B days would end in the future; simulate an earlier --until.")
        )
    try:
        return _run(run, start, end, seed, progress)
    except BaseException:
        serving.reset()
        raise


@transaction.atomic
def _run(run, start, end, seed, progress) -> AbResult:
    version = _active_version()
    tz = ZoneInfo(settings.TIME_ZONE)
    world = build_world(
        np.random.default_rng(run.seed), run.viewers, run.days, start, tz
    )
    rng = np.random.default_rng([run.seed, seed, int(start.timestamp())])
    world = _extend_schedule(world, rng, start, end, tz)
    keys = _keys(world)
    progress(f"A/B from {start:%Y-%m-%d %H:%M} for {(end - start).days} days")

    traffic = AbTraffic(world, keys, rng, progress)
    traffic.run((end - start).days)
    comparison = summarise(traffic.ledger, traffic.arm.astype(int), seed=seed)
    result = AbResult(start, end, version, comparison.arms, comparison.lift)

    run.stats[STATS_KEY] = [*run.stats.get(STATS_KEY, []), result.as_dict()]
    run.stats["ab_end"] = end.isoformat()
    run.save(update_fields=["stats"])
    logger.info("online A/B test finished", extra={"run": run.pk, "model": version})
    return result


def _active_version() -> str:
    runtime = serving.runtime()
    runtime.refresh(force=True)
    runtime.wait()
    if runtime.loaded_version is None:
        raise SimulationRefused(
            _("No engine version is active; train and activate one first.")
        )
    return runtime.loaded_version


# -- the broadcast schedule of the A/B days ------------------------------------------


def _extend_schedule(world: World, rng, start, end, tz) -> World:
    """Close the broadcasts live at ``start`` and schedule those of the A/B days."""
    closes = _close_open_sessions(rng, start.timestamp())
    sessions = _sessions(rng, world.rooms, start.timestamp(), end.timestamp(), tz)
    busy_until = np.zeros(len(world.rooms.anchor))
    for room, closed in closes.items():
        busy_until[room] = closed
    keep = sessions.start > busy_until[sessions.room] + 600.0
    sessions = dataclasses.replace(
        sessions,
        room=sessions.room[keep],
        start=sessions.start[keep],
        end=sessions.end[keep],
    )
    extended = dataclasses.replace(
        world, sessions=sessions, start=start.timestamp(), until=end.timestamp()
    )
    _write_sessions(extended, rng)
    return extended


def _close_open_sessions(rng, start: float) -> dict[int, float]:
    """Room index -> the moment its open broadcast now ends (2-5 h after it began)."""
    open_sessions = (
        BroadcastSession.objects.filter(
            ended_at__isnull=True, room__external_id__startswith="sim-r"
        )
        .order_by("external_id")
        .values_list("external_id", "room__external_id", "started_at")
    )
    rows, closes = [], {}
    for external, room, began in open_sessions:
        length = (2.0 + 3.0 * rng.random()) * HOUR
        ended = max(began.timestamp() + length, start + 600.0)
        closes[int(room.removeprefix("sim-r"))] = ended
        rows.append(
            {
                "external_id": external,
                "room": room,
                "started_at": began,
                "ended_at": dt.datetime.fromtimestamp(round(ended, 3), dt.UTC),
            }
        )
    _upsert_sessions(rows)
    return closes


def _write_sessions(world: World, rng) -> None:
    offset = BroadcastSession.objects.filter(external_id__startswith="sim-s").count()
    rows = catalogue._session_rows(world, rng)
    for index, row in enumerate(rows):
        row["external_id"] = catalogue.external_id("s", offset + index)
    _upsert_sessions(rows)


def _upsert_sessions(rows: list[dict]) -> None:
    for start in range(0, len(rows), MAX_CATALOGUE_ROWS):
        chunk = rows[start : start + MAX_CATALOGUE_ROWS]
        upsert_catalogue("sessions", chunk, reason="simulated A/B test schedule")


def _keys(world: World) -> catalogue.Keys:
    keys = catalogue._keys(world, [])
    videos = len(world.videos.anchor)
    keys.video = catalogue._pks(
        ShortVideo, (catalogue.external_id("v", i) for i in range(videos))
    )
    return keys


# -- traffic split between the arms --------------------------------------------------


class _ArmWriter(EventWriter):
    """The simulator's writer, with event ids of their own and a ledger of outcomes."""

    def __init__(self, keys, world: World, kinds, ledger: Ledger, prefix: str):
        super().__init__(keys, world, kinds)
        self.ledger, self.prefix = ledger, prefix
        self.control: PopularityBaseline | None = None

    def emit(self, kind: int, viewer: int, moment: float, **refs) -> None:
        super().emit(kind, viewer, moment, **refs)
        self._events[-1].event_id = f"{self.prefix}{self._counter:010d}"
        self.ledger.record(kind, viewer, refs.get("amount"))

    def flush(self) -> None:
        events = self._events
        super().flush()
        # The baseline arm counts engagement from every logged event, as it would
        # in production; the engine runtime observed them in log_events.
        if events and self.control is not None:
            self.control.observe(events)


class AbTraffic(Traffic):
    """``Traffic`` whose visits are served by the arm of their viewer."""

    def __init__(self, world: World, keys, rng, progress):
        super().__init__(world, keys, rng, progress)
        self.ledger = Ledger(world)
        self.arm = np.array(
            [
                arm_of(catalogue.viewer_user_id(index)) == POPULARITY
                for index in range(len(keys.viewer))
            ]
        )
        self.control = PopularityBaseline(catalogue_ttl=None, engagement_ttl=None)
        prefix = f"ab-{int(world.start)}-e"
        self.writer = _ArmWriter(keys, world, self.tally.kinds, self.ledger, prefix)
        self.writer.control = self.control
        self.responses.writer = self.writer
        self._label = int(world.start)

    def run(self, days: int):
        for day in range(days):
            self._day(day)
        self.writer.flush()
        return self.tally

    def _batch(self, visitors, moments, live, day, first) -> None:
        served: dict[int, list[int]] = {}
        control = self.arm[visitors]
        with serving.dedicated(self.control, exposure_batch=EXPOSURE_BATCH):
            for offset in np.flatnonzero(control):
                served[offset] = self._serve(
                    visitors, moments, live, day, first, offset
                )
        for offset in np.flatnonzero(~control):
            served[offset] = self._serve(visitors, moments, live, day, first, offset)

        rooms, products = _Collector(), _Collector()
        for offset in range(len(visitors)):
            (rooms if live[offset] else products).add(offset, served[offset])
            self.ledger.visit(visitors[offset], bool(live[offset]), served[offset])
        self.tally.kinds[EventKind.IMPRESSION] += rooms.size + products.size
        self.responses.to_live_feed(visitors, moments, rooms.slots())
        self.responses.to_product_feed(visitors, moments, products.slots())
        self.writer.flush()

    def _serve(self, visitors, moments, live, day, first, offset) -> list[int]:
        result = serving.recommend(
            viewer_id=int(self.keys.viewer[visitors[offset]]),
            scene=Scene.LIVE_FEED if live[offset] else Scene.PRODUCT_FEED,
            size=PAGE_SIZE,
            now=dt.datetime.fromtimestamp(float(moments[offset]), dt.UTC),
            request_id=f"ab-{self._label}-{day}-{first + offset}",
        )
        index = self.keys.room_index if live[offset] else self.keys.product_index
        return [index[item.id] for item in result.items]
