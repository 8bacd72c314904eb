"""Writes a drawn world to the database through the catalogue write path.

Rows go through ``upsert_catalogue`` exactly as an adopting platform's would;
only what that path does not carry (short videos, real identities) is written
here directly.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from recengine.models import (
    Anchor,
    Category,
    LiveRoom,
    Product,
    Region,
    ShortVideo,
    SpendingLevel,
    Viewer,
    ViewerIdentity,
)
from recengine.pseudonym import pseudonym_for
from recengine.services.catalogue import MAX_CATALOGUE_ROWS, upsert_catalogue
from recengine.simulator import images, text
from recengine.simulator.identity import account_hashes, fake_identity
from recengine.simulator.world import DAY, World

logger = logging.getLogger(__name__)

REGIONS = list(Region.values)
SPENDING = [SpendingLevel.LOW, SpendingLevel.MEDIUM, SpendingLevel.HIGH]
REASON = "simulated platform"
Progress = Callable[[str], None]


def viewer_user_id(index: int) -> str:
    return f"sim-u{index:07d}"


def external_id(prefix: str, index: int) -> str:
    return f"sim-{prefix}{index:06d}"


@dataclass(frozen=True)
class Pictures:
    """Where product pictures go: a folder and its path inside the media root."""

    path: Path
    relative: str


@dataclass
class Keys:
    """Database keys of every simulated entity, indexed like the world's arrays."""

    viewer: np.ndarray
    anchor: np.ndarray
    product: np.ndarray
    room: np.ndarray
    video: np.ndarray
    room_index: dict[str, int]
    product_index: dict[str, int]
    images: list[str]


def write_catalogue(
    world: World, rng: np.random.Generator, pictures: Pictures, progress: Progress
) -> Keys:
    registered = _registration_dates(world, rng)
    _upsert("merchants", _dated(_merchant_rows(world, rng), registered), progress)
    _upsert("anchors", _dated(_anchor_rows(world, rng), registered), progress)
    product_rows = _dated(_product_rows(world, rng, pictures), registered)
    _upsert("products", product_rows, progress)
    _upsert("rooms", _dated(_room_rows(world, rng), registered), progress)
    _upsert("sessions", _session_rows(world, rng), progress)
    _upsert("viewers", _viewer_rows(world), progress)
    keys = _keys(world, [row["image"] for row in product_rows])
    _write_identities(world, rng, keys)
    keys.video = _write_videos(world, rng, keys)
    return keys


def _upsert(kind: str, rows: list[dict], progress: Progress) -> None:
    for start in range(0, len(rows), MAX_CATALOGUE_ROWS):
        upsert_catalogue(kind, rows[start : start + MAX_CATALOGUE_ROWS], reason=REASON)
    progress(f"catalogue: {len(rows)} {kind}")


def _merchant_rows(world: World, rng: np.random.Generator) -> list[dict]:
    traits = account_hashes("merchant", len(world.merchants.category))
    return [
        {
            "external_id": external_id("m", index),
            "name": text.merchant_name(rng, index),
            **traits[index],
        }
        for index in range(len(world.merchants.category))
    ]


def _anchor_rows(world: World, rng: np.random.Generator) -> list[dict]:
    anchors, rows = world.anchors, []
    traits = account_hashes("anchor", len(anchors.specialty))
    for index in range(len(anchors.specialty)):
        expert = bool(anchors.expert[index])
        bio, credentials = text.anchor_bio(rng, expert, int(anchors.specialty[index]))
        name = text.anchor_name(rng, expert, int(anchors.impersonates[index]), index)
        rows.append(
            {
                "external_id": external_id("a", index),
                "name": name,
                "specialty": text.code_of(int(anchors.specialty[index])),
                "bio": bio,
                "credentials": credentials,
                "is_digital_human": bool(anchors.declared_ai[index]),
                **traits[index],
            }
        )
    return rows


def _product_rows(world: World, rng: np.random.Generator, pictures: Pictures) -> list:
    products, rows = world.products, []
    for index in range(len(products.merchant)):
        category, key = int(products.category[index]), external_id("p", index)
        price = float(products.price[index])
        title, description = text.product_text(
            rng, category, bool(products.claims[index]), price
        )
        image = images.save_product_image(
            pictures.path,
            pictures.relative,
            key,
            category,
            rng,
            ai=bool(products.ai_image[index]),
            labelled=bool(products.ai_image_labelled[index]),
        )
        rows.append(
            {
                "external_id": key,
                "merchant": external_id("m", int(products.merchant[index])),
                "category": text.code_of(category),
                "title": title,
                "description": description,
                "price": f"{price:.2f}",
                "image": image,
            }
        )
    return rows


def _room_rows(world: World, rng: np.random.Generator) -> list[dict]:
    rooms, anchors = world.rooms, world.anchors
    return [
        {
            "external_id": external_id("r", index),
            "anchor": external_id("a", int(rooms.anchor[index])),
            "merchant": external_id("m", int(rooms.merchant[index])),
            "category": text.code_of(int(rooms.category[index])),
            "title": text.room_title(
                rng,
                bool(anchors.expert[rooms.anchor[index]]),
                int(rooms.category[index]),
            ),
            "virtual_background": bool(rooms.virtual_background[index]),
            "products": [external_id("p", int(p)) for p in rooms.products[index]],
        }
        for index in range(len(rooms.anchor))
    ]


