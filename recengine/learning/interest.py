"""Viewer interest (clause 5.3): a long-term part, a session part and short-video
behaviour carried over to live commerce.

All three live in the item-vector space of the feature layer, so that a profile can
score any live room or product by a dot product, plus a category distribution that
is what a viewer sees as their interest tags (clause 6.3.2).

- Long term: every event adds its kind weight times the item's vector, decayed by
  age with a half-life of ``long_half_life_days``.
- Session: events of the current visit, kept in memory by the serving process and
  decayed with a half-life of minutes, so a click changes the very next response.
- Cross-domain (5.3.2): short-video views add the video's vector (its product's or
  its category centroid's) with weight ``cross_domain_weight``; a viewer who has only
  watched short videos thus gets live rooms of the same interests.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import Self

import numpy as np

from recengine.models import EventKind

# What each behaviour says about interest; "not interested" pushes away.
KIND_WEIGHTS: dict[int, float] = {
    EventKind.CLICK: 1.0,
    EventKind.DWELL: 0.5,
    EventKind.LIKE: 1.0,
    EventKind.COMMENT: 1.0,
    EventKind.FOLLOW: 2.0,
    EventKind.ADD_TO_CART: 3.0,
    EventKind.ORDER: 5.0,
    EventKind.GIFT: 2.0,
    EventKind.NOT_INTERESTED: -3.0,
    EventKind.SHORT_VIDEO_VIEW: 1.0,
}

SECONDS_PER_DAY = 86_400.0


@dataclass(frozen=True)
class InterestEvents:
    """Behaviour aligned by index: who, which content row, what kind, when.

    ``row`` indexes the content matrix given to ``fit``; ``is_short_video`` marks the
    rows that came from the short-video domain.
    """

    viewer: np.ndarray
    row: np.ndarray
    kind: np.ndarray
    timestamp: np.ndarray
    is_short_video: np.ndarray
    # How many events each row stands for, when rows are per-day aggregates.
    count: np.ndarray | None = None


class InterestModel:
    def __init__(
        self,
        long_half_life_days: float = 14.0,
        session_half_life_minutes: float = 20.0,
        session_weight: float = 2.0,
        cross_domain_weight: float = 0.6,
    ):
        self.long_half_life_days = long_half_life_days
        self.session_half_life_minutes = session_half_life_minutes
        self.session_weight = session_weight
        self.cross_domain_weight = cross_domain_weight

    def fit(
        self,
        events: InterestEvents,
        content: np.ndarray,
        categories: np.ndarray,
        *,
        n_viewers: int,
        n_categories: int,
        now: float,
    ) -> Self:
        """``content`` has one L2-normalised vector per row, ``categories`` one code."""
        weight = self._weights(events, now)
        self.long_ = np.zeros((n_viewers, content.shape[1]), dtype=np.float32)
        np.add.at(self.long_, events.viewer, weight[:, None] * content[events.row])
        self.categories_ = np.zeros((n_viewers, n_categories), dtype=np.float32)
        np.add.at(self.categories_, (events.viewer, categories[events.row]), weight)
        np.maximum(self.categories_, 0.0, out=self.categories_)
        self.fitted_at_ = now
        self._sessions: dict[int, tuple[np.ndarray, float]] = {}
        self._lock = threading.Lock()
        return self

    def _weights(self, events: InterestEvents, now: float) -> np.ndarray:
        base = np.array([KIND_WEIGHTS.get(int(k), 0.0) for k in events.kind])
        age_days = np.maximum(now - events.timestamp, 0.0) / SECONDS_PER_DAY
        decay = np.power(0.5, age_days / self.long_half_life_days)
        domain = np.where(events.is_short_video, self.cross_domain_weight, 1.0)
        count = 1.0 if events.count is None else np.asarray(events.count, float)
        return (base * decay * domain * count).astype(np.float32)

    def __getstate__(self) -> dict:
        # Sessions belong to one serving process and a lock cannot be pickled.
        state = dict(self.__dict__)
        state.pop("_lock", None)
        state["_sessions"] = {}
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def observe(self, viewer: int, vector: np.ndarray, kind: int, at: float) -> None:
        """Fold one live event into the viewer's session part."""
        weight = KIND_WEIGHTS.get(int(kind), 0.0)
        if weight == 0.0:
            return
        with self._lock:
            current = self._session(viewer, at)
            self._sessions[viewer] = (current + weight * vector, at)

    def forget_session(self, viewer: int) -> None:
        with self._lock:
            self._sessions.pop(viewer, None)

    def _session(self, viewer: int, at: float) -> np.ndarray:
        vector, since = self._sessions.get(viewer, (None, at))
        if vector is None:
            return np.zeros(self.long_.shape[1], dtype=np.float32)
        minutes = max(at - since, 0.0) / 60.0
        return vector * math.pow(0.5, minutes / self.session_half_life_minutes)

    def profile(self, viewer: int | None, at: float) -> np.ndarray:
        """Unit vector of a viewer's interest now; zeros for a viewer with none."""
        dim = self.long_.shape[1]
        # Keys past the fitted rows are viewers new since training: session only.
        known = viewer is not None and 0 <= viewer < len(self.long_)
        long_term = self.long_[viewer] if known else np.zeros(dim)
        if viewer is not None:
            with self._lock:
                session = self._session(viewer, at)
        else:
            session = np.zeros(dim)
        # The session counts by its decayed strength, so an old visit fades away
        # while one fresh click already outweighs weeks of history.
        strength = math.tanh(float(np.linalg.norm(session)))
        vector = _unit(long_term) + self.session_weight * strength * _unit(session)
        return _unit(vector).astype(np.float32)

    def has_session(self, viewer: int) -> bool:
        return viewer in self._sessions

    def category_shares(self, viewer: int) -> np.ndarray:
        """The viewer's interest spread over categories, summing to 1 (or all 0)."""
        row = self.categories_[viewer]
        total = float(row.sum())
        return row / total if total > 0 else row


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector
