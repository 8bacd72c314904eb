"""Audio features: the signal statistics an audio front end reports per broadcast.

``BroadcastSession.audio_stats`` is a flat mapping of numbers such as speech rate
(characters per minute), pause ratio, loudness (LUFS), pitch variability and filler
ratio. Which statistics a platform sends is its choice, so the featurizer learns the
keys from the catalogue: every numeric key present for at least ``min_coverage`` of
the rooms that have audio at all. A room's value is the mean over its broadcasts;
missing values take the catalogue median; everything is standardised.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Self

import numpy as np
from sklearn.preprocessing import StandardScaler

logger = logging.getLogger(__name__)

Sessions = Sequence[Mapping[str, object]]
# Standardised values beyond this many deviations are outliers a single odd
# broadcast produced; clipping keeps them from dominating a normalised block.
CLIP = 5.0


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def session_means(sessions: Sessions, keys: Sequence[str]) -> np.ndarray:
    """Mean of each key over the broadcasts that report it; NaN where none does."""
    sums = np.zeros(len(keys))
    counts = np.zeros(len(keys))
    for stats in sessions:
        for column, key in enumerate(keys):
            value = _number(stats.get(key))
            if value is not None:
                sums[column] += value
                counts[column] += 1
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


class AudioFeaturizer:
    """Standardised per-room means of the numeric audio statistics."""

    def __init__(self, *, min_coverage: float = 0.5) -> None:
        self.min_coverage = min_coverage

    def fit(self, rooms: Sequence[Sessions]) -> Self:
        self.fit_transform(rooms)
        return self

    def fit_transform(self, rooms: Sequence[Sessions]) -> np.ndarray:
        self.keys_ = self._discover_keys(rooms)
        self.medians_ = np.zeros(len(self.keys_))
        self.scaler_ = None
        if not self.keys_:
            return self.transform(rooms)

        raw = self._raw(rooms)
        heard = raw[~np.isnan(raw).all(axis=1)]
        # Every kept key is reported for some rooms, so no column is all missing.
        self.medians_ = np.nanmedian(heard, axis=0)
        self.scaler_ = StandardScaler().fit(self._fill(heard))
        return self.transform(rooms)

    def transform(self, rooms: Sequence[Sessions]) -> np.ndarray:
        out = np.zeros((len(rooms), len(self.keys_)), dtype=np.float32)
        if not self.keys_:
            return out
        raw = self._raw(rooms)
        heard = ~np.isnan(raw).all(axis=1)
        if heard.any():
            scaled = self.scaler_.transform(self._fill(raw[heard]))
            out[heard] = np.clip(scaled, -CLIP, CLIP)
        return out

    @property
    def n_features_(self) -> int:
        return len(self.keys_)

    def _discover_keys(self, rooms: Sequence[Sessions]) -> list[str]:
        seen = Counter()
        with_audio = 0
        for sessions in rooms:
            keys = {
                key
                for stats in sessions
                for key, value in stats.items()
                if _number(value) is not None
            }
            with_audio += bool(keys)
            seen.update(keys)
        needed = self.min_coverage * max(with_audio, 1)
        keys = sorted(key for key, count in seen.items() if count >= needed)
        logger.debug("audio statistics found", extra={"keys": keys})
        return keys

    def _raw(self, rooms: Sequence[Sessions]) -> np.ndarray:
        if not rooms:
            return np.zeros((0, len(self.keys_)))
        return np.vstack([session_means(sessions, self.keys_) for sessions in rooms])

    def _fill(self, raw: np.ndarray) -> np.ndarray:
        return np.where(np.isnan(raw), self.medians_[None, :], raw)
