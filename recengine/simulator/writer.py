"""Simulated events on their way to the log, through the serving module.

Events are built with world indices and leave with database keys. They reach the
log through ``serving.log_events``, so the serving layer counts their engagement
exactly as it would for a platform's own events.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

from recengine import serving
from recengine.models import Event
from recengine.serving.event_rows import new_event
from recengine.simulator.catalogue import Keys
from recengine.simulator.world import World


class _Ids:
    """Database keys as plain lists: indexing them per event beats numpy scalars."""

    def __init__(self, keys: Keys, world: World):
        self.viewer = keys.viewer.tolist()
        self.room = keys.room.tolist()
        self.product = keys.product.tolist()
        self.video = keys.video.tolist()
        self.room_anchor = keys.anchor[world.rooms.anchor].tolist()
        self.video_anchor = keys.anchor[world.videos.anchor].tolist()


class EventWriter:
    def __init__(self, keys: Keys, world: World, kinds: Counter):
        self.kinds = kinds
        self._ids = _Ids(keys, world)
        # Responses drawn near the end of the period stay inside it.
        self._last_moment = world.until - 0.001
        self._events: list[Event] = []
        self._counter = 0

    def emit(
        self,
        kind: int,
        viewer: int,
        moment: float,
        *,
        room: int | None = None,
        product: int | None = None,
        short_video: int | None = None,
        scene: str = "",
        dwell: float | None = None,
        amount: float | None = None,
        quantity: int | None = None,
        words: str = "",
    ) -> None:
        """Queue one event; every reference is an index into the world's arrays."""
        ids = self._ids
        anchor = None
        if room is not None:
            anchor = ids.room_anchor[room]
        elif short_video is not None:
            anchor = ids.video_anchor[short_video]

        self._counter += 1
        moment = min(float(moment), self._last_moment)
        self._events.append(
            new_event(
                event_id=f"sim-e{self._counter:010d}",
                kind=kind,
                occurred_at=dt.datetime.fromtimestamp(moment, dt.UTC),
                viewer_id=ids.viewer[viewer],
                room_id=None if room is None else ids.room[room],
                product_id=None if product is None else ids.product[product],
                anchor_id=anchor,
                short_video_id=None if short_video is None else ids.video[short_video],
                scene=scene,
                dwell_seconds=dwell,
                amount=None if amount is None else Decimal(f"{amount:.2f}"),
                quantity=quantity,
                text=words,
            )
        )
        self.kinds[kind] += 1

    def flush(self) -> None:
        if self._events:
            serving.log_events(self._events)
            self._events = []
