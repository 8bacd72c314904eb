"""Response times of the recommendation endpoint, added up in memory per minute.

The endpoint adds one sample per answer to the process's ``LATENCY`` log, in
memory only. The exposure recorder writes the log along with exposures
(``recengine.serving.recorder``): in a web worker its writer thread writes each
minute once it is over, in a command or a test every flush writes everything. Rows
the database refuses are kept for the next write, up to ``MAX_PENDING_MINUTES``.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from recengine.models.serving_stats import BUCKETS, ServingLatency, bucket_of

logger = logging.getLogger(__name__)

# Histograms (minute, scene, strategy) a process keeps while the database refuses
# writes: about a day of four scene-strategy pairs. The oldest go first.
MAX_PENDING_MINUTES = 6_000

Key = tuple[dt.datetime, str, str]


def minute_of(at: dt.datetime) -> dt.datetime:
    if at.tzinfo is None:
        raise ValueError("at must be timezone-aware")
    return at.astimezone(dt.UTC).replace(second=0, microsecond=0)


@dataclass
class Histogram:
    count: int = 0
    total_ms: float = 0.0
    max_ms: float = 0.0
    buckets: list[int] = field(default_factory=lambda: [0] * BUCKETS)

    def add(self, ms: float) -> None:
        self.count += 1
        self.total_ms += ms
        self.max_ms = max(self.max_ms, ms)
        self.buckets[bucket_of(ms)] += 1

    def merge(self, other: Histogram) -> None:
        self.count += other.count
        self.total_ms += other.total_ms
        self.max_ms = max(self.max_ms, other.max_ms)
        self.buckets = [a + b for a, b in zip(self.buckets, other.buckets, strict=True)]


class LatencyLog:
    def __init__(self, *, max_minutes: int = MAX_PENDING_MINUTES):
        self.max_minutes = max_minutes
        self._open: dict[Key, Histogram] = {}
        self._lock = threading.Lock()
        # Set by a background recorder: an answer that logs no exposure must still
        # get the writer thread of its process going.
        self.writer: Callable[[], None] | None = None

    @property
    def pending(self) -> int:
        """Responses added and not written yet."""
        with self._lock:
            return sum(histogram.count for histogram in self._open.values())

    def add(self, scene: str, strategy: str, ms: float, at: dt.datetime) -> None:
        key = (minute_of(at), scene, strategy)
        with self._lock:
            histogram = self._open.get(key)
            if histogram is None:
                histogram = self._open[key] = Histogram()
                self._trim()
            histogram.add(ms)

        writer = self.writer
        if writer is not None:
            writer()

    def drain(self, before: dt.datetime | None = None) -> list[ServingLatency]:
        """Take the histograms of minutes before ``before``, or all of them."""
        with self._lock:
            taken = [key for key in self._open if before is None or key[0] < before]
            histograms = [(key, self._open.pop(key)) for key in taken]
        return [_row(key, histogram) for key, histogram in histograms]

    def flush(self, before: dt.datetime | None = None) -> int:
        """Write what ``drain`` takes; rows the database refuses are put back."""
        rows = self.drain(before)
        if not rows:
            return 0
        try:
            ServingLatency.objects.bulk_create(rows)
        except Exception:
            self._put_back(rows)
            raise
        logger.debug("serving latency written", extra={"rows": len(rows)})
        return len(rows)

    def discard(self) -> int:
        with self._lock:
            dropped = sum(histogram.count for histogram in self._open.values())
            self._open = {}
        return dropped

    def _put_back(self, rows: list[ServingLatency]) -> None:
        with self._lock:
            for row in rows:
                key = (row.minute, row.scene, row.strategy)
                histogram = self._open.setdefault(key, Histogram())
                histogram.merge(
                    Histogram(row.count, row.total_ms, row.max_ms, row.buckets)
                )
            self._trim()

    def _trim(self) -> None:
        # Called with the lock held.
        overflow = len(self._open) - self.max_minutes
        if overflow <= 0:
            return
        for key in sorted(self._open)[:overflow]:
            del self._open[key]
        logger.error("dropped %d unwritten serving latency minutes", overflow)


def _row(key: Key, histogram: Histogram) -> ServingLatency:
    minute, scene, strategy = key
    return ServingLatency(
        minute=minute,
        scene=scene,
        strategy=strategy,
        count=histogram.count,
        total_ms=histogram.total_ms,
        max_ms=histogram.max_ms,
        buckets=histogram.buckets,
    )


LATENCY = LatencyLog()
