"""The serving process's engine: active artifacts in memory, swapped atomically.

Once a second at most, a request compares the active version named by the cache
marker (``ACTIVE_MODEL_KEY``; the database when the cache holds none) with the
loaded one. A new version is loaded by a background thread while the loaded one
keeps serving, unless the loaded one was retired: then the popularity baseline
serves until the new one is in. With no active version the baseline serves.
No request reads a file; a request reads the database only for the version check,
the viewer's personalisation switch and the catalogue's live schedule.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import logging
import threading
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from django.utils import timezone

from recengine import markers
from recengine.engine import coldstart, readers, strategies
from recengine.engine.artifacts import EngineArtifacts, SceneModel
from recengine.engine.feedback import SUPPRESS_DAYS, FeedbackStore, FeedbackSync
from recengine.engine.forgetting import ForgottenTags
from recengine.engine.pipeline import artifact_path
from recengine.governance.labels import with_policy_labels
from recengine.governance.policy import NO_POLICY, PolicySnapshot
from recengine.governance.rerank import RerankConfig
from recengine.learning.interest import KIND_WEIGHTS
from recengine.models import Event, EventKind, ModelStatus, ModelVersion
from recengine.ranking.objectives import ObjectiveWeights
from recengine.services.lifecycle import (
    ACTIVE_MODEL_KEY,
    RANKING_KEY,
    current_ranking_config,
)
from recengine.serving.baseline import ItemKeys, PopularityBaseline, Ranked
from recengine.serving.catalogue_index import (
    CATALOGUE_KEY,
    CatalogueIndex,
    load_catalogue,
)
from recengine.serving.types import ServedItem

logger = logging.getLogger(__name__)

CHECK_SECONDS = 1.0
# Without a change marker (no shared cache) the catalogue is reloaded this often;
# with one, when the marker moves and at least every CATALOGUE_MAX_SECONDS.
CATALOGUE_SECONDS = 5.0
CATALOGUE_MAX_SECONDS = 60.0


@dataclass
class Served:
    ranked: list[Ranked]
    strategy: str
    model_version: str
    policy_version: int
    trace: list[dict] = field(default_factory=list)


@dataclass
class _Ranking:
    version: int
    weights: ObjectiveWeights
    config: RerankConfig


class EngineRuntime:
    def __init__(
        self,
        fallback: PopularityBaseline,
        *,
        policy_provider: Callable[[], PolicySnapshot] = lambda: NO_POLICY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.fallback = fallback
        self.policy_provider = policy_provider
        self.clock = clock
        # Web workers reload the catalogue off the request path (``_index``).
        self.background_reloads = False
        # Web workers: loaded models and catalogues leave the collector's reach.
        self.freeze_heap = False
        self._artifacts: EngineArtifacts | None = None
        self._feedback = FeedbackStore()
        self._forgotten = ForgottenTags(clock)
        self._feedback_sync = FeedbackSync(clock)
        self._lock = threading.RLock()
        self._loader: threading.Thread | None = None
        self._checked_at = -np.inf
        self._wanted: str | None = None
        self._catalogue: CatalogueIndex | None = None
        self._catalogue_at = -np.inf
        self._catalogue_marker = None
        self._catalogue_loader: threading.Thread | None = None
        self._row_cache: dict[tuple[int, int], np.ndarray] = {}
        self._eligible_cache: dict[int, tuple] = {}
        # Artifacts with the items listed after training (``with_new_items``).
        self._extended: dict[tuple, tuple] = {}
        self._extended_items: dict[tuple, tuple] = {}
        self._ranking: _Ranking | None = None

    # -- versions ---------------------------------------------------------------

    @property
    def loaded_version(self) -> str | None:
        artifacts = self._artifacts
        return artifacts.version if artifacts is not None else None

    def refresh(self, *, force: bool = False) -> None:
        """Compare the active version with the loaded one, at most once a second."""
        tick = self.clock()
        if not force and tick - self._checked_at < CHECK_SECONDS:
            return
        self._checked_at = tick
        wanted = _active_version()
        if wanted == self.loaded_version:
            return
        with self._lock:
            self._drop_if_retired()
            if wanted is None:
                self._artifacts = None
            elif wanted != self._wanted or self._loader is None:
                self._start_loading(wanted)
            self._wanted = wanted

    def _drop_if_retired(self) -> None:
        current = self.loaded_version
        if current is None:
            return
        status = (
            ModelVersion.objects.filter(version=current)
            .values_list("status", flat=True)
            .first()
        )
        if status in (None, ModelStatus.RETIRED):
            logger.info("retired model dropped", extra={"model": current})
            self._artifacts = None

    def _start_loading(self, version: str) -> None:
        # The row is read here, the file and the feedback memory in the thread.
        model = ModelVersion.objects.filter(version=version).first()
        if model is None:
            return
        thread = threading.Thread(
            target=self._load,
            args=(version, artifact_path(model), model.artifact_sha256),
            name=f"load-{version}",
            daemon=True,
        )
        self._loader = thread
        thread.start()

    def _load(self, version: str, path, sha256: str) -> None:
        try:
            artifacts = EngineArtifacts.load(path, sha256)
            for scene in artifacts.scenes.values():
                scene.prepare_vector_index()
            feedback = _feedback_since(artifacts.window_end)
        except Exception:
            logger.exception("loading model %s failed", version)
            with self._lock:
                self._loader = None
            return
        finally:
            _close_connection()
        with self._lock:
            if self._wanted == version:
                self._artifacts, self._feedback = artifacts, feedback
                logger.info("model loaded for serving", extra={"model": version})
            self._loader = None
        self._settle()

    def wait(self, timeout: float = 30.0) -> None:
        """Block until a pending load finished (for tests and warm-up)."""
        loader = self._loader
        if loader is not None:
            loader.join(timeout)

    def invalidate(self) -> None:
        with self._lock:
            self._extended, self._extended_items = {}, {}
            self._catalogue = None
            self._ranking = None
            self._checked_at = -np.inf
        self.fallback.invalidate()

    # -- serving ----------------------------------------------------------------

    def serve(
        self,
        *,
        viewer_id: int | None,
        scene: str,
        size: int,
        now: dt.datetime,
        request_id: str,
        personalization: bool | None = None,
    ) -> Served:
        """``personalization`` is the viewer's switch when the caller already read
        it with the viewer; otherwise it is read here."""
        self.refresh()
        artifacts = self._artifacts
        policy = self.policy_provider()
        if viewer_id is not None and personalization is None:
            personalization = readers.personalization_enabled(viewer_id)
        personal = viewer_id is not None and bool(personalization)
        if artifacts is None:
            ranked = self.fallback.rank(
                scene=scene,
                size=size,
                now=now,
                request_id=request_id,
                policy=policy,
                viewer_id=viewer_id if personal else None,
            )
            return Served(
                with_policy_labels(ranked, policy),
                PopularityBaseline.strategy,
                self.fallback.model_version,
                policy.version,
            )

        artifacts = self.with_new_items(artifacts, scene, self._index(now))
        request = self._request(artifacts, scene, size, now, request_id, policy)
        if personal:
            picked = strategies.personalised(
                artifacts, request, self._viewer(artifacts, scene, viewer_id)
            )
            strategy = "personalised"
        else:
            picked = strategies.non_personalised(artifacts, request)
            strategy = "non_personalised"
        ranked = with_policy_labels(
            self._ranked(artifacts.scenes[scene], picked), policy
        )
        return Served(ranked, strategy, artifacts.version, policy.version, picked.trace)

    def _request(
        self, artifacts, scene, size, now, request_id, policy
    ) -> strategies.Request:
        ranking = self._ranking_config()
        model = artifacts.scenes[scene]
        return strategies.Request(
            scene=scene,
            size=size,
            now=now.timestamp(),
            hour=timezone.localtime(now).hour,
            eligible=self._eligible(model, now),
            policy=policy,
            weights=ranking.weights,
            config=ranking.config,
            # A stable hash: the same request explores the same way in every process.
            seed=zlib.crc32(request_id.encode()),
        )

    def with_new_items(
        self, artifacts: EngineArtifacts, scene: str, catalogue: CatalogueIndex
    ) -> EngineArtifacts:
        """``artifacts`` whose ``scene`` also holds the catalogue's items listed
        after training (``recengine.engine.coldstart``).

        Worked out once per catalogue load, and rebuilt only when the set of such
        items changed; with none, ``artifacts`` itself.
        """
        key = (id(artifacts), scene, id(catalogue))
        found = self._extended.get(key)
        if found is not None and found[0] is artifacts:
            return found[1]
        model = artifacts.scenes[scene]
        items = coldstart.new_items(model, catalogue, artifacts.category_codes)
        previous = self._extended_items.get((id(artifacts), scene))
        if items is None:
            result = artifacts
        elif (
            previous is not None
            and previous[0] is artifacts
            and np.array_equal(previous[1], items.pk)
        ):
            result = previous[2]
        else:
            extended = coldstart.extend(model, items, artifacts.anchor_personas)
            result = dataclasses.replace(
                artifacts, scenes={**artifacts.scenes, scene: extended}
            )
            if len(self._extended_items) >= 4:
                self._extended_items.clear()  # older models' extensions
            self._extended_items[(id(artifacts), scene)] = (artifacts, items.pk, result)
        if len(self._extended) > 8:
            self._extended.clear()
        self._extended[key] = (artifacts, result)
        return result

    def _ranking_config(self) -> _Ranking:
        marker = _cached(RANKING_KEY)
        ranking = self._ranking
        if ranking is None or (marker is not None and marker != ranking.version):
            config = current_ranking_config()
            ranking = _Ranking(
                config.version,
                ObjectiveWeights(**config.weights),
                RerankConfig(**config.rerank),
            )
            self._ranking = ranking
        return ranking

    def _index(self, now: dt.datetime) -> CatalogueIndex:
        """The catalogue in memory; a stale one is reloaded off the request path.

        Loading reads every room and product (hundreds of milliseconds at 100k
        products), so it happens only when the catalogue changed (``_current``),
        and a request that finds the index stale starts a reload in a thread and
        is answered from the index it has. Only a request the index cannot answer
        at all (none yet, or a moment before its session window) waits for a load.
        Outside web workers (commands, replays, tests) the reload happens in line,
        on the caller's connection and transaction.
        """
        tick = self.clock()
        marker = markers.read(CATALOGUE_KEY)
        catalogue = self._catalogue
        if catalogue is None or not catalogue.covers(now):
            catalogue = self._catalogue = load_catalogue(now)
            self._catalogue_at, self._catalogue_marker = tick, marker
            self._settle()
            return catalogue
        if self._current(tick, marker):
            return catalogue
        if not self.background_reloads:
            catalogue = self._catalogue = load_catalogue(now)
            self._catalogue_at, self._catalogue_marker = tick, marker
            return catalogue
        self._reload_catalogue_later(now, tick, marker)
        return catalogue

    def _current(self, tick: float, marker) -> bool:
        """Whether the loaded catalogue may keep answering: the change marker has
        not moved (for at most ``CATALOGUE_MAX_SECONDS``), or, without a marker to
        go by, it is younger than ``CATALOGUE_SECONDS``."""
        age = tick - self._catalogue_at
        if marker is not None and marker == self._catalogue_marker:
            return age <= CATALOGUE_MAX_SECONDS
        return marker is None and age <= CATALOGUE_SECONDS

    def _reload_catalogue_later(self, now: dt.datetime, tick: float, marker) -> None:
        with self._lock:
            if self._catalogue_loader is not None:
                return
            # A replay's clock is not the wall clock: load for the moment asked.
            thread = threading.Thread(
                target=self._load_catalogue,
                args=(now, tick, marker),
                name="catalogue-reload",
                daemon=True,
            )
            self._catalogue_loader = thread
        thread.start()

    def _load_catalogue(self, now: dt.datetime, tick: float, marker) -> None:
        try:
            catalogue = load_catalogue(now)
        except Exception:
            logger.exception("catalogue reload failed; the loaded one keeps serving")
            catalogue = None
        finally:
            _close_connection()
        with self._lock:
            if catalogue is not None:
                self._catalogue, self._catalogue_at = catalogue, tick
                self._catalogue_marker = marker
            self._catalogue_loader = None
        self._settle()

    def _settle(self) -> None:
        """In a web worker, put what is in memory now out of the garbage
        collector's reach once a model or catalogue has loaded.

        A full collection walks every tracked object, and a worker holding a model
        and a catalogue of 100k products has enough of them that one took 240 ms in
        the serving benchmark: a pause every request queued behind it waits out.
        Frozen objects are never walked. The previous model or catalogue is freed
        by reference counting when it is replaced (neither holds reference cycles),
        so freezing leaks nothing. Commands and tests, which load many models in
        one process, leave the collector as it is.
        """
        if self.freeze_heap:
            gc.freeze()

    def _rows(self, model: SceneModel, catalogue: CatalogueIndex) -> np.ndarray:
        """Catalogue row of each of the model's items (-1: no longer listed).

        Computed once per catalogue load and model, by a sorted search rather than
        a Python lookup per item, which at 100k products would cost milliseconds
        on every request.
        """
        key = (id(model), id(catalogue))
        cached = self._row_cache.get(key)
        if cached is not None:
            return cached
        keys = catalogue.room_pk if model.kind == "live_room" else catalogue.product_pk
        rows = _positions(np.asarray(keys, dtype=np.int64), model.item_ids)
        if len(self._row_cache) > 8:
            self._row_cache.clear()
        self._row_cache[key] = rows
        return rows

    def _eligible(self, model: SceneModel, now: dt.datetime) -> np.ndarray:
        """Live feed: rooms broadcasting now; product feed: products still listed.

        The mask is kept until the catalogue is reloaded or, for the live feed, a
        broadcast starts or ends (read-only: requests share it).
        """
        catalogue = self._index(now)
        live = catalogue.live_set(now) if model.kind == "live_room" else None
        cached = self._eligible_cache.get(id(model))
        if (
            cached is not None
            and cached[0] is model
            and cached[1] is catalogue
            and cached[2] is live
        ):
            return cached[3]
        rows = self._rows(model, catalogue)
        mask = rows >= 0
        if live is not None:
            mask &= live.mask[np.maximum(rows, 0)]
        mask.setflags(write=False)
        if len(self._eligible_cache) > 8:
            self._eligible_cache.clear()  # older models' masks
        self._eligible_cache[id(model)] = (model, catalogue, live, mask)
        return mask

    def _viewer(
        self, artifacts: EngineArtifacts, scene: str, viewer_id: int
    ) -> strategies.Viewer:
        model = artifacts.scenes[scene]
        row = artifacts.interest_viewers.get(viewer_id)
        if row is None:
            row = len(artifacts.interest.long_) + viewer_id  # session-only key
        history = None
        if model.cf is not None and viewer_id in model.cf_viewers:
            # The viewer's row as it is stored: sparse, a few dozen entries.
            history = model.cf.user_items_[model.cf_viewers[viewer_id]]
        # Tags deleted after the model's window are still in it: serving forgets.
        self._forgotten.refresh(artifacts.window_end)
        self._feedback_sync.sync(self._feedback, artifacts.window_end)
        return strategies.Viewer(
            row=row,
            feedback=self._feedback.for_viewer(viewer_id, model, time.time()),
            history=history,
            forgotten=self._forgotten.mask(model, viewer_id),
        )

    def _ranked(self, model: SceneModel, picked: strategies.Picked) -> list[Ranked]:
        catalogue = self._catalogue
        out = []
        for index, score, reason in zip(
            picked.index, picked.score, picked.reasons, strict=True
        ):
            pk = int(model.item_ids[index])
            if model.kind == "live_room":
                row = catalogue.room_position.get(pk)
                labels = list(catalogue.room_labels[row]) if row is not None else []
                keys = ItemKeys(room_id=pk, anchor_id=int(model.anchor[index]))
            else:
                labels, keys = [], ItemKeys(product_id=pk)
            item = ServedItem(
                id=model.external_ids[index],
                kind=model.kind,
                score=float(score),
                labels=labels,
                reason=reason,
            )
            out.append(Ranked(item, keys))
        return out

    # -- behaviour --------------------------------------------------------------

    def observe(self, events: Sequence[Event]) -> None:
        """Fold logged events into the session part and the "not interested" memory."""
        self.fallback.observe(events)
        artifacts = self._artifacts
        if artifacts is None:
            return
        for event in events:
            self._observe_one(artifacts, event)

    def _observe_one(self, artifacts: EngineArtifacts, event: Event) -> None:
        at = event.occurred_at.timestamp()
        for kind, pk in (("live_room", event.room_id), ("product", event.product_id)):
            if pk is None:
                continue
            if event.kind == EventKind.NOT_INTERESTED:
                self._feedback.add(event.viewer_id, kind, int(pk), at)
            scene = _scene_of(artifacts, kind)
            row = scene.position.get(int(pk))
            if row is None or event.kind not in KIND_WEIGHTS:
                continue
            key = artifacts.interest_viewers.get(event.viewer_id)
            if key is None:
                key = len(artifacts.interest.long_) + event.viewer_id
            artifacts.interest.observe(key, scene.vectors[row], event.kind, at)


def _scene_of(artifacts: EngineArtifacts, kind: str) -> SceneModel:
    return artifacts.scenes["live_feed" if kind == "live_room" else "product_feed"]


def _cached(key: str):
    return markers.read(key)


def _active_version() -> str | None:
    marker = _cached(ACTIVE_MODEL_KEY)
    if marker is not None:
        return str(marker)
    return (
        ModelVersion.objects.filter(status=ModelStatus.ACTIVE)
        .values_list("version", flat=True)
        .first()
    )


def _feedback_since(end: float) -> FeedbackStore:
    store = FeedbackStore()
    until = timezone.now()
    start = dt.datetime.fromtimestamp(
        min(end, until.timestamp()), dt.UTC
    ) - dt.timedelta(days=SUPPRESS_DAYS)
    frame = readers.not_interested(start, max(until, start + dt.timedelta(seconds=1)))
    for viewer, room, product, at in frame.itertuples(index=False):
        for kind, pk in (("live_room", room), ("product", product)):
            if not pd.isna(pk):
                store.add(int(viewer), kind, int(pk), float(at))
    return store


def _close_connection() -> None:
    from django.db import connection

    connection.close()


def _positions(keys: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Index of each of ``wanted`` in ``keys``, -1 where absent."""
    if len(keys) == 0:
        return np.full(len(wanted), -1, dtype=np.int64)
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    at = np.clip(np.searchsorted(sorted_keys, wanted), 0, len(keys) - 1)
    found = sorted_keys[at] == wanted
    return np.where(found, order[at], -1).astype(np.int64)
