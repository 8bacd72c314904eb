"""Fusion (clause 5.1, layer 2): one vector per live room and per product.

Blocks, in this order, each with its weight:

- ``text``: TF-IDF + SVD of titles, descriptions, transcripts and danmaku;
- ``image``: PCA of picture descriptors (a room: the mean of its products');
- ``audio``: standardised audio statistics (a product: the mean of its rooms');
- ``metadata``: category, price level, listings, flags and schedule;
- ``persona``: the anchor's professionalism, clarity and interactivity, centred on
  0.5 (a product: the mean over the rooms selling it).

``text`` and ``image`` are directions in a latent space, so each row of those blocks
is L2-normalised. The other blocks are measurements whose size means something (a
score of 0.9 is not a score of 0.6), so they are divided by one constant learned at
fit time, their mean row norm, which gives them the same typical size without
erasing magnitudes. Each block is then multiplied by the square root of its weight
and the concatenation is L2-normalised, so a dot product of two item vectors is a
cosine whose per-block parts (``ItemVectors.block_scores``) say "why this".
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Self

import joblib
import numpy as np
import pandas as pd

from recengine.features.audio import AudioFeaturizer
from recengine.features.catalogue import Catalogue
from recengine.features.image import ImageFeaturizer
from recengine.features.metadata import MetadataFeaturizer
from recengine.features.persona import room_personas, score_anchors
from recengine.features.text import TextFeaturizer

logger = logging.getLogger(__name__)

LIVE_ROOM, PRODUCT = "live_room", "product"
BLOCKS = ("text", "image", "audio", "metadata", "persona")
DIRECTION_BLOCKS = frozenset({"text", "image"})
DEFAULT_WEIGHTS = {
    "text": 0.35,
    "image": 0.15,
    "audio": 0.10,
    "metadata": 0.25,
    "persona": 0.15,
}
# Transcripts and danmaku of a busy room can run to megabytes; the newest part of
# each is what describes the room now.
MAX_ROOM_DOCUMENT_CHARS = 20_000


@dataclass
class ItemVectors:
    vectors: np.ndarray  # (n, d) float32, rows of unit length
    item_ids: np.ndarray  # int64 database keys
    item_kind: np.ndarray  # "live_room" or "product" per row
    block_slices: dict[str, slice]

    def __len__(self) -> int:
        return len(self.item_ids)

    def of_kind(self, kind: str) -> np.ndarray:
        return np.flatnonzero(self.item_kind == kind)

    def block_scores(
        self, query: np.ndarray, rows: np.ndarray
    ) -> dict[str, np.ndarray]:
        """Per block, the part of ``query . vectors[rows]`` that block contributes."""
        chosen = self.vectors[rows]
        return {
            name: chosen[:, part] @ query[part]
            for name, part in self.block_slices.items()
        }

    def save(self, path: str | Path) -> None:
        names = list(self.block_slices)
        np.savez(
            path,
            vectors=self.vectors,
            item_ids=self.item_ids,
            item_kind=self.item_kind.astype("U16"),
            block_names=np.array(names),
            block_bounds=np.array(
                [(self.block_slices[n].start, self.block_slices[n].stop) for n in names]
            ),
        )

    @classmethod
    def load(cls, path: str | Path) -> ItemVectors:
        with np.load(path, allow_pickle=False) as stored:
            bounds = stored["block_bounds"]
            return cls(
                vectors=stored["vectors"],
                item_ids=stored["item_ids"],
                item_kind=stored["item_kind"],
                block_slices={
                    str(name): slice(int(start), int(stop))
                    for name, (start, stop) in zip(
                        stored["block_names"], bounds, strict=True
                    )
                },
            )


def product_documents(catalogue: Catalogue) -> list[str]:
    products = catalogue.products
    return [
        f"{title} {description}"
        for title, description in zip(
            products.titles, products.descriptions, strict=True
        )
    ]


def room_documents(catalogue: Catalogue) -> list[str]:
    rooms = catalogue.rooms
    documents = []
    for index, title in enumerate(rooms.titles):
        talk = " ".join(rooms.transcripts[index])[-MAX_ROOM_DOCUMENT_CHARS:]
        comments = " ".join(rooms.danmaku[index])[-MAX_ROOM_DOCUMENT_CHARS:]
        documents.append(f"{title} {talk} {comments}")
    return documents


def _mean_over_groups(
    values: np.ndarray, groups: list[np.ndarray], n_groups: int
) -> np.ndarray:
    """Row g: the mean of ``values`` over the row indices in ``groups[g]``."""
    out = np.zeros((n_groups, values.shape[1]), dtype=np.float32)
    for group, members in enumerate(groups):
        if len(members):
            out[group] = values[members].mean(axis=0)
    return out


def _l2_rows(block: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(block, axis=1, keepdims=True)
    return np.divide(block, norms, out=np.zeros_like(block), where=norms > 1e-12)


@dataclass
class _Links:
    """Row indices linking rooms and the products they list, both ways."""

    room_products: list[np.ndarray]
    product_rooms: list[np.ndarray]

    @classmethod
    def of(cls, catalogue: Catalogue) -> _Links:
        index = pd.Index(catalogue.products.ids)
        room_products = []
        pairs = [[] for _ in range(len(catalogue.products))]
        for room, listed in enumerate(catalogue.rooms.products):
            rows = index.get_indexer(listed)
            rows = rows[rows >= 0]
            room_products.append(rows)
            for row in rows:
                pairs[row].append(room)
        return cls(room_products, [np.array(p, dtype=np.int64) for p in pairs])


class ItemFeatureBuilder:
    """Fits every block on a catalogue and fuses them into item vectors."""

    def __init__(
        self,
        *,
        text_components: int = 64,
        image_components: int = 16,
        weights: Mapping[str, float] | None = None,
        random_state: int = 0,
    ) -> None:
        self.text_components = text_components
        self.image_components = image_components
        self.weights = dict(DEFAULT_WEIGHTS if weights is None else weights)
        self.random_state = random_state

    def fit(self, catalogue: Catalogue) -> Self:
        self.fit_transform(catalogue)
        return self

    def fit_transform(self, catalogue: Catalogue) -> ItemVectors:
        unknown = set(self.weights) - set(BLOCKS)
        if unknown:
            raise ValueError(f"Unknown feature blocks: {sorted(unknown)}")
        self.text_ = TextFeaturizer(
            self.text_components, random_state=self.random_state
        )
        # Fitting already yields the text and image blocks; tokenising every
        # document and decoding every picture a second time would double the cost.
        text = self.text_.fit_transform(
            product_documents(catalogue) + room_documents(catalogue)
        )
        images = self._fit_images(catalogue)
        self.audio_ = AudioFeaturizer().fit(catalogue.rooms.audio)
        self.metadata_ = MetadataFeaturizer().fit(catalogue)

        products, rooms = self._raw_blocks(catalogue, text=text, images=images)
        self.scales_ = {
            name: _mean_norm(np.vstack([products[name], rooms[name]]))
            for name in BLOCKS
            if name not in DIRECTION_BLOCKS
        }
        return self._fuse(catalogue, products, rooms)

    def transform(self, catalogue: Catalogue) -> ItemVectors:
        return self._fuse(catalogue, *self._raw_blocks(catalogue))

    def save(self, path: str | Path) -> None:
        joblib.dump(self, path)

    @classmethod
    def load(cls, path: str | Path) -> ItemFeatureBuilder:
        # A pickle runs code when loaded: only artifacts our own training wrote,
        # from the model store, may be passed here.
        builder = joblib.load(path)
        if not isinstance(builder, cls):
            raise TypeError(f"{path} does not hold an item feature builder.")
        return builder

    @property
    def block_dims_(self) -> dict[str, int]:
        return {
            "text": self.text_components,
            "image": self.image_components,
            "audio": self.audio_.n_features_,
            "metadata": self.metadata_.n_features_,
            "persona": 3,
        }

    def _fit_images(self, catalogue: Catalogue) -> np.ndarray:
        self.image_ = ImageFeaturizer(
            self.image_components, random_state=self.random_state
        )
        try:
            return self.image_.fit_transform(catalogue.products.images)
        except ValueError:
            logger.warning("too few readable product pictures; image block left empty")
            self.image_ = None
            return self._images(catalogue)

    def _images(self, catalogue: Catalogue) -> np.ndarray:
        if self.image_ is None:
            shape = (len(catalogue.products), self.image_components)
            return np.zeros(shape, dtype=np.float32)
        return self.image_.transform(catalogue.products.images)

    def _text(self, catalogue: Catalogue) -> np.ndarray:
        documents = product_documents(catalogue) + room_documents(catalogue)
        return self.text_.transform(documents)

    def _raw_blocks(
        self,
        catalogue: Catalogue,
        *,
        text: np.ndarray | None = None,
        images: np.ndarray | None = None,
    ) -> tuple[dict, dict]:
        products, rooms = catalogue.products, catalogue.rooms
        links = _Links.of(catalogue)
        n_products, n_rooms = len(products), len(rooms)
        text = self._text(catalogue) if text is None else text
        images = self._images(catalogue) if images is None else images

        room_audio = self.audio_.transform(rooms.audio)
        personas = room_personas(rooms, score_anchors(rooms)) - 0.5
        product_blocks = {
            "text": text[:n_products],
            "image": images,
            "audio": _mean_over_groups(room_audio, links.product_rooms, n_products),
            "metadata": self.metadata_.transform_products(products, rooms),
            "persona": _mean_over_groups(personas, links.product_rooms, n_products),
        }
        room_blocks = {
            "text": text[n_products:],
            "image": _mean_over_groups(images, links.room_products, n_rooms),
            "audio": room_audio,
            "metadata": self.metadata_.transform_rooms(rooms, products),
            "persona": personas,
        }
        return product_blocks, room_blocks

    def _fuse(self, catalogue: Catalogue, products: dict, rooms: dict) -> ItemVectors:
        parts, slices, start = [], {}, 0
        for name in BLOCKS:
            block = np.vstack([products[name], rooms[name]]).astype(np.float32)
            if name in DIRECTION_BLOCKS:
                block = _l2_rows(block)
            else:
                block = block / self.scales_[name]
            parts.append(block * np.float32(np.sqrt(self.weights.get(name, 0.0))))
            slices[name] = slice(start, start + block.shape[1])
            start += block.shape[1]
        vectors = _l2_rows(np.hstack(parts)).astype(np.float32)
        kinds = np.array(
            [PRODUCT] * len(catalogue.products) + [LIVE_ROOM] * len(catalogue.rooms)
        )
        ids = np.concatenate([catalogue.products.ids, catalogue.rooms.ids]).astype(
            np.int64
        )
        logger.info(
            "item vectors built",
            extra={"items": len(ids), "dims": vectors.shape[1]},
        )
        return ItemVectors(vectors, ids, kinds, slices)


def _mean_norm(block: np.ndarray) -> float:
    norms = np.linalg.norm(block, axis=1)
    norms = norms[norms > 1e-12]
    return float(norms.mean()) if len(norms) else 1.0


def build_item_vectors(
    now: dt.datetime,
    *,
    builder: ItemFeatureBuilder | None = None,
    lookback: dt.timedelta = dt.timedelta(days=30),
) -> tuple[ItemVectors, ItemFeatureBuilder]:
    """Item vectors of the catalogue as of ``now``; fits a new builder unless given.

    The catalogue is read through the allow-listed loader of ``datasets``.
    """
    # Imported here so that the numeric core above loads without Django models.
    from recengine.features.datasets import load_catalogue

    catalogue = load_catalogue(now, lookback=lookback)
    if builder is None:
        builder = ItemFeatureBuilder()
        return builder.fit_transform(catalogue), builder
    return builder.transform(catalogue), builder
