"""Deleted interest tags at serving time (clause 6.3.2), until training catches up.

A deleted tag leaves a suppression row. Training excludes the events behind it
(``exclude_forgotten``), so a model trained after the deletion no longer holds the
tag. Until such a model serves, the serving process neutralises the tag for that
viewer: items of the tag leave the personal recall channels (vector and
collaborative filtering), their direction is taken out of the interest profile,
their category's share is reset to the even prior and the viewer's CF history
drops them. They may still come through the channels every viewer gets
(popular, fresh), ranked as for anyone.

Suppressions are reloaded when the ``RIGHTS_KEY`` cache marker changes, and at
most once a second while the cache holds no marker, so a deletion in one process
is obeyed by every process on its next request.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from recengine import markers
from recengine.engine import readers
from recengine.engine.artifacts import SceneModel
from recengine.taxonomy import tag_code_for

logger = logging.getLogger(__name__)

RIGHTS_KEY = markers.register("engine:viewer-rights")
RELOAD_SECONDS = 1.0
NO_TAG = -1


def bump_marker() -> None:
    """Tell every serving process that the suppressions changed."""
    markers.bump(RIGHTS_KEY)


def _marker():
    return markers.read(RIGHTS_KEY)


LABELS = {
    "room": "recengine.LiveRoom",
    "product": "recengine.Product",
    "short_video": "recengine.ShortVideo",
}


def tags_by_item(column: str) -> pd.Series:
    """Item key -> vocabulary tag key, for rooms, products or short videos."""
    frame = readers.item_titles(LABELS[column])
    keys = readers.tag_ids()
    tags = [
        keys.get(tag_code_for(category, title or "") or "", NO_TAG)
        for title, category in zip(frame["title"], frame["category"], strict=True)
    ]
    return pd.Series(tags, index=frame["id"].to_numpy(np.int64), dtype=np.int64)


def item_tags(scene: SceneModel) -> np.ndarray:
    """The tag key of each of the scene's items (``NO_TAG`` if none)."""
    column = "room" if scene.kind == "live_room" else "product"
    found = tags_by_item(column).reindex(scene.item_ids)
    return found.fillna(NO_TAG).to_numpy(np.int64)


class ForgottenTags:
    """Tags each viewer deleted after the loaded model's window ended."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._by_viewer: dict[int, frozenset[int]] = {}
        self._marker = None
        self._loaded_at = -np.inf
        self._since: float | None = None
        self._tags: dict[int, np.ndarray] = {}

    def refresh(self, since: float) -> None:
        marker = _marker()
        tick = self.clock()
        stale = marker is None and tick - self._loaded_at > RELOAD_SECONDS
        if marker == self._marker and since == self._since and not stale:
            return
        frame = readers.tag_suppressions(dt.datetime.fromtimestamp(since, dt.UTC))
        by_viewer: dict[int, set[int]] = {}
        for viewer, tag in zip(frame["viewer"], frame["tag"], strict=True):
            by_viewer.setdefault(int(viewer), set()).add(int(tag))
        with self._lock:
            self._by_viewer = {v: frozenset(t) for v, t in by_viewer.items()}
            self._marker, self._since, self._loaded_at = marker, since, tick

    def tags_of(self, viewer_id: int) -> frozenset[int]:
        return self._by_viewer.get(viewer_id, frozenset())

    def mask(self, scene: SceneModel, viewer_id: int) -> np.ndarray | None:
        """Items of the viewer's deleted tags, or None when they deleted none."""
        tags = self.tags_of(viewer_id)
        if not tags:
            return None
        key = id(scene)
        index = self._tags.get(key)
        if index is None:
            # Built once per loaded model, and only once someone deleted a tag.
            index = item_tags(scene)
            with self._lock:
                self._tags = {key: index, **dict(list(self._tags.items())[-3:])}
        return np.isin(index, list(tags))


def exclude_forgotten(
    daily: pd.DataFrame, item_tag: pd.Series, suppressions: pd.DataFrame
) -> pd.DataFrame:
    """Drop per-day rows that a deletion made the viewer's tag forget.

    ``daily`` holds ``viewer``, ``item`` and ``day`` (epoch seconds of the day's
    noon, as ``readers.daily_interactions`` gives it); ``item_tag`` maps an item to
    its tag key. A row counts as before the deletion when its day started before
    it: per-day aggregates cannot tell the hour, and forgetting the whole day of a
    deletion errs on the viewer's side.
    """
    if suppressions.empty or daily.empty:
        return daily
    tags = daily["item"].map(item_tag)
    keys = pd.MultiIndex.from_arrays([daily["viewer"], tags])
    deleted = pd.Series(
        suppressions["suppressed_at"].to_numpy(float),
        index=pd.MultiIndex.from_arrays([suppressions["viewer"], suppressions["tag"]]),
    )
    deleted = deleted.groupby(level=[0, 1]).max()
    at = deleted.reindex(keys).to_numpy(float)
    day_start = daily["day"].to_numpy(float) - 12 * 3600.0
    forgotten = ~np.isnan(at) & (day_start < at)
    return daily[~forgotten]


def forget_pairs(
    matrix, viewer_ids: np.ndarray, item_tag: np.ndarray, suppressions: pd.DataFrame
):
    """Zero the viewer x item cells of deleted tags in an interaction matrix.

    The matrix keeps no time, so a deletion inside the window drops the viewer's
    whole history with that tag from collaborative filtering.
    """
    if suppressions.empty or matrix.nnz == 0:
        return matrix
    rows = pd.Index(viewer_ids).get_indexer(suppressions["viewer"].to_numpy())
    tags = suppressions["tag"].to_numpy(np.int64)
    width = int(max(tags.max(), item_tag.max(), 0)) + 2
    deleted = rows[rows >= 0].astype(np.int64) * width + tags[rows >= 0]
    coo = matrix.tocoo()
    cells = coo.row.astype(np.int64) * width + item_tag[coo.col] + 1
    drop = np.isin(cells, deleted + 1)
    if not drop.any():
        return matrix
    coo.data[drop] = 0.0
    cleaned = coo.tocsr()
    cleaned.eliminate_zeros()
    return cleaned
