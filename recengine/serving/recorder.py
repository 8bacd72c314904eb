"""Exposures of served responses, written to the event log through ``append_events``.

By default every response's exposures go out in one INSERT before ``recommend``
returns, so a crash can lose only the response that was being answered (the viewer
never saw it). A caller that serves many responses in a row, such as the simulator,
may raise ``batch_rows``: exposures then wait in memory until that many are pending
or ``flush`` is called, and a crash loses every exposure not yet flushed. Exposures
have unique, retry-safe event ids, so flushing twice never duplicates a row.
"""

from __future__ import annotations

import logging
import threading

from recengine.models import Event
from recengine.services.events import append_events

logger = logging.getLogger(__name__)


class ExposureRecorder:
    def __init__(self, *, batch_rows: int = 1):
        if batch_rows < 1:
            raise ValueError("batch_rows must be at least 1")
        self.batch_rows = batch_rows
        self._pending: list[Event] = []
        self._lock = threading.Lock()

    @property
    def pending(self) -> int:
        return len(self._pending)

    def add(self, events: list[Event]) -> None:
        with self._lock:
            self._pending.extend(events)
            full = len(self._pending) >= self.batch_rows
        if full:
            self.flush()

    def flush(self) -> int:
        with self._lock:
            batch, self._pending = self._pending, []
        if not batch:
            return 0
        inserted = append_events(batch)
        logger.debug("exposures flushed", extra={"rows": len(batch)})
        return inserted

    def discard(self) -> int:
        """Forget pending exposures, after the transaction they belonged to failed."""
        with self._lock:
            dropped, self._pending = len(self._pending), []
        if dropped:
            logger.warning("discarded %d unflushed exposures", dropped)
        return dropped
