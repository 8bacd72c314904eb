"""Exposures of served responses, written to the event log through ``append_events``.

Three ways to write, from the safest to the fastest:

- By default every response's exposures go out in one INSERT before ``recommend``
  returns; a crash loses only the response being answered, which the viewer never
  saw. Management commands and tests write this way.
- Web workers (``console.wsgi`` turns ``background`` on, with ``EXPOSURE_FLUSH_MS``
  above 0): a request only appends its exposures to memory; a background thread of
  the process writes everything pending at least every ``EXPOSURE_FLUSH_MS``
  milliseconds, or sooner once ``BACKGROUND_BATCH_ROWS`` are waiting. A crash of the
  process loses at most that window. A graceful exit (gunicorn's worker restart,
  SIGTERM) flushes first.
- A replay such as the simulator raises ``batch_rows`` and flushes itself; nothing is
  written in the background, because its rows belong to the replay's transaction.

Exposures have unique, retry-safe event ids, so writing a batch twice never
duplicates a row; a batch that fails to write is put back and tried again.

A recorder that writes per response also writes the process's serving latency
(``recengine.serving.latency``) whenever it writes: all of it in commands and
tests, and in a web worker each minute once that minute is over, so that a worker
adds one row per minute, scene and strategy rather than one per write. Stopping
and a graceful exit write the current minute too.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

from recengine.models import Event
from recengine.services.events import append_events
from recengine.serving.latency import LATENCY, LatencyLog, minute_of

logger = logging.getLogger(__name__)

# Rows a worker keeps while the database refuses writes; older ones are dropped past
# it, so an outage costs exposures rather than the worker's memory.
MAX_PENDING_ROWS = 200_000
BACKGROUND_BATCH_ROWS = 2_000


class ExposureRecorder:
    def __init__(
        self,
        *,
        batch_rows: int = 1,
        background: bool = False,
        latency: LatencyLog | None = None,
    ):
        if batch_rows < 1:
            raise ValueError("batch_rows must be at least 1")
        self.batch_rows = batch_rows
        # A replay's batches belong to its own transaction; serving latency does not.
        if latency is None and batch_rows == 1:
            latency = LATENCY
        self.latency = latency
        self._pending: list[Event] = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._thread_pid = 0
        self._stopping = False
        self.background = background

    @property
    def background(self) -> bool:
        return self._background

    @background.setter
    def background(self, value: bool) -> None:
        self._background = value
        if value and self.latency is not None:
            self.latency.writer = self.start_writer

    @property
    def pending(self) -> int:
        return len(self._pending)

    def add(self, events: list[Event]) -> None:
        interval = self._interval()
        with self._lock:
            self._pending.extend(events)
            waiting = len(self._pending)
        if interval:
            self._ensure_writer(interval)
            if waiting >= BACKGROUND_BATCH_ROWS:
                self._wake.set()
            return
        if waiting >= self.batch_rows:
            self.flush()

    def flush(self, *, final: bool = False) -> int:
        """Write pending exposures, then serving latency; returns exposures new.

        In a web worker the current latency minute stays open unless ``final``.
        """
        inserted = self._write_exposures()
        if self.latency is not None:
            keep_open = self.background and not final
            before = minute_of(timezone.now()) if keep_open else None
            self.latency.flush(before=before)
        return inserted

    def _write_exposures(self) -> int:
        with self._lock:
            batch, self._pending = self._pending, []
        if not batch:
            return 0
        try:
            inserted = append_events(batch)
        except Exception:
            self._put_back(batch)
            raise
        logger.debug("exposures flushed", extra={"rows": len(batch)})
        return inserted

    def discard(self) -> int:
        """Forget pending exposures, after the transaction they belonged to failed."""
        with self._lock:
            dropped, self._pending = len(self._pending), []
        if dropped:
            logger.warning("discarded %d unflushed exposures", dropped)
        return dropped

    def _interval(self) -> float:
        if not self.background or self.batch_rows > 1:
            return 0.0
        return settings.EXPOSURE_FLUSH_MS / 1000

    def _put_back(self, batch: list[Event]) -> None:
        with self._lock:
            self._pending[:0] = batch
            overflow = len(self._pending) - MAX_PENDING_ROWS
            if overflow > 0:
                del self._pending[:overflow]
        if overflow > 0:
            logger.error("dropped %d exposures the database refused", overflow)

    def start_writer(self) -> None:
        """Make sure this process's writer thread runs, if writes go through one."""
        interval = self._interval()
        if interval and not self._stopping:
            self._ensure_writer(interval)

    def _ensure_writer(self, interval: float) -> None:
        # A forked worker inherits the object but not the thread: start one per pid.
        pid = os.getpid()
        if self._thread is not None and self._thread_pid == pid:
            return
        with self._lock:
            if self._thread is not None and self._thread_pid == pid:
                return
            self._thread_pid = pid
            self._thread = threading.Thread(
                target=self._write_forever,
                args=(interval,),
                name="exposure-writer",
                daemon=True,
            )
            self._thread.start()
        atexit.register(self._flush_quietly)

    def stop(self, timeout: float = 10.0) -> None:
        """Write what is pending and end the writer thread (tests, shutdown)."""
        thread = self._thread
        if thread is None:
            return
        self._stopping = True
        self._wake.set()
        thread.join(timeout)
        self._thread = None

    def _write_forever(self, interval: float) -> None:
        from django.db import connection

        while not self._stopping:
            self._wake.wait(interval)
            self._wake.clear()
            if not self._stopping:
                self._flush_quietly(final=False)
        self._flush_quietly(final=True)
        connection.close()

    def _flush_quietly(self, *, final: bool = True) -> None:
        try:
            self.flush(final=final)
        except Exception:
            logger.exception("exposure write failed; the batch will be retried")
            # A broken connection must not poison the next attempt.
            close_old_connections()
