"""The catalogue as plain arrays: what every feature block is computed from.

``recengine.features.datasets.load_catalogue`` fills these tables from the database;
tests and the benchmark build them directly. Nothing here touches the database.
Rows of each table are aligned by index; ids are database keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class ProductTable:
    ids: np.ndarray  # int64
    titles: list[str]
    descriptions: list[str]
    categories: list[str]  # category codes
    prices: np.ndarray  # float64, yuan
    images: list[object]  # a path, a PIL image or None per product

    def __len__(self) -> int:
        return len(self.ids)


@dataclass
class RoomTable:
    """Live rooms with what their broadcasts and viewers left in a time window."""

    ids: np.ndarray  # int64
    anchors: np.ndarray  # int64 anchor keys
    titles: list[str]
    categories: list[str]
    virtual_background: np.ndarray  # bool
    digital_human: np.ndarray  # bool: the anchor is a declared digital human
    products: list[np.ndarray]  # product keys listed in each room
    transcripts: list[list[str]]  # one transcript per broadcast session
    audio: list[list[dict[str, float]]]  # audio statistics per broadcast session
    start_hours: list[np.ndarray]  # local start hour (fractional) per broadcast
    minutes_on_air: np.ndarray  # float64, summed over the window
    danmaku: list[list[str]]  # viewer comments sent in the room in the window
    visits: np.ndarray  # clicks into the room in the window
    window_days: float = 30.0

    def __len__(self) -> int:
        return len(self.ids)


@dataclass
class Catalogue:
    products: ProductTable
    rooms: RoomTable
    meta: dict[str, object] = field(default_factory=dict)


def empty_rooms() -> RoomTable:
    return RoomTable(
        ids=np.zeros(0, dtype=np.int64),
        anchors=np.zeros(0, dtype=np.int64),
        titles=[],
        categories=[],
        virtual_background=np.zeros(0, dtype=bool),
        digital_human=np.zeros(0, dtype=bool),
        products=[],
        transcripts=[],
        audio=[],
        start_hours=[],
        minutes_on_air=np.zeros(0),
        danmaku=[],
        visits=np.zeros(0),
    )
