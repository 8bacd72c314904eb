"""Days of viewer traffic replayed against the real serving code.

Per day the simulator draws who is active, how often they visit and when (numpy),
then walks the visits in time order in batches: each visit asks
``recengine.serving.recommend`` for a page, and the batch's responses to all served
slots are drawn at once (``responses``). Only the ``recommend`` call and the
construction of events that happened run per item in Python.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

import numpy as np

from recengine import serving
from recengine.models import EventKind, Scene
from recengine.simulator.catalogue import Keys
from recengine.simulator.responses import Responses, Slots, Tally, flatten
from recengine.simulator.world import DAY, N_CATEGORIES, World
from recengine.simulator.writer import EventWriter

logger = logging.getLogger(__name__)

PAGE_SIZE = 10
BATCH_VISITS = 2000
LIVE_SHARE = 0.7
MAX_VISITS_PER_DAY = 6
# Local hour profile of visits: quiet at night, a peak in the evening.
HOUR_WEIGHTS = np.array(
    [2, 1, 1, 0.5, 0.5, 0.5, 1, 2, 3, 3, 3, 4, 5, 4, 3, 3, 4, 5, 6, 9, 10, 10, 8, 4],
    dtype=np.float64,
)
# Short-video views per watcher: a month of history, then a daily rate.
HISTORY_VIEWS, DAILY_VIEWS, HISTORY_DAYS = 12.0, 1.0, 30


class Traffic:
    def __init__(
        self,
        world: World,
        keys: Keys,
        rng: np.random.Generator,
        progress: Callable[[str], None],
    ):
        self.world, self.keys, self.rng, self.progress = world, keys, rng, progress
        self.tally = Tally.for_merchants(len(world.merchants.category))
        self.writer = EventWriter(keys, world, self.tally.kinds)
        self.responses = Responses(world, rng, self.writer, self.tally)
        self._videos = flatten(
            [np.flatnonzero(world.videos.category == c) for c in range(N_CATEGORIES)]
        )

    def run(self, days: int) -> Tally:
        start = self.world.start
        self._short_videos(HISTORY_VIEWS, start - HISTORY_DAYS * DAY, start)
        for day in range(days):
            self._day(day)
        self.writer.flush()
        return self.tally

    def _day(self, day: int) -> None:
        world, rng = self.world, self.rng
        low = world.start + day * DAY
        active = np.flatnonzero(
            rng.random(len(world.viewers.region)) < world.viewers.activity
        )
        per_viewer = np.minimum(1 + rng.poisson(1.0, len(active)), MAX_VISITS_PER_DAY)
        visitors = np.repeat(active, per_viewer)
        moments = self._visit_times(len(visitors), low)
        live = rng.random(len(visitors)) < LIVE_SHARE

        order = np.argsort(moments, kind="stable")
        for start in range(0, len(order), BATCH_VISITS):
            chosen = order[start : start + BATCH_VISITS]
            self._batch(visitors[chosen], moments[chosen], live[chosen], day, start)
        self._short_videos(DAILY_VIEWS, low, low + DAY)

        self.tally.visits += len(visitors)
        self.progress(
            f"day {day + 1}: {len(visitors)} visits, "
            f"{sum(self.tally.kinds.values())} events so far"
        )

    def _visit_times(self, count: int, low: float) -> np.ndarray:
        local = dt.datetime.fromtimestamp(low, self.world.timezone)
        since_midnight = local.hour * 3600 + local.minute * 60 + local.second
        hours = self.rng.choice(24, count, p=HOUR_WEIGHTS / HOUR_WEIGHTS.sum())
        time_of_day = (hours + self.rng.random(count)) * 3600.0
        return low + np.mod(time_of_day - since_midnight, DAY)

    def _batch(
        self,
        visitors: np.ndarray,
        moments: np.ndarray,
        live: np.ndarray,
        day: int,
        first: int,
    ) -> None:
        rooms, products = _Collector(), _Collector()
        for offset in range(len(visitors)):
            scene = Scene.LIVE_FEED if live[offset] else Scene.PRODUCT_FEED
            result = serving.recommend(
                viewer_id=int(self.keys.viewer[visitors[offset]]),
                scene=scene,
                size=PAGE_SIZE,
                now=dt.datetime.fromtimestamp(float(moments[offset]), dt.UTC),
                request_id=f"sim-{day}-{first + offset}",
            )
            index = self.keys.room_index if live[offset] else self.keys.product_index
            served = [index[item.id] for item in result.items]
            (rooms if live[offset] else products).add(offset, served)

        self.tally.kinds[EventKind.IMPRESSION] += rooms.size + products.size
        self.responses.to_live_feed(visitors, moments, rooms.slots())
        self.responses.to_product_feed(visitors, moments, products.slots())
        self.writer.flush()

    def _short_videos(self, rate: float, low: float, high: float) -> None:
        rng, world = self.rng, self.world
        watchers = np.flatnonzero(world.viewers.short_video)
        viewer = np.repeat(watchers, rng.poisson(rate, len(watchers)))
        # Each view's category follows the viewer's latent interests.
        cumulative = world.viewers.interests[viewer].cumsum(axis=1)
        category = (rng.random(len(viewer))[:, None] > cumulative).sum(1)
        category = np.minimum(category, N_CATEGORIES - 1)
        flat, starts, counts = self._videos
        shown = counts[category] > 0
        viewer, category = viewer[shown], category[shown]
        draw = (rng.random(len(viewer)) * counts[category]).astype(np.int64)
        video = flat[starts[category] + draw]
        watched = world.videos.duration[video] * rng.beta(2, 2, len(video))
        when = rng.uniform(low, high, len(video))

        for i in range(len(video)):
            self.writer.emit(
                EventKind.SHORT_VIDEO_VIEW,
                viewer[i],
                when[i],
                short_video=video[i],
                dwell=float(watched[i]),
            )
        self.writer.flush()


class _Collector:
    """Served slots gathered visit by visit, handed over as arrays."""

    def __init__(self):
        self.visit: list[int] = []
        self.position: list[int] = []
        self.item: list[int] = []

    @property
    def size(self) -> int:
        return len(self.item)

    def add(self, visit: int, items: list[int]) -> None:
        self.visit += [visit] * len(items)
        self.position += range(len(items))
        self.item += items

    def slots(self) -> Slots:
        return Slots(
            np.array(self.visit, dtype=np.int64),
            np.array(self.position, dtype=np.int64),
            np.array(self.item, dtype=np.int64),
        )
