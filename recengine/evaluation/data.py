"""Interaction files for the offline protocol: reading, id encoding, sparse matrices.

Two formats are read:

- ``ml100k``: MovieLens-100k ``u.data``, tab-separated ``user item rating timestamp``
  without a header. Every rating counts as one implicit interaction, as in the
  published reference numbers, whatever its value.
- ``csv``: comma-separated with a header ``user,item,timestamp[,event][,weight]``.
  ``weight`` is the interaction strength; without it, ``event`` names the kind of
  interaction and ``EVENT_WEIGHTS`` gives its strength; without both, every row
  weighs 1. Timestamps are Unix seconds or ISO 8601 (UTC unless an offset is given).

Rows whose strength is zero (impressions, "not interested") are not positives and
are dropped while reading.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from django.utils.translation import gettext as _

FORMATS = ("ml100k", "csv")
CSV_REQUIRED = ("user", "item", "timestamp")
CSV_OPTIONAL = ("event", "weight")

# Strength of each event kind of the platform's log as a positive signal: a purchase
# says more about interest than a click. Impressions and "not interested" carry no
# positive signal at all.
EVENT_WEIGHTS: dict[str, float] = {
    "impression": 0.0,
    "not_interested": 0.0,
    "click": 1.0,
    "dwell": 1.0,
    "short_video_view": 1.0,
    "like": 2.0,
    "comment": 2.0,
    "danmaku": 2.0,
    "follow": 3.0,
    "add_to_cart": 3.0,
    "gift": 4.0,
    "order": 5.0,
}


class InteractionFileError(ValueError):
    """A file that cannot be read as interactions; names the line when it can."""

    def __init__(self, message: str, path: Path, line: int | None = None):
        self.path = path
        self.line = line
        if line is None:
            text = _("%(path)s: %(problem)s") % {"path": path, "problem": message}
        else:
            text = _("%(path)s, line %(line)d: %(problem)s") % {
                "path": path,
                "line": line,
                "problem": message,
            }
        super().__init__(text)


@dataclass(frozen=True)
class InteractionLog:
    """Interactions as read from a file, ids still the file's own strings."""

    users: np.ndarray
    items: np.ndarray
    timestamps: np.ndarray
    weights: np.ndarray

    def __len__(self) -> int:
        return int(self.users.size)


@dataclass(frozen=True)
class Interactions:
    """Interactions with users and items coded as 0..n-1 row and column indices."""

    users: np.ndarray
    items: np.ndarray
    timestamps: np.ndarray
    weights: np.ndarray
    n_users: int
    n_items: int

    def __len__(self) -> int:
        return int(self.users.size)

    def subset(self, mask: np.ndarray) -> Interactions:
        return Interactions(
            self.users[mask],
            self.items[mask],
            self.timestamps[mask],
            self.weights[mask],
            self.n_users,
            self.n_items,
        )

    def to_csr(self, *, binary: bool = False) -> sp.csr_matrix:
        """User x item matrix; a pair seen several times keeps its largest weight."""
        pairs = unique_pairs(self)
        values = np.ones(len(pairs)) if binary else pairs.weights
        return sp.csr_matrix(
            (values.astype(np.float32), (pairs.users, pairs.items)),
            shape=(self.n_users, self.n_items),
        )


def read_interactions(path: str | Path, fmt: str) -> InteractionLog:
    """Read a whole interaction file, or raise ``InteractionFileError``."""
    path = Path(path)
    if fmt not in FORMATS:
        raise InteractionFileError(
            _("unknown format %(format)r; use one of: %(known)s")
            % {"format": fmt, "known": ", ".join(FORMATS)},
            path=path,
        )
    if not path.is_file():
        raise InteractionFileError(_("no such file"), path=path)

    with path.open(encoding="utf-8", newline="") as handle:
        rows = (
            _ml100k_rows(handle, path) if fmt == "ml100k" else _csv_rows(handle, path)
        )
        users, items, stamps, weights = _collect(rows)
    if not users:
        raise InteractionFileError(_("the file holds no interactions"), path=path)
    return InteractionLog(
        np.array(users, dtype=object),
        np.array(items, dtype=object),
        np.array(stamps, dtype=np.int64),
        np.array(weights, dtype=np.float64),
    )


def encode(
    *logs: InteractionLog,
) -> tuple[np.ndarray, np.ndarray, list[Interactions]]:
    """Code users and items over all logs together, so that a train and a test file
    share one index space. Returns the user ids, the item ids (index -> file id) and
    one coded log per input."""
    all_users = np.concatenate([log.users for log in logs]).astype(str)
    all_items = np.concatenate([log.items for log in logs]).astype(str)
    user_ids, user_codes = np.unique(all_users, return_inverse=True)
    item_ids, item_codes = np.unique(all_items, return_inverse=True)

    coded, start = [], 0
    for log in logs:
        stop = start + len(log)
        coded.append(
            Interactions(
                user_codes[start:stop].astype(np.int64),
                item_codes[start:stop].astype(np.int64),
                log.timestamps,
                log.weights,
                int(user_ids.size),
                int(item_ids.size),
            )
        )
        start = stop
    return user_ids, item_ids, coded


