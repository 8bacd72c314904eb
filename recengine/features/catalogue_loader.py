"""The catalogue as of a moment, read from the database through an allow-list.

Products and live rooms registered before ``now``, with the broadcasts (transcripts,
audio statistics, time on air), danmaku and visits of a look-back window, loaded
into the plain tables of ``recengine.features.catalogue``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd
from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from recengine.features.catalogue import Catalogue, ProductTable, RoomTable
from recengine.features.privacy import AllowList
from recengine.models import EventKind

logger = logging.getLogger(__name__)

EVENT = "recengine.Event"


CATALOGUE_FIELDS = {
    "recengine.Product": (
        "id",
        "title",
        "description",
        "price",
        "image",
        "category__code",
        "created_at",
    ),
    "recengine.LiveRoom": (
        "id",
        "anchor",
        "title",
        "category__code",
        "virtual_background",
        "anchor__is_digital_human",
        "products",
        "created_at",
    ),
    "recengine.BroadcastSession": (
        "room",
        "started_at",
        "ended_at",
        "transcript",
        "audio_stats",
    ),
    EVENT: ("id", "kind", "occurred_at", "room", "text"),
}
CATALOGUE = AllowList(CATALOGUE_FIELDS)
# A room's most recent comments are enough to characterise its audience; the cap
# keeps a hugely popular room from filling memory.
MAX_DANMAKU_PER_ROOM = 3000


def load_catalogue(
    now: dt.datetime, *, lookback: dt.timedelta = dt.timedelta(days=30)
) -> Catalogue:
    """Products and live rooms registered before ``now``, with their broadcasts and
    danmaku of ``[now - lookback, now)``."""
    if now.tzinfo is None:
        raise ValueError("The moment must carry a time zone.")
    if lookback <= dt.timedelta(0):
        raise ValueError("The look-back window must be positive.")

    window = {"occurred_at__gte": now - lookback, "occurred_at__lt": now}
    products = _products(now)
    rooms = _rooms(now, products.ids)
    _add_sessions(rooms, now, lookback)
    _add_danmaku(rooms, window)
    _add_visits(rooms, window)
    rooms.window_days = lookback.total_seconds() / 86_400.0
    logger.debug(
        "catalogue loaded", extra={"products": len(products), "rooms": len(rooms)}
    )
    return Catalogue(products, rooms, meta={"now": now.isoformat()})


def _products(now: dt.datetime) -> ProductTable:
    columns = ["id", "title", "description", "price", "image", "category__code"]
    rows = CATALOGUE.rows("recengine.Product", columns, where={"created_at__lt": now})
    frame = pd.DataFrame.from_records(rows, columns=columns).sort_values("id")
    return ProductTable(
        ids=frame["id"].to_numpy(np.int64),
        titles=frame["title"].tolist(),
        descriptions=frame["description"].tolist(),
        categories=frame["category__code"].tolist(),
        prices=frame["price"].astype(float).to_numpy(),
        images=[_media_path(name) for name in frame["image"]],
    )


def _media_path(name: str) -> str | None:
    return str(Path(settings.MEDIA_ROOT) / name) if name else None


def _rooms(now: dt.datetime, known_products: np.ndarray) -> RoomTable:
    columns = [
        "id",
        "anchor",
        "title",
        "category__code",
        "virtual_background",
        "anchor__is_digital_human",
    ]
    rows = CATALOGUE.rows("recengine.LiveRoom", columns, where={"created_at__lt": now})
    frame = pd.DataFrame.from_records(rows, columns=columns).sort_values("id")
    listed = defaultdict(list)
    for room, product in CATALOGUE.rows(
        "recengine.LiveRoom",
        ["id", "products"],
        where={"created_at__lt": now, "products__isnull": False},
    ):
        listed[room].append(product)
    known = set(known_products.tolist())
    ids = frame["id"].to_numpy(np.int64)
    n = len(ids)
    return RoomTable(
        ids=ids,
        anchors=frame["anchor"].to_numpy(np.int64),
        titles=frame["title"].tolist(),
        categories=frame["category__code"].fillna("").tolist(),
        virtual_background=frame["virtual_background"].to_numpy(bool),
        digital_human=frame["anchor__is_digital_human"].to_numpy(bool),
        products=[
            np.array(sorted(p for p in listed[r] if p in known), dtype=np.int64)
            for r in ids
        ],
        transcripts=[[] for _ in range(n)],
        audio=[[] for _ in range(n)],
        start_hours=[np.zeros(0) for _ in range(n)],
        minutes_on_air=np.zeros(n),
        danmaku=[[] for _ in range(n)],
        visits=np.zeros(n),
    )


def _add_sessions(rooms: RoomTable, now: dt.datetime, lookback: dt.timedelta) -> None:
    position = {int(room): index for index, room in enumerate(rooms.ids)}
    hours = defaultdict(list)
    for room, started, ended, transcript, audio in CATALOGUE.rows(
        "recengine.BroadcastSession",
        ["room", "started_at", "ended_at", "transcript", "audio_stats"],
        where={"started_at__lt": now, "started_at__gte": now - lookback},
    ):
        index = position.get(room)
        if index is None:
            continue
        finished = now if ended is None or ended > now else ended
        rooms.minutes_on_air[index] += (finished - started).total_seconds() / 60.0
        if transcript:
            rooms.transcripts[index].append(transcript)
        if audio:
            rooms.audio[index].append(audio)
        local = timezone.localtime(started)
        hours[index].append(local.hour + local.minute / 60.0)
    for index, values in hours.items():
        rooms.start_hours[index] = np.array(values)


def _add_danmaku(rooms: RoomTable, window: dict[str, dt.datetime]) -> None:
    position = {int(room): index for index, room in enumerate(rooms.ids)}
    for room, text in CATALOGUE.rows(
        EVENT,
        ["room", "text"],
        where={**window, "kind": EventKind.COMMENT, "room__isnull": False},
        exclude={"text": ""},
        order_by=["occurred_at"],
    ):
        index = position.get(room)
        if index is not None:
            rooms.danmaku[index].append(text)
    for index, comments in enumerate(rooms.danmaku):
        rooms.danmaku[index] = comments[-MAX_DANMAKU_PER_ROOM:]


def _add_visits(rooms: RoomTable, window: dict[str, dt.datetime]) -> None:
    position = {int(room): index for index, room in enumerate(rooms.ids)}
    for room, visits in CATALOGUE.groups(
        EVENT,
        ["room"],
        {"visits": Count("id")},
        where={**window, "kind": EventKind.CLICK, "room__isnull": False},
    ):
        index = position.get(room)
        if index is not None:
            rooms.visits[index] = visits
