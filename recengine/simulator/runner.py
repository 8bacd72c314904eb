"""One simulation run: refuse or clear, draw, write, replay, record the truth.

Everything happens in one database transaction, so a run that fails halfway leaves
the database exactly as it was. Product pictures are files, outside any transaction:
a failed run removes the folder it created.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from recengine import serving
from recengine.models import (
    Anchor,
    Category,
    Event,
    EventKind,
    InterestTag,
    LiveRoom,
    Merchant,
    Product,
    SimulationRun,
    Viewer,
)
from recengine.simulator.catalogue import Pictures, write_catalogue
from recengine.simulator.config import SimulationConfig, SimulationRefused
from recengine.simulator.images import FOLDER
from recengine.simulator.purge import PlatformInUse, purge_simulated_platform
from recengine.simulator.responses import Tally
from recengine.simulator.traffic import Traffic
from recengine.simulator.truth import write_truth
from recengine.simulator.world import World, build_world
from recengine.taxonomy import record_seeded_tags, seed_taxonomy

logger = logging.getLogger(__name__)

# Exposures are written in batches of this many rows during a replay.
EXPOSURE_BATCH = 20_000


def _quiet(message: str) -> None:
    logger.debug(message)


def simulate(
    config: SimulationConfig, *, progress: Callable[[str], None] = _quiet
) -> SimulationRun:
    config.validate(timezone.now())
    pictures = Pictures(
        Path(settings.MEDIA_ROOT) / FOLDER / config.image_folder,
        f"{FOLDER}/{config.image_folder}",
    )
    created_folder = not pictures.path.exists()
    pictures.path.mkdir(parents=True, exist_ok=True)
    try:
        return _run(config, pictures, progress)
    except BaseException:
        serving.reset()
        if created_folder:
            shutil.rmtree(pictures.path, ignore_errors=True)
        raise


@transaction.atomic
def _run(
    config: SimulationConfig, pictures: Pictures, progress: Callable[[str], None]
) -> SimulationRun:
    clock = time.perf_counter()
    _clear_previous(config, pictures)
    run = SimulationRun.objects.create(
        seed=config.seed,
        viewers=config.viewers,
        days=config.days,
        started_at=timezone.now(),
    )
    rng = np.random.default_rng(config.seed)
    tz = ZoneInfo(settings.TIME_ZONE)
    world = build_world(
        rng,
        config.viewers,
        config.days,
        config.until,
        tz,
        rooms=config.rooms,
        merchants=config.merchants,
    )
    progress(f"world drawn: {len(world.sessions.room)} broadcast sessions")
    # A platform may have been emptied since migrate seeded the taxonomy.
    seed_taxonomy(Category, InterestTag)
    record_seeded_tags(InterestTag, InterestTag.history.model, when=timezone.now())
    keys = write_catalogue(world, rng, pictures, progress)

    engine = serving.PopularityBaseline(catalogue_ttl=None, engagement_ttl=None)
    with serving.dedicated(engine, exposure_batch=EXPOSURE_BATCH):
        tally = Traffic(world, keys, rng, progress).run(config.days)
    truths = write_truth(run, world, tally)

    run.finished_at = timezone.now()
    run.stats = _stats(world, tally, truths, time.perf_counter() - clock)
    run.stats["period_start"] = (
        config.until - dt.timedelta(days=config.days)
    ).isoformat()
    run.stats["period_end"] = config.until.isoformat()
    run.save(update_fields=["finished_at", "stats"])
    logger.info("simulation finished", extra={"run": run.pk, **run.stats["events"]})
    return run


def platform_exists() -> bool:
    return any(
        model.objects.exists()
        for model in (Viewer, Anchor, Merchant, Product, LiveRoom, Event)
    )


def _clear_previous(config: SimulationConfig, pictures: Pictures) -> None:
    if not platform_exists():
        return
    if not config.replace:
        raise SimulationRefused(
            _("The database already holds a platform; pass --replace to rebuild it.")
        )
    previous = list(SimulationRun.objects.all())
    if not previous:
        raise SimulationRefused(
            _(
                "The database holds a platform the simulator did not build; "
                "--replace only removes simulated platforms."
            )
        )
    try:
        purge_simulated_platform()
    except PlatformInUse as blocked:
        raise SimulationRefused(
            _("Other records still point at the platform: %(tables)s.")
            % {"tables": blocked}
        ) from None
    stale = {
        Path(settings.MEDIA_ROOT) / FOLDER / _folder_of(run) for run in previous
    } - {pictures.path}
    transaction.on_commit(lambda: _remove_folders(stale))


def _folder_of(run: SimulationRun) -> str:
    return f"sim-{run.seed}-{run.viewers}-{run.days}"


def _remove_folders(folders: set[Path]) -> None:
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)


def _stats(world: World, tally: Tally, truths: int, seconds: float) -> dict:
    events = {kind.name.lower(): int(tally.kinds.get(kind, 0)) for kind in EventKind}
    return {
        "events": events,
        "events_total": sum(events.values()),
        "visits": int(tally.visits),
        "anchors": len(world.anchors.specialty),
        "merchants": len(world.merchants.category),
        "products": len(world.products.merchant),
        "rooms": len(world.rooms.anchor),
        "sessions": len(world.sessions.room),
        "short_videos": len(world.videos.anchor),
        "ground_truth_rows": truths,
        "seconds": round(seconds, 1),
    }
