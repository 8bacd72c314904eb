"""The serving entry points: the REST endpoint and the simulator both come here.

``recommend`` answers one request from in-memory state and logs its exposures;
``log_events`` is how viewer behaviour reaches both the event log and the in-memory
state (engagement counts, the interest model's session part, "not interested").

The learned engine (``recengine.engine.runtime``) serves when a model version is
active; otherwise its popularity fallback does. A replay such as the simulator
serves from a ``dedicated`` popularity baseline instead.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from recengine.models import Event, EventKind, Scene
from recengine.services.events import append_events
from recengine.serving.baseline import PopularityBaseline, Ranked
from recengine.serving.event_rows import new_event
from recengine.serving.recorder import ExposureRecorder
from recengine.serving.types import RecommendationResult

logger = logging.getLogger(__name__)

MAX_SIZE = 100
# Governance policies are not published yet; version 0 means "no policy applied".
NO_POLICY_VERSION = 0

_lock = threading.Lock()
_engine = PopularityBaseline()
_recorder = ExposureRecorder()
_runtime = None  # the learned engine, built on first use
_dedicated = False
_web = False


@dataclass(frozen=True)
class TracedResult(RecommendationResult):
    """A result that also carries the re-rank steps, when asked for."""

    trace: list[dict] | None = None

    def as_dict(self) -> dict[str, object]:
        data = super().as_dict()
        if self.trace is not None:
            data["trace"] = self.trace
        return data


def runtime():
    """The process's engine runtime (imported late: it loads the numeric stack)."""
    global _runtime
    if _runtime is None:
        from recengine.engine.runtime import EngineRuntime
        from recengine.governance.provider import PolicyProvider

        with _lock:
            if _runtime is None:
                # The published policy, confirmed on every request (clause 6.2).
                _runtime = EngineRuntime(_engine, policy_provider=PolicyProvider())
                _runtime.background_reloads = _web
                _runtime.freeze_heap = _web
    return _runtime


def recommend(
    *,
    viewer_id: int | None,
    scene: str,
    size: int,
    now: dt.datetime,
    record: bool = True,
    request_id: str | None = None,
    trace: bool = False,
    personalization: bool | None = None,
) -> RecommendationResult:
    """Rank items for one request; exposures are logged when a viewer is known.

    ``request_id`` defaults to a random one; a replay passes its own so that the
    exposures it logs are reproducible. ``trace`` adds the re-rank steps.
    ``personalization`` is the viewer's switch when the caller has it at hand.
    """
    _check_request(scene, size, now)
    request_id = request_id or uuid.uuid4().hex
    served = _serve(viewer_id, scene, size, now, request_id, personalization)
    ranked = served.ranked
    result = TracedResult(
        items=[entry.item for entry in ranked],
        strategy=served.strategy,
        model_version=served.model_version,
        policy_version=served.policy_version,
        request_id=request_id,
        trace=served.trace if trace else None,
    )
    if record and viewer_id is not None and ranked:
        _recorder.add(_exposures(result, ranked, viewer_id, scene, now))
    return result


def _serve(viewer_id, scene, size, now, request_id, personalization=None):
    if _dedicated:
        from recengine.engine.runtime import Served

        ranked = _engine.rank(
            scene=scene,
            size=size,
            now=now,
            request_id=request_id,
            viewer_id=viewer_id if personalization is not False else None,
        )
        return Served(
            ranked, _engine.strategy, _engine.model_version, NO_POLICY_VERSION
        )
    return runtime().serve(
        viewer_id=viewer_id,
        scene=scene,
        size=size,
        now=now,
        request_id=request_id,
        personalization=personalization,
    )


def observe(events: Sequence[Event]) -> None:
    """Fold events already in the log into the in-memory state (the REST path)."""
    if _dedicated or _runtime is None:
        _engine.observe(events)
        return
    _runtime.observe(events)


def log_events(events: Sequence[Event]) -> int:
    """Append viewer events to the log and count their engagement; returns rows new.

    Pending exposures are written first, so the log keeps exposures ahead of the
    clicks they caused.
    """
    _recorder.flush()
    inserted = append_events(events)
    observe(events)
    return inserted


def flush_exposures() -> int:
    return _recorder.flush()


def run_in_web_worker() -> None:
    """Take slow writes and reloads off the request path of a web worker.

    Exposures are written by a background thread (``recengine.serving.recorder``
    says what a crash can lose) and the catalogue is reloaded in a thread while the
    loaded one keeps answering. Commands and replays keep both in line, inside their
    own transaction. Loaded models and catalogues are frozen out of the garbage
    collector's full passes (``EngineRuntime._settle``). Viewers' keys are read in
    a thread too (``recengine.serving.viewers``), and cache markers are kept between
    requests while no change notice arrives (``recengine.markers``).
    """
    global _web
    from recengine import markers
    from recengine.serving.viewers import DIRECTORY

    _web = True
    markers.MIRROR.enabled = True
    _recorder.background = True
    DIRECTORY.background = True
    if _runtime is not None:
        _runtime.background_reloads = True
        _runtime.freeze_heap = True


def reset() -> None:
    """Drop in-memory state and unflushed exposures, e.g. after a rollback."""
    _recorder.discard()
    _engine.invalidate()
    if _runtime is not None:
        _runtime.invalidate()
        # A rolled-back database may reuse a policy version number.
        forget = getattr(_runtime.policy_provider, "invalidate", None)
        if forget is not None:
            forget()


@contextmanager
def dedicated(
    engine: PopularityBaseline, *, exposure_batch: int
) -> Iterator[PopularityBaseline]:
    """Serve from ``engine`` with batched exposures for the duration of a replay.

    On success pending exposures are flushed; on failure they are discarded, since
    the transaction they belonged to is being rolled back.
    """
    global _engine, _recorder, _dedicated
    with _lock:
        previous = (_engine, _recorder, _dedicated)
        _engine, _recorder = engine, ExposureRecorder(batch_rows=exposure_batch)
        _dedicated = True
    try:
        yield engine
        _recorder.flush()
    except BaseException:
        _recorder.discard()
        raise
    finally:
        with _lock:
            _engine, _recorder, _dedicated = previous
        previous[0].invalidate()


def _check_request(scene: str, size: int, now: dt.datetime) -> None:
    if scene not in Scene.values:
        raise ValueError(f"unknown scene {scene!r}; one of {Scene.values}")
    if not 1 <= size <= MAX_SIZE:
        raise ValueError(f"size must be between 1 and {MAX_SIZE}, got {size}")
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")


def _exposures(
    result: RecommendationResult,
    ranked: list[Ranked],
    viewer_id: int,
    scene: str,
    now: dt.datetime,
) -> list[Event]:
    # Positions count from 1, as a viewer sees them.
    return [
        new_event(
            event_id=f"exp-{result.request_id}-{position}",
            kind=EventKind.IMPRESSION,
            occurred_at=now,
            viewer_id=viewer_id,
            room_id=entry.keys.room_id,
            product_id=entry.keys.product_id,
            anchor_id=entry.keys.anchor_id,
            scene=scene,
            position=position,
            strategy=result.strategy,
            model_version=result.model_version,
            policy_version=result.policy_version,
            request_id=result.request_id,
        )
        for position, entry in enumerate(ranked, start=1)
    ]
