"""Everything one trained engine version serves from, saved as one hashed file.

``EngineArtifacts`` holds, per scene (``live_feed``: live rooms, ``product_feed``:
products), a ``SceneModel`` of numpy arrays aligned by item index, plus the viewer
interest model and the pCTR / pCVR estimators. The file is written by training and
read only by a serving process's background loader, after its SHA-256 matched the
one registered with the model version: a pickle runs code when loaded, so nothing
but our own training's output may reach ``load``.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

import joblib
import numpy as np

from recengine.governance.rerank import ItemTable
from recengine.learning.base import Recommender
from recengine.learning.ctr import RateEstimator
from recengine.learning.interest import InterestModel

logger = logging.getLogger(__name__)

SCENE_KINDS = {"live_feed": "live_room", "product_feed": "product"}


class ArtifactMismatch(ValueError):
    """The file on disk is not the one that was registered."""


# Caches a loaded scene derives from its arrays; never stored in the artifact.
DERIVED = (
    "_popular_order",
    "_fresh",
    "_vector_index",
    "_category_means",
    "_cf_identity",
)


@dataclass
class SceneModel:
    """The items of one scene and what training learned about each of them."""

    kind: str  # "live_room" or "product"
    item_ids: np.ndarray  # int64 database keys
    external_ids: list[str]
    anchor: np.ndarray  # int64, -1 where none (products)
    merchant: np.ndarray  # int64, -1 where none
    category: np.ndarray  # int64 index into EngineArtifacts.category_codes, -1
    created_at: np.ndarray  # float64 epoch seconds
    price: np.ndarray  # float64 yuan (a room: mean price of its products)
    vectors: np.ndarray  # (n, d) float32 rows of the fused item vectors
    block_slices: dict[str, slice]
    persona: np.ndarray  # (n, 3): professionalism, clarity, interactivity
    exposures: np.ndarray  # exposures in the window
    popularity: np.ndarray  # decayed engagement at the end of the window
    hourly: np.ndarray  # (24, n) engagement by local hour of day
    quality: np.ndarray
    satisfaction: np.ndarray
    merchant_health: np.ndarray
    ctr_prior: np.ndarray
    cvr_prior: np.ndarray
    cf: Recommender | None = None
    cf_name: str = ""
    cf_viewers: dict[int, int] = field(default_factory=dict)  # viewer pk -> row
    cf_items: np.ndarray | None = None  # CF column -> item index
    interest_offset: int = 0  # first row of this scene in the interest content

    def __len__(self) -> int:
        return len(self.item_ids)

    def __post_init__(self) -> None:
        self.position = {int(pk): i for i, pk in enumerate(self.item_ids)}
        self._table: ItemTable | None = None

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.pop("position", None)
        for derived in DERIVED:
            state.pop(derived, None)
        state["_table"] = None
        return state

    # -- orders computed once per loaded model, not on every request --------------

    def popular_order(self) -> np.ndarray:
        """Item indices from the most to the least popular (ties by index)."""
        order = self.__dict__.get("_popular_order")
        if order is None:
            order = np.argsort(-self.popularity, kind="stable")
            self.__dict__["_popular_order"] = order
        return order

    def vector_index(self):
        """The approximate vector index serving built for this scene, if any."""
        return self.__dict__.get("_vector_index")

    def prepare_vector_index(self) -> None:
        """Build the approximate index a large scene is served from (``ann``)."""
        from recengine.engine import ann

        self.__dict__["_vector_index"] = ann.build(self.vectors)

    def fresh_items(self, now: float, window: float) -> np.ndarray:
        """Indices of the items created less than ``window`` seconds before
        ``now``, in index order.

        The candidates are kept per window and minute (every item that could be
        fresh at some moment of that minute); each call only filters that short
        list. A request asks with two windows (the freshness channel and the
        exploration slots), so each window keeps its own list.
        """
        minute = int(now // 60)
        kept = self.__dict__.setdefault("_fresh", {})
        cached = kept.get(window)
        if cached is None or cached[0] != minute:
            since = minute * 60.0 - window
            cached = (minute, np.flatnonzero(self.created_at > since))
            kept[window] = cached
        pool = cached[1]
        return pool[now - self.created_at[pool] < window]

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.position = {int(pk): i for i, pk in enumerate(self.item_ids)}

    def cf_items_are_items(self) -> bool:
        """Whether CF column i is the scene's item i (as training lays them out)."""
        found = self.__dict__.get("_cf_identity")
        if found is None or found[0] is not self.cf_items:
            items = self.cf_items
            same = items is not None and np.array_equal(items, np.arange(len(items)))
            found = (items, same)
            self.__dict__["_cf_identity"] = found
        return found[1]

    def block_scores_for(self, profile: np.ndarray, row: int) -> dict[str, float]:
        """Per feature block, its part of the profile . item similarity."""
        vector = self.vectors[row]
        return {
            name: float(vector[part] @ profile[part])
            for name, part in self.block_slices.items()
        }

    def table(self) -> ItemTable:
        if self._table is None:
            self._table = ItemTable(
                kind=self.kind,
                pk=self.item_ids,
                anchor=self.anchor,
                merchant=self.merchant,
                category=self.category,
                created_at=self.created_at,
                vectors=self.vectors,
            )
        return self._table


@dataclass
class EngineArtifacts:
    version: str
    window_start: float
    window_end: float
    scenes: dict[str, SceneModel]
    category_codes: list[str]
    interest: InterestModel
    interest_viewers: dict[int, int]  # viewer pk -> row of the interest model
    pctr: dict[str, RateEstimator | None]
    pcvr: dict[str, RateEstimator | None]
    evaluation: dict = field(default_factory=dict)
    # anchor pk -> (professionalism, clarity, interactivity), clause 5.2.2
    anchor_personas: dict[int, tuple[float, float, float]] = field(default_factory=dict)

    def save(self, directory: str | Path) -> tuple[Path, str]:
        folder = Path(directory)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{self.version}.joblib"
        joblib.dump(self, path, compress=3)
        digest = file_sha256(path)
        logger.info("artifacts saved", extra={"model": self.version, "sha": digest})
        return path, digest

    @classmethod
    def load(cls, path: str | Path, sha256: str) -> EngineArtifacts:
        if file_sha256(path) != sha256:
            raise ArtifactMismatch(f"{path} does not match its registered SHA-256")
        artifacts = joblib.load(path)
        if not isinstance(artifacts, cls):
            raise ArtifactMismatch(f"{path} does not hold engine artifacts")
        return artifacts


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