def _session_rows(world: World, rng: np.random.Generator) -> list[dict]:
    sessions, rooms, anchors = world.sessions, world.rooms, world.anchors
    rows = []
    for index in range(len(sessions.room)):
        room = int(sessions.room[index])
        anchor = int(rooms.anchor[room])
        persona = {
            "expert": bool(anchors.expert[anchor]),
            "clarity": float(anchors.clarity[anchor]),
            "ai": bool(anchors.ai[anchor]),
        }
        rows.append(
            {
                "external_id": external_id("s", index),
                "room": external_id("r", room),
                "started_at": _moment(sessions.start[index]),
                "ended_at": _moment(sessions.end[index]),
                "transcript": text.transcript(
                    rng,
                    category=int(rooms.category[room]),
                    interactivity=float(anchors.interactivity[anchor]),
                    **persona,
                ),
                "audio_stats": text.audio_stats(rng, **persona),
            }
        )
    return rows


def _viewer_rows(world: World) -> list[dict]:
    viewers = world.viewers
    return [
        {
            "user_id": viewer_user_id(index),
            "region": REGIONS[int(viewers.region[index])],
            "spending_level": SPENDING[int(viewers.spending[index])],
        }
        for index in range(len(viewers.region))
    ]


def _moment(epoch: float) -> dt.datetime | None:
    if not np.isfinite(epoch):
        return None
    return dt.datetime.fromtimestamp(round(float(epoch), 3), dt.UTC)


def _registration_dates(world: World, rng: np.random.Generator) -> dict[str, list]:
    """Sellers registered before their first broadcast, so that cold-start audits of
    the simulated past do not see every seller as brand new."""
    sizes = {
        "m": len(world.merchants.category),
        "a": len(world.anchors.specialty),
        "p": len(world.products.merchant),
        "r": len(world.rooms.anchor),
    }
    return {
        prefix: [_moment(age) for age in world.start - DAY * (2 + rng.random(n) * 400)]
        for prefix, n in sizes.items()
    }


def _dated(rows: list[dict], registered: dict[str, list]) -> list[dict]:
    for index, row in enumerate(rows):
        prefix = row["external_id"].removeprefix("sim-")[0]
        row["created_at"] = registered[prefix][index]
    return rows


def _pks(model, keys: Iterator[str], field: str = "external_id") -> np.ndarray:
    wanted = list(keys)
    found = dict(
        model.objects.filter(**{f"{field}__in": wanted}).values_list(field, "pk")
    )
    return np.array([found[key] for key in wanted], dtype=np.int64)


def _keys(world: World, image_paths: list[str]) -> Keys:
    n_rooms, n_products = len(world.rooms.anchor), len(world.products.merchant)
    room_ids = [external_id("r", index) for index in range(n_rooms)]
    product_ids = [external_id("p", index) for index in range(n_products)]
    pseudonyms = (
        pseudonym_for(viewer_user_id(i)) for i in range(len(world.viewers.region))
    )
    return Keys(
        viewer=_pks(Viewer, pseudonyms, "pseudonym"),
        anchor=_pks(
            Anchor, (external_id("a", i) for i in range(len(world.anchors.specialty)))
        ),
        product=_pks(Product, iter(product_ids)),
        room=_pks(LiveRoom, iter(room_ids)),
        video=np.zeros(0, dtype=np.int64),
        room_index={key: index for index, key in enumerate(room_ids)},
        product_index={key: index for index, key in enumerate(product_ids)},
        images=image_paths,
    )


def _write_identities(world: World, rng: np.random.Generator, keys: Keys) -> None:
    holders = np.flatnonzero(world.viewers.identity)
    ViewerIdentity.objects.bulk_create(
        [
            ViewerIdentity(viewer_id=int(keys.viewer[index]), **fake_identity(rng))
            for index in holders
        ],
        batch_size=1000,
    )


def _write_videos(world: World, rng: np.random.Generator, keys: Keys) -> np.ndarray:
    videos = world.videos
    categories = dict(Category.objects.values_list("code", "pk"))
    rows = []
    for index in range(len(videos.anchor)):
        category = int(videos.category[index])
        product = int(videos.product[index])
        title, _ = text.product_text(rng, category, False, 0.0)
        rows.append(
            ShortVideo(
                external_id=external_id("v", index),
                anchor_id=int(keys.anchor[videos.anchor[index]]),
                product_id=int(keys.product[product]) if product >= 0 else None,
                category_id=categories[text.code_of(category)],
                title=f"短视频｜{title}"[:200],
                duration_seconds=int(videos.duration[index]),
                created_at=_moment(world.start - DAY * (1 + 60 * rng.random())),
            )
        )
    ShortVideo.objects.bulk_create(rows, batch_size=1000)
    return _pks(ShortVideo, (row.external_id for row in rows))
