"""The policy a serving process obeys, confirmed on every request.

Each call reads the current version: the cache marker when the cache is shared
between processes (Redis), otherwise one tiny database read. When the version
differs from the snapshot held, or an entry of the held snapshot starts or expires,
the snapshot is rebuilt from the database before the request is served. When the
marker cannot be read the database decides; when the database cannot be read
either, the call raises and the request fails rather than being served under a
policy nobody confirmed (fail closed, DESIGN.md "Policy snapshot").
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from django.conf import settings

from recengine import markers
from recengine.governance import publishing
from recengine.governance.policy import PolicySnapshot

logger = logging.getLogger(__name__)

# A marker lost between a commit and its announcement is corrected by reading the
# database at least this often.
CONFIRM_SECONDS = 2.0


def shared_cache() -> bool:
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    return "redis" in backend.lower()


class PolicyProvider:
    def __init__(
        self,
        *,
        wall_clock: Callable[[], float] = time.time,
        clock: Callable[[], float] = time.monotonic,
        use_cache: bool | None = None,
    ) -> None:
        self.wall_clock = wall_clock
        self.clock = clock
        self.use_cache = shared_cache() if use_cache is None else use_cache
        self._snapshot: PolicySnapshot | None = None
        self._confirmed_at = float("-inf")
        self._lock = threading.Lock()

    def __call__(self) -> PolicySnapshot:
        version = self._current_version()
        snapshot = self._snapshot
        if (
            snapshot is not None
            and snapshot.version == version
            and self.wall_clock() < snapshot.valid_until
        ):
            return snapshot
        with self._lock:
            snapshot = publishing.build_snapshot(version)
            self._snapshot = snapshot
        logger.info("policy snapshot built", extra={"policy_version": version})
        return snapshot

    def _current_version(self) -> int:
        if self.use_cache and self.clock() - self._confirmed_at < CONFIRM_SECONDS:
            marker = _marker()
            if marker is not None:
                return marker
        version = publishing.current_version()
        self._confirmed_at = self.clock()
        if self.use_cache:
            _repair_marker(version)
        return version

    def invalidate(self) -> None:
        with self._lock:
            self._snapshot = None


def _repair_marker(version: int) -> None:
    """Re-announce the database's version; drop a marker ahead of the database.

    A marker ahead of the database only happens when the database was restored or
    recreated; deleting it (rather than writing the lower number) cannot undo a
    newer announcement that raced with this read.
    """
    marker = _marker()
    if marker is not None and marker > version:
        markers.delete(publishing.POLICY_VERSION_KEY)  # logs when it cannot
        return
    publishing.announce(version)


def _marker() -> int | None:
    try:
        marker = markers.read(publishing.POLICY_VERSION_KEY)
    except Exception:  # the cache is an accelerator; the database decides
        logger.warning("policy marker unreadable", exc_info=True)
        return None
    return int(marker) if marker is not None else None
