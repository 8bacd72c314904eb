"""The content elements the machine screen reads (clause 6.1.2: anchor credentials,
product information, what is said in the room and the danmaku), gathered from the
catalogue and the event log.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from itertools import chain

from django.conf import settings
from django.db.models import Count, Q, Sum

from recengine.features.privacy import redact
from recengine.models import (
    Anchor,
    BroadcastSession,
    Event,
    EventKind,
    LiveRoom,
    Product,
)
from recengine.moderation.models import AigcLabel, ContentKind

# A room counts as high traffic or high GMV over the last day from these figures;
# clause 6.1.1 sends such rooms to people whatever the model says.
HIGH_TRAFFIC_EXPOSURES = 500
HIGH_GMV = Decimal("20000")
RECENT = dt.timedelta(days=1)
DANMAKU_PER_ROOM = 200  # the newest comments of a room form one document
EXCERPT_CHARS = 4000


@dataclass(frozen=True)
class Element:
    kind: str
    text: str
    room_id: int | None = None
    product_id: int | None = None
    anchor_id: int | None = None
    session_id: int | None = None
    ai_synthesised: bool = False
    hot: bool = False

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(f"{self.kind}\n{self.text}".encode()).hexdigest()

    @property
    def key(self) -> tuple[str, int | None, int | None, int | None, int | None]:
        return (
            self.kind,
            self.room_id,
            self.product_id,
            self.anchor_id,
            self.session_id,
        )


def hot_rooms(now: dt.datetime) -> set[int]:
    """Rooms above the traffic or GMV line over the day before ``now``."""
    exposures = getattr(
        settings, "MODERATION_HIGH_TRAFFIC_EXPOSURES", HIGH_TRAFFIC_EXPOSURES
    )
    gmv = Decimal(getattr(settings, "MODERATION_HIGH_GMV", HIGH_GMV))
    rows = (
        Event.objects.filter(occurred_at__gte=now - RECENT, occurred_at__lt=now)
        .exclude(room=None)
        .values("room")
        .annotate(
            exposures=Count("pk", filter=Q(kind=EventKind.IMPRESSION)),
            gmv=Sum("amount", filter=Q(kind=EventKind.ORDER)),
        )
    )
    return {
        row["room"]
        for row in rows
        if row["exposures"] >= exposures or (row["gmv"] or 0) >= gmv
    }


def _labelled() -> tuple[set[int], set[int]]:
    labels = AigcLabel.objects.filter(active=True)
    rooms = set(labels.exclude(room=None).values_list("room_id", flat=True))
    products = set(labels.exclude(product=None).values_list("product_id", flat=True))
    return rooms, products


def gather(now: dt.datetime) -> Iterator[Element]:
    """Every screenable element of the catalogue as it stands."""
    hot = hot_rooms(now)
    labelled_rooms, labelled_products = _labelled()
    elements = chain(
        _products(labelled_products),
        _anchors(),
        _rooms(hot, labelled_rooms),
        _transcripts(now, hot),
        _danmaku(now, hot),
    )
    # An anchor without bio or credentials has nothing to screen.
    return (element for element in elements if element.text.strip())


def _products(labelled: set[int]) -> Iterator[Element]:
    rows = Product.objects.order_by("pk").values_list("pk", "title", "description")
    for pk, title, description in rows.iterator(chunk_size=2000):
        yield Element(
            ContentKind.PRODUCT,
            f"{title}\n{description}",
            product_id=pk,
            ai_synthesised=pk in labelled,
        )


def _anchors() -> Iterator[Element]:
    rows = Anchor.objects.order_by("pk").values_list(
        "pk", "bio", "credentials", "is_digital_human"
    )
    for pk, bio, credentials, digital in rows.iterator(chunk_size=2000):
        yield Element(
            ContentKind.CREDENTIALS,
            f"{bio}\n{credentials}",
            anchor_id=pk,
            ai_synthesised=digital,
        )


def _rooms(hot: set[int], labelled: set[int]) -> Iterator[Element]:
    rows = LiveRoom.objects.order_by("pk").values_list(
        "pk", "title", "anchor__is_digital_human", "virtual_background"
    )
    for pk, title, digital, virtual in rows.iterator(chunk_size=2000):
        yield Element(
            ContentKind.ROOM_TITLE,
            title,
            room_id=pk,
            ai_synthesised=digital or virtual or pk in labelled,
            hot=pk in hot,
        )


def _transcripts(now: dt.datetime, hot: set[int]) -> Iterator[Element]:
    # Running broadcasts and those of the last day: older talk is no longer shown.
    recent = Q(ended_at__isnull=True) | Q(ended_at__gt=now - RECENT)
    rows = (
        BroadcastSession.objects.filter(recent)
        .exclude(transcript="")
        .order_by("pk")
        .values_list("pk", "room_id", "transcript", "room__anchor__is_digital_human")
    )
    for pk, room, transcript, digital in rows.iterator(chunk_size=500):
        yield Element(
            ContentKind.TRANSCRIPT,
            transcript,
            room_id=room,
            session_id=pk,
            ai_synthesised=digital,
            hot=room in hot,
        )


def _danmaku(now: dt.datetime, hot: set[int]) -> Iterator[Element]:
    rows = (
        Event.objects.filter(
            kind=EventKind.COMMENT, occurred_at__gte=now - RECENT, occurred_at__lt=now
        )
        .exclude(room=None)
        .exclude(text="")
        .order_by("room_id", "-occurred_at")
        .values_list("room_id", "text")
    )
    comments: dict[int, list[str]] = defaultdict(list)
    for room, text in rows.iterator(chunk_size=5000):
        if len(comments[room]) < DANMAKU_PER_ROOM:
            comments[room].append(text)
    for room, texts in sorted(comments.items()):
        yield Element(
            ContentKind.DANMAKU,
            "\n".join(reversed(texts)),
            room_id=room,
            hot=room in hot,
        )


def excerpt(text: str) -> str:
    # Viewers may type phone numbers into danmaku; a case never stores them.
    return redact(text)[:EXCERPT_CHARS]
