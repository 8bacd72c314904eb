"""Each viewer's "not interested" (clause 6.3.3), kept in memory by serving.

An item a viewer rejected is not served to them again for ``SUPPRESS_DAYS``. Its
anchor, merchant and category are damped: the score is multiplied by
``1 - 0.5 * 0.5 ** (age_days / HALF_LIFE_DAYS)``, half at once and fading with a
one-week half-life, so one rejection does not hide a whole category for a month.
Events older than ``SUPPRESS_DAYS`` are forgotten.
"""

from __future__ import annotations

import threading
from collections import defaultdict

from recengine.engine.artifacts import SceneModel
from recengine.governance.rerank import NegativeFeedback

SUPPRESS_DAYS = 30.0
HALF_LIFE_DAYS = 7.0
DAY = 86_400.0


class FeedbackStore:
    def __init__(self) -> None:
        self._events: dict[int, list[tuple[str, int, float]]] = defaultdict(list)
        self._lock = threading.Lock()

    def add(self, viewer: int, kind: str, pk: int, at: float) -> None:
        with self._lock:
            self._events[viewer].append((kind, pk, at))

    def for_viewer(
        self, viewer: int, scene: SceneModel, now: float
    ) -> NegativeFeedback:
        with self._lock:
            events = [
                e
                for e in self._events.get(viewer, [])
                if now - e[2] < SUPPRESS_DAYS * DAY
            ]
        items, anchors, merchants, categories = set(), {}, {}, {}
        for kind, pk, at in events:
            if kind != scene.kind or pk not in scene.position:
                continue
            items.add(pk)
            row = scene.position[pk]
            factor = 1.0 - 0.5 * 0.5 ** (max(now - at, 0.0) / DAY / HALF_LIFE_DAYS)
            for target, key in (
                (anchors, scene.anchor[row]),
                (merchants, scene.merchant[row]),
                (categories, scene.category[row]),
            ):
                if key >= 0:
                    target[int(key)] = target.get(int(key), 1.0) * factor
        return NegativeFeedback(frozenset(items), anchors, merchants, categories)
