"""Room and product metadata in one layout, so that both kinds share a space.

Columns, named in ``feature_names_``:

- ``category=<code>``: one-hot of the category seen at fit time;
- ``log_price``: log of the product's price, or of the median price a room lists;
- ``relative_price``: the same against the median of its category (a premium room or
  a budget product shows whatever the vertical's price level);
- ``log_listings``: log1p of the products a room lists, or the rooms listing a product;
- ``virtual_background``, ``digital_human``: flags of the room (0 for products);
- ``start_sin``, ``start_cos``: the room's usual start hour on the 24-hour circle;
- ``broadcasts_per_day`` and ``hours_per_broadcast`` over the loading window.

The three price and listing columns are standardised with product statistics;
the schedule columns are bounded by construction.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Self

import numpy as np
import pandas as pd

from recengine.features.catalogue import Catalogue, ProductTable, RoomTable

NUMERIC = ["log_price", "relative_price", "log_listings"]
ROOM_ONLY = [
    "virtual_background",
    "digital_human",
    "start_sin",
    "start_cos",
    "broadcasts_per_day",
    "hours_per_broadcast",
]
# A four-hour broadcast is a long one; dividing by it keeps the column near [0, 1].
LONG_BROADCAST_HOURS = 4.0


def circular_hour(hours: np.ndarray) -> tuple[float, float]:
    """Mean direction of start hours on the clock face; (0, 0) without broadcasts."""
    if len(hours) == 0:
        return 0.0, 0.0
    angle = 2 * math.pi * np.asarray(hours) / 24.0
    sin, cos = float(np.sin(angle).mean()), float(np.cos(angle).mean())
    norm = math.hypot(sin, cos)
    return (sin / norm, cos / norm) if norm > 1e-9 else (0.0, 0.0)


class MetadataFeaturizer:
    def fit(self, catalogue: Catalogue) -> Self:
        products, rooms = catalogue.products, catalogue.rooms
        self.categories_ = sorted(
            set(products.categories) | set(rooms.categories) - {""}
        )
        self._category_index = {c: i for i, c in enumerate(self.categories_)}
        log_price = np.log(np.maximum(products.prices, 0.01))
        self.category_log_price_ = {
            code: float(np.median(log_price[np.array(products.categories) == code]))
            for code in set(products.categories)
        }
        self.overall_log_price_ = float(np.median(log_price)) if len(log_price) else 0.0

        raw = self._numeric_products(products, rooms)
        self.mean_ = raw.mean(axis=0) if len(raw) else np.zeros(len(NUMERIC))
        self.scale_ = raw.std(axis=0) if len(raw) else np.ones(len(NUMERIC))
        self.scale_[self.scale_ < 1e-9] = 1.0
        self.feature_names_ = [
            *(f"category={code}" for code in self.categories_),
            *NUMERIC,
            *ROOM_ONLY,
        ]
        return self

    @property
    def n_features_(self) -> int:
        return len(self.feature_names_)

    def transform_products(
        self, products: ProductTable, rooms: RoomTable
    ) -> np.ndarray:
        out = np.zeros((len(products), self.n_features_), dtype=np.float32)
        out[:, : len(self.categories_)] = self._one_hot(products.categories)
        numeric = self._numeric_products(products, rooms)
        out[:, self._numeric_slice()] = (numeric - self.mean_) / self.scale_
        return out

    def transform_rooms(self, rooms: RoomTable, products: ProductTable) -> np.ndarray:
        out = np.zeros((len(rooms), self.n_features_), dtype=np.float32)
        out[:, : len(self.categories_)] = self._one_hot(rooms.categories)
        numeric = self._numeric_rooms(rooms, products)
        out[:, self._numeric_slice()] = (numeric - self.mean_) / self.scale_
        out[:, self._numeric_slice().stop :] = self._schedule(rooms)
        return out

    def _numeric_slice(self) -> slice:
        start = len(self.categories_)
        return slice(start, start + len(NUMERIC))

    def _one_hot(self, categories: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(categories), len(self.categories_)), dtype=np.float32)
        for row, code in enumerate(categories):
            column = self._category_index.get(code)
            if column is not None:
                out[row, column] = 1.0
        return out

    def _relative(self, log_price: np.ndarray, categories: Sequence[str]) -> np.ndarray:
        base = np.array(
            [
                self.category_log_price_.get(code, self.overall_log_price_)
                for code in categories
            ]
        )
        return log_price - base

    def _numeric_products(self, products: ProductTable, rooms: RoomTable):
        log_price = np.log(np.maximum(products.prices, 0.01))
        listed = np.concatenate([*rooms.products, np.zeros(0, dtype=np.int64)])
        rows = pd.Index(products.ids).get_indexer(listed)
        listings = np.bincount(rows[rows >= 0], minlength=len(products))
        relative = self._relative(log_price, products.categories)
        return np.column_stack([log_price, relative, np.log1p(listings)])

    def _numeric_rooms(self, rooms: RoomTable, products: ProductTable):
        log_prices = np.log(np.maximum(products.prices, 0.01))
        index_of = pd.Index(products.ids)
        level = np.full(len(rooms), self.overall_log_price_)
        for index, listed in enumerate(rooms.products):
            rows = index_of.get_indexer(listed)
            if (rows >= 0).any():
                level[index] = float(np.median(log_prices[rows[rows >= 0]]))
        counts = np.array([len(listed) for listed in rooms.products], dtype=np.float64)
        relative = self._relative(level, rooms.categories)
        return np.column_stack([level, relative, np.log1p(counts)])

    def _schedule(self, rooms: RoomTable) -> np.ndarray:
        out = np.zeros((len(rooms), len(ROOM_ONLY)), dtype=np.float64)
        out[:, 0] = rooms.virtual_background
        out[:, 1] = rooms.digital_human
        days = max(rooms.window_days, 1e-9)
        for index, hours in enumerate(rooms.start_hours):
            out[index, 2:4] = circular_hour(hours)
            broadcasts = len(hours)
            out[index, 4] = broadcasts / days
            if broadcasts:
                hours_each = rooms.minutes_on_air[index] / 60.0 / broadcasts
                out[index, 5] = hours_each / LONG_BROADCAST_HOURS
        return out
