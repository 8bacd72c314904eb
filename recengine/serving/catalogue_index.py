"""Rooms, products and broadcast schedules held in memory as numpy arrays.

Built from a handful of ``values_list`` queries; a request only reads the arrays.
The live set at a moment is derived from the schedule, so a simulator replaying past
days and a server answering at the real time use the same code.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Q

from recengine import markers
from recengine.models import BroadcastSession, LiveRoom, Product

# Sessions that ended this long before the build moment can no longer be live for
# any later request, so they are not loaded.
SESSION_LOOKBACK = dt.timedelta(days=1)

# Bumped after a commit that changed rooms, products, anchors or broadcast sessions:
# serving processes reload their index when it moves (``EngineRuntime._index``).
CATALOGUE_KEY = markers.register("serving:catalogue")


def catalogue_changed() -> None:
    """Tell every serving process to reload its catalogue once this commits."""
    markers.bump_on_commit(CATALOGUE_KEY)


# Label codes attached to rooms; the governance layer maps them to AIGC label tiers.
LABEL_DIGITAL_HUMAN = "aigc:digital_human"
LABEL_VIRTUAL_SCENE = "aigc:virtual_scene"


@dataclass(frozen=True)
class LiveSet:
    mask: np.ndarray
    valid_from: float
    valid_until: float


@dataclass
class CatalogueIndex:
    room_pk: np.ndarray
    room_external: list[str]
    room_anchor_pk: np.ndarray
    room_labels: list[list[str]]
    product_pk: np.ndarray
    product_external: list[str]
    session_room: np.ndarray
    session_start: np.ndarray
    session_end: np.ndarray
    window_start: float
    room_position: dict[int, int]
    product_position: dict[int, int]
    # Merchant of each room (-1 for none) and product, for the policy filter.
    room_merchant_pk: np.ndarray | None = None
    product_merchant_pk: np.ndarray | None = None
    # What a model needs of an item it was not trained on (``engine.coldstart``):
    # category code ("" for none), creation time (epoch seconds), product price.
    room_category: list[str] | None = None
    room_created: np.ndarray | None = None
    product_category: list[str] | None = None
    product_created: np.ndarray | None = None
    product_price: np.ndarray | None = None
    # The last live set worked out: it holds until the next session starts or ends.
    _live: LiveSet | None = field(default=None, repr=False, compare=False)

    def live_mask(self, now: dt.datetime) -> np.ndarray:
        """Rooms with a broadcast session running at ``now``."""
        return self.live_set(now).mask

    def live_set(self, now: dt.datetime) -> LiveSet:
        """The live rooms at ``now`` and the span of time in which they stay so.

        Requests between two moments a broadcast starts or ends share one set (its
        mask is read-only).
        """
        moment = now.timestamp()
        cached = self._live
        if cached is not None and cached.valid_from <= moment < cached.valid_until:
            return cached
        running = (self.session_start <= moment) & (self.session_end > moment)
        mask = np.zeros(len(self.room_pk), dtype=bool)
        mask[self.session_room[running]] = True
        changes = np.concatenate([self.session_start, self.session_end])
        past, future = changes[changes <= moment], changes[changes > moment]
        mask.setflags(write=False)
        self._live = LiveSet(
            mask=mask,
            valid_from=float(past.max()) if len(past) else -np.inf,
            valid_until=float(future.min()) if len(future) else np.inf,
        )
        return self._live

    def covers(self, now: dt.datetime) -> bool:
        return now.timestamp() >= self.window_start


def load_catalogue(now: dt.datetime) -> CatalogueIndex:
    rooms = list(
        LiveRoom.objects.order_by("pk").values_list(
            "pk",
            "external_id",
            "anchor_id",
            "anchor__is_digital_human",
            "virtual_background",
            "merchant_id",
            "category__code",
            "created_at",
        )
    )
    products = list(
        Product.objects.order_by("pk").values_list(
            "pk", "external_id", "merchant_id", "category__code", "created_at", "price"
        )
    )
    room_position = {row[0]: index for index, row in enumerate(rooms)}
    session_room, start, end = _sessions(now, room_position)
    return CatalogueIndex(
        room_pk=np.array([row[0] for row in rooms], dtype=np.int64),
        room_external=[row[1] for row in rooms],
        room_anchor_pk=np.array([row[2] for row in rooms], dtype=np.int64),
        room_labels=[_room_labels(row[3], row[4]) for row in rooms],
        product_pk=np.array([row[0] for row in products], dtype=np.int64),
        product_external=[row[1] for row in products],
        session_room=session_room,
        session_start=start,
        session_end=end,
        window_start=(now - SESSION_LOOKBACK).timestamp(),
        room_position=room_position,
        product_position={row[0]: index for index, row in enumerate(products)},
        room_merchant_pk=np.array(
            [row[5] if row[5] is not None else -1 for row in rooms], dtype=np.int64
        ),
        product_merchant_pk=np.array([row[2] for row in products], dtype=np.int64),
        room_category=[row[6] or "" for row in rooms],
        room_created=np.array([row[7].timestamp() for row in rooms], dtype=np.float64),
        product_category=[row[3] or "" for row in products],
        product_created=np.array(
            [row[4].timestamp() for row in products], dtype=np.float64
        ),
        product_price=np.array([float(row[5]) for row in products], dtype=np.float64),
    )


def _sessions(
    now: dt.datetime, room_index: dict[int, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    recent = Q(ended_at__isnull=True) | Q(ended_at__gt=now - SESSION_LOOKBACK)
    rows = BroadcastSession.objects.filter(recent).values_list(
        "room_id", "started_at", "ended_at"
    )
    rooms, starts, ends = [], [], []
    for room_id, started, ended in rows.iterator(chunk_size=10_000):
        if room_id not in room_index:
            continue  # a room created after the room query: seen at the next refresh
        rooms.append(room_index[room_id])
        starts.append(started.timestamp())
        ends.append(ended.timestamp() if ended is not None else np.inf)
    return (
        np.array(rooms, dtype=np.int64),
        np.array(starts, dtype=np.float64),
        np.array(ends, dtype=np.float64),
    )


def _room_labels(digital_human: bool, virtual_background: bool) -> list[str]:
    labels = []
    if digital_human:
        labels.append(LABEL_DIGITAL_HUMAN)
    if virtual_background:
        labels.append(LABEL_VIRTUAL_SCENE)
    return labels
