"""Each viewer's "not interested" (clause 6.3.3), kept in memory by serving.

An item a viewer rejected is not served to them again for ``SUPPRESS_DAYS``
(setting ``NOT_INTERESTED_DAYS``, 30 by default). Its anchor, merchant and category
are damped: the score is multiplied by ``1 - 0.5 * 0.5 ** (age_days /
HALF_LIFE_DAYS)``, half at once and fading with a half-life of
``NOT_INTERESTED_HALF_LIFE_DAYS`` (7 by default), so one rejection does not hide a
whole category for a month.
Items similar to a rejected one (cosine of the fused item vectors above
``rerank.SIMILAR_FROM``) lose up to ``rerank.SIMILAR_WEIGHT`` of their score with
the same fading. Events older than ``SUPPRESS_DAYS`` are forgotten.

The process that logs a "not interested" folds it in at once; every other serving
process brings it in from the event log on its next personalised request
(``FeedbackSync``: when the ``FEEDBACK_KEY`` marker moved, else every
``SYNC_SECONDS``), so the next response obeys whichever process answers it.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable

import numpy as np
import pandas as pd
from django.conf import settings

from recengine import markers
from recengine.engine import readers
from recengine.engine.artifacts import SceneModel
from recengine.governance.rerank import NegativeFeedback
from recengine.serving.rejections import FEEDBACK_KEY

logger = logging.getLogger(__name__)

SUPPRESS_DAYS = float(getattr(settings, "NOT_INTERESTED_DAYS", 30))
HALF_LIFE_DAYS = float(getattr(settings, "NOT_INTERESTED_HALF_LIFE_DAYS", 7))
DAY = 86_400.0
SYNC_SECONDS = 5.0
# Read again on every sync: a transaction may commit a little after its events'
# time, and the store ignores what it already holds.
SYNC_SLACK = dt.timedelta(minutes=2)


class FeedbackStore:
    def __init__(self) -> None:
        self._events: dict[int, list[tuple[str, int, float]]] = defaultdict(list)
        self._lock = threading.Lock()

    def add(self, viewer: int, kind: str, pk: int, at: float) -> None:
        """Remember one rejection; the same one read twice counts once."""
        entry = (kind, pk, round(at, 3))
        with self._lock:
            if entry not in self._events[viewer]:
                self._events[viewer].append(entry)

    def for_viewer(
        self, viewer: int, scene: SceneModel, now: float
    ) -> NegativeFeedback:
        with self._lock:
            events = [
                e
                for e in self._events.get(viewer, [])
                if now - e[2] < SUPPRESS_DAYS * DAY
            ]
        items, anchors, merchants, categories = set(), {}, {}, {}
        rows, strength = [], []
        for kind, pk, at in events:
            if kind != scene.kind or pk not in scene.position:
                continue
            items.add(pk)
            row = scene.position[pk]
            fading = 0.5 ** (max(now - at, 0.0) / DAY / HALF_LIFE_DAYS)
            rows.append(row)
            strength.append(fading)
            factor = 1.0 - 0.5 * fading
            for target, key in (
                (anchors, scene.anchor[row]),
                (merchants, scene.merchant[row]),
                (categories, scene.category[row]),
            ):
                if key >= 0:
                    target[int(key)] = target.get(int(key), 1.0) * factor
        return NegativeFeedback(
            frozenset(items),
            anchors,
            merchants,
            categories,
            vectors=scene.vectors[rows] if rows else None,
            strength=np.asarray(strength) if rows else None,
        )


def bump_marker() -> None:
    """Tell every serving process that a "not interested" was logged."""
    markers.bump(FEEDBACK_KEY)


class FeedbackSync:
    """Brings into a store the "not interested" that other processes logged."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._store: FeedbackStore | None = None
        self._since: dt.datetime | None = None
        self._marker = None
        self._synced_at = -np.inf

    def sync(self, store: FeedbackStore, window_end: float) -> None:
        try:
            marker = markers.read(FEEDBACK_KEY)
        except Exception:
            marker = None
        tick = self.clock()
        fresh = store is self._store and marker == self._marker
        if fresh and tick - self._synced_at < SYNC_SECONDS:
            return
        if store is not self._store:
            # A new model's store already holds the log up to its load.
            self._store, self._since = store, None
        now = dt.datetime.now(dt.UTC)
        start = min(self._since or dt.datetime.fromtimestamp(window_end, dt.UTC), now)
        frame = readers.not_interested(start, now + dt.timedelta(seconds=1))
        for viewer, room, product, at in frame.itertuples(index=False):
            for kind, pk in (("live_room", room), ("product", product)):
                if not pd.isna(pk):
                    store.add(int(viewer), kind, int(pk), float(at))
        self._since = now - SYNC_SLACK
        self._marker, self._synced_at = marker, tick
