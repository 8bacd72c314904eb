"""What each viewer marked "not interested", for the popularity baseline (6.3.3).

The learned engine keeps its own, richer memory (``recengine.engine.feedback``);
this one only hides the rejected items themselves, for ``NOT_INTERESTED_DAYS``,
so that a platform served by the baseline (before a model is active, or while the
simulator replays traffic) obeys a viewer's "not interested" as well.

Events logged in this process arrive through ``observe``; those of other processes
are read from the log when the engine's feedback marker moves, and in any case
every ``RELOAD_SECONDS``.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Sequence

from django.conf import settings

from recengine import markers
from recengine.models import Event, EventKind

logger = logging.getLogger(__name__)

DAY = 86_400.0
RELOAD_SECONDS = 60.0
# Shared with the learned engine: logging a "not interested" moves it.
FEEDBACK_KEY = markers.register("engine:viewer-feedback")


def suppress_seconds() -> float:
    return float(getattr(settings, "NOT_INTERESTED_DAYS", 30)) * DAY


class Rejections:
    def __init__(
        self, *, from_log: bool = True, clock: Callable[[], float] = time.monotonic
    ) -> None:
        """``from_log=False`` keeps only what ``observe`` brings (a replay)."""
        self.from_log = from_log
        self.clock = clock
        self._items: dict[tuple[int, str], dict[int, float]] = defaultdict(dict)
        self._lock = threading.Lock()
        self._marker = None
        self._loaded_at = -float("inf")

    def observe(self, events: Sequence[Event]) -> None:
        for event in events:
            if event.kind != EventKind.NOT_INTERESTED or event.viewer_id is None:
                continue
            at = event.occurred_at.timestamp()
            if event.room_id is not None:
                self._add(event.viewer_id, "live_room", event.room_id, at)
            if event.product_id is not None:
                self._add(event.viewer_id, "product", event.product_id, at)

    def hidden(self, viewer: int, kind: str, now: dt.datetime) -> list[int]:
        """Keys of the ``kind`` items ``viewer`` rejected within the period."""
        self._refresh()
        oldest = now.timestamp() - suppress_seconds()
        with self._lock:
            found = self._items.get((viewer, kind), {})
            return [pk for pk, at in found.items() if oldest < at <= now.timestamp()]

    def _add(self, viewer: int, kind: str, pk: int, at: float) -> None:
        with self._lock:
            known = self._items[(viewer, kind)]
            known[pk] = max(known.get(pk, at), at)

    def _refresh(self) -> None:
        if not self.from_log:
            return
        try:
            marker = markers.read(FEEDBACK_KEY)
        except Exception:  # the marker only speeds things up; the timer still runs
            marker = None
        tick = self.clock()
        if marker == self._marker and tick - self._loaded_at < RELOAD_SECONDS:
            return
        self._marker, self._loaded_at = marker, tick
        since = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=suppress_seconds())
        rows = Event.objects.filter(
            kind=EventKind.NOT_INTERESTED, occurred_at__gte=since
        ).values_list("viewer_id", "room_id", "product_id", "occurred_at")
        for viewer, room, product, at in rows.iterator(chunk_size=10_000):
            if room is not None:
                self._add(viewer, "live_room", room, at.timestamp())
            if product is not None:
                self._add(viewer, "product", product, at.timestamp())
