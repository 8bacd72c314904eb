"""Who is asking: a viewer's key and personalisation switch, from process memory.

Every recommendation request names its viewer by the platform's user id; serving
needs the viewer's key (exposures are logged against it) and whether they allow
personalisation (clause 6.3.1). Reading the row per request costs a database round
trip on every call, and with viewers spread over a large platform a per-viewer cache
rarely hits. So the directory keeps two things apart:

- A viewer's key never changes once the row exists, so pseudonym -> key is kept
  for the life of the process (up to ``max_entries``; past it the map starts again).
  A web worker (``background``) reads every viewer's key in a thread when it
  starts, so that requests do not each pay a round trip the first time a viewer
  shows up; meanwhile, and for viewers registered later, a viewer not held yet is
  read on its first request. Only a deleted viewer row makes the map stale:
  deletions move the ``KEYS_MARKER``, which empties the map everywhere.
- The switch is kept as the set of viewers who turned personalisation off, read in
  one query. A changed switch moves the ``SWITCHES_MARKER`` once the change has
  committed, and the next request of every process reads the set again before it
  answers, so a viewer who switches off is obeyed by the very next response. The
  set is read again at least every ``SWITCHES_SECONDS`` in case a marker write was
  lost.

The markers live in the shared cache (``recengine.markers``). Without a shared cache
(the embedded SQLite default) a change in another process would go unseen, so each
lookup reads the row, as it would with no directory at all.
"""

from __future__ import annotations

import logging
import threading
import time

from recengine import markers
from recengine.models import Viewer

logger = logging.getLogger(__name__)

KEYS_MARKER = markers.register("serving:viewer-keys")
SWITCHES_MARKER = markers.register("serving:viewer-switches")
SWITCHES_SECONDS = 60.0


class ViewerDirectory:
    def __init__(
        self,
        *,
        max_entries: int = 1_000_000,
        shared: bool | None = None,
        clock=time.monotonic,
    ) -> None:
        self.max_entries = max_entries
        self.clock = clock
        self._shared = shared
        self._keys: dict[str, int] = {}
        self._keys_seen = None
        self._off: frozenset[int] = frozenset()
        self._off_seen = None
        self._off_at = -float("inf")
        self._lock = threading.Lock()
        # Web workers read every key in a thread (``_preload``).
        self.background = False
        self._preloading: threading.Thread | None = None

    @property
    def enabled(self) -> bool:
        if self._shared is None:
            self._shared = markers.cache_is_shared()
        return self._shared

    def lookup(self, pseudonym: str) -> tuple[int | None, bool | None]:
        """The viewer's key and switch; ``(None, None)`` for a viewer not registered."""
        if not self.enabled:
            return _row(pseudonym) or (None, None)
        keys_seen = markers.read_or_start(KEYS_MARKER)
        switches_seen = markers.read_or_start(SWITCHES_MARKER)
        if keys_seen is None or switches_seen is None:
            # No marker to trust (a cache just emptied or unreachable): the row.
            return _row(pseudonym) or (None, None)
        if keys_seen != self._keys_seen:
            self._keys, self._keys_seen = {}, keys_seen
            if self.background:
                self._preload_later(keys_seen)
        key = self._keys.get(pseudonym)
        if key is None:
            row = _row(pseudonym)
            if row is None:
                return None, None  # not cached: the viewer may register any moment
            key = row[0]
            if len(self._keys) < self.max_entries:  # past it: read per request
                self._keys[pseudonym] = key
        return key, key not in self._switched_off(switches_seen)

    def _preload_later(self, seen) -> None:
        with self._lock:
            if self._preloading is not None:
                return
            self._preloading = threading.Thread(
                target=self._preload, args=(seen,), name="viewer-keys", daemon=True
            )
            self._preloading.start()

    def wait(self, timeout: float = 60.0) -> None:
        """Until a read of every key has finished (tests and warm-up)."""
        thread = self._preloading
        if thread is not None:
            thread.join(timeout)

    def _preload(self, seen) -> None:
        """Every viewer's key, read in chunks off the request path."""
        from django.db import connection

        loaded: dict[str, int] = {}
        try:
            rows = Viewer.objects.values_list("pseudonym", "pk").iterator(
                chunk_size=10_000
            )
            for pseudonym, key in rows:
                if len(loaded) >= self.max_entries:
                    break
                loaded[pseudonym] = key
        except Exception:
            logger.exception("reading viewer keys failed; they are read per request")
            loaded = {}
        finally:
            connection.close()
        with self._lock:
            # Keys read meanwhile stay; a deletion meanwhile voids the whole read,
            # and the keys are read again under the new marker.
            current = self._keys_seen
            if current == seen and loaded:
                loaded.update(self._keys)
                self._keys = loaded
            self._preloading = None
        logger.info("viewer keys read", extra={"viewers": len(loaded)})
        if current != seen and current is not None:
            self._preload_later(current)

    def _switched_off(self, seen) -> frozenset[int]:
        tick = self.clock()
        if seen == self._off_seen and tick - self._off_at < SWITCHES_SECONDS:
            return self._off
        with self._lock:
            if seen != self._off_seen or tick - self._off_at >= SWITCHES_SECONDS:
                self._off = frozenset(
                    Viewer.objects.filter(personalization_enabled=False).values_list(
                        "pk", flat=True
                    )
                )
                self._off_seen, self._off_at = seen, tick
        return self._off

    def reread_switches(self) -> None:
        """Read the set of switches again on the next lookup."""
        with self._lock:
            self._off_seen, self._off_at = None, -float("inf")

    def forget(self) -> None:
        """Drop everything held here (tests, and after a rollback)."""
        with self._lock:
            self._keys, self._keys_seen = {}, None
            self._off, self._off_seen, self._off_at = frozenset(), None, -float("inf")


def keys_changed() -> None:
    """A viewer row was deleted: every process forgets the keys it holds, this one
    at once and the others once the deletion has committed."""
    DIRECTORY.forget()
    markers.bump_on_commit(KEYS_MARKER)


def switches_changed() -> None:
    """A personalisation switch changed: every process reads the set again."""
    DIRECTORY.reread_switches()
    markers.bump_on_commit(SWITCHES_MARKER)


def _row(pseudonym: str) -> tuple[int, bool] | None:
    return (
        Viewer.objects.filter(pseudonym=pseudonym)
        .values_list("pk", "personalization_enabled")
        .first()
    )


DIRECTORY = ViewerDirectory()