def unique_pairs(interactions: Interactions) -> Interactions:
    """One row per (user, item): the largest weight and the first timestamp.

    Splitting repeated interactions separately would put the same pair in train and
    test, and a model that never recommends seen items could not find it.
    """
    if not len(interactions):
        return interactions
    keys = interactions.users * interactions.n_items + interactions.items
    order = np.lexsort((interactions.timestamps, keys))
    sorted_keys = keys[order]
    first = np.concatenate(([True], sorted_keys[1:] != sorted_keys[:-1]))
    starts = np.flatnonzero(first)
    weights = np.maximum.reduceat(interactions.weights[order], starts)

    kept = order[first]
    return Interactions(
        interactions.users[kept],
        interactions.items[kept],
        interactions.timestamps[kept],
        weights,
        interactions.n_users,
        interactions.n_items,
    )


def _collect(
    rows: Iterator[tuple[str, str, int, float]],
) -> tuple[list[str], list[str], list[int], list[float]]:
    users: list[str] = []
    items: list[str] = []
    stamps: list[int] = []
    weights: list[float] = []
    for user, item, stamp, weight in rows:
        if weight <= 0:
            continue
        users.append(user)
        items.append(item)
        stamps.append(stamp)
        weights.append(weight)
    return users, items, stamps, weights


def _ml100k_rows(handle, path: Path) -> Iterator[tuple[str, str, int, float]]:
    for number, line in enumerate(handle, start=1):
        if not line.strip():
            continue
        fields = line.rstrip("\r\n").split("\t")
        if len(fields) != 4:
            raise InteractionFileError(
                _("expected 4 tab-separated fields: user item rating timestamp"),
                path=path,
                line=number,
            )
        user, item, rating, stamp = (field.strip() for field in fields)
        _number(rating, _("rating"), path, number)
        yield _ids(user, item, path, number) + (_timestamp(stamp, path, number), 1.0)


def _csv_rows(handle, path: Path) -> Iterator[tuple[str, str, int, float]]:
    reader = csv.reader(handle)
    header = next(reader, None)
    columns = _csv_columns(header, path)
    for row in reader:
        number = reader.line_num
        if not row or not "".join(row).strip():
            continue
        if len(row) != len(columns):
            raise InteractionFileError(
                _("expected %(expected)d fields, got %(got)d")
                % {"expected": len(columns), "got": len(row)},
                path=path,
                line=number,
            )
        values = dict(zip(columns, (field.strip() for field in row), strict=True))
        user, item = _ids(values["user"], values["item"], path, number)
        stamp = _timestamp(values["timestamp"], path, number)
        yield user, item, stamp, _weight(values, path, number)


def _csv_columns(header: list[str] | None, path: Path) -> list[str]:
    if header is None:
        raise InteractionFileError(_("the file is empty"), path=path)
    columns = [name.strip().lower() for name in header]
    missing = [name for name in CSV_REQUIRED if name not in columns]
    unknown = [name for name in columns if name not in CSV_REQUIRED + CSV_OPTIONAL]
    if missing or unknown or len(set(columns)) != len(columns):
        raise InteractionFileError(
            _("the header must be user,item,timestamp[,event][,weight], got %r")
            % ",".join(header),
            path=path,
            line=1,
        )
    return columns


def _ids(user: str, item: str, path: Path, number: int) -> tuple[str, str]:
    if not user or not item:
        raise InteractionFileError(_("user and item must not be empty"), path, number)
    return user, item


def _weight(values: dict[str, str], path: Path, number: int) -> float:
    if "weight" in values:
        weight = _number(values["weight"], _("weight"), path, number)
        if weight < 0:
            raise InteractionFileError(_("weight must not be negative"), path, number)
        return weight
    if "event" not in values:
        return 1.0
    kind = values["event"].lower().replace(" ", "_").replace("-", "_")
    if kind not in EVENT_WEIGHTS:
        raise InteractionFileError(
            _("unknown event kind %(kind)r; known kinds: %(known)s")
            % {"kind": values["event"], "known": ", ".join(EVENT_WEIGHTS)},
            path=path,
            line=number,
        )
    return EVENT_WEIGHTS[kind]


def _timestamp(text: str, path: Path, number: int) -> int:
    try:
        return int(float(text)) if _is_number(text) else _iso_seconds(text)
    except (ValueError, OverflowError):
        raise InteractionFileError(
            _("timestamp %r is neither Unix seconds nor ISO 8601") % text, path, number
        ) from None


def _iso_seconds(text: str) -> int:
    moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return int(moment.timestamp())


def _is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def _number(text: str, name: str, path: Path, number: int) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise InteractionFileError(
            _("%(name)s %(value)r is not a number") % {"name": name, "value": text},
            path=path,
            line=number,
        )
    return value
