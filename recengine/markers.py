"""Cache markers, read in one round trip per request.

Serving processes learn of changes made elsewhere through small cache markers:
the active model, the ranking configuration, the policy version, deleted tags,
"not interested", API keys and viewers' switches. A request used to read each
with its own cache call; inside ``request_scope`` (every HTTP request, see
``MarkerScopeMiddleware``) the first read fetches every registered marker with one
``get_many`` and the later reads of the same request see those values. A marker
written inside the scope (``write``) makes the next read fetch again, so a request
never misses its own change. Outside a scope (commands, replays, threads) every
read goes to the cache.

A cache that cannot be reached reads as "no marker": each caller then falls back
on the database, which stays the authority.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.cache import cache

logger = logging.getLogger(__name__)

_registered: list[str] = []
_scope = threading.local()
_PENDING = object()


def register(key: str) -> str:
    """Declare ``key`` a marker read in the request's batch; returns the key."""
    if key not in _registered:
        _registered.append(key)
    return key


def read(key: str):
    """The marker's value (``None`` when absent or unreadable)."""
    values = getattr(_scope, "values", None)
    if values is None:
        return _fetch([key]).get(key)
    if values is _PENDING or key not in values:
        keys = list(dict.fromkeys([*_registered, key]))
        fetched = _fetch(keys)
        # Absent markers are remembered as absent for the rest of the request.
        values = _scope.values = {name: fetched.get(name) for name in keys}
    return values[key]


def write(key: str, value, timeout: float | None = None) -> bool:
    """Set a marker; the current request reads markers afresh afterwards."""
    if getattr(_scope, "values", None) is not None:
        _scope.values = _PENDING
    try:
        cache.set(key, value, timeout)
    except Exception:  # the cache is an accelerator, never the authority
        logger.warning("cache unreachable for %s", key, exc_info=True)
        return False
    return True


def bump(key: str) -> bool:
    """Write a new, never repeated value to ``key``."""
    return write(key, time.time_ns())


@contextmanager
def request_scope() -> Iterator[None]:
    previous = getattr(_scope, "values", None)
    _scope.values = _PENDING
    try:
        yield
    finally:
        _scope.values = previous


def _fetch(keys: list[str]) -> dict:
    try:
        return cache.get_many(keys)
    except Exception:
        logger.warning("cache unreachable for markers", exc_info=True)
        return {}


class MarkerScopeMiddleware:
    """Every HTTP request reads its markers in one round trip."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with request_scope():
            return self.get_response(request)


class MarkedCache:
    """Rows a request needs, kept in process while a marker says they are current.

    Each entry lives at most ``seconds``; every entry is dropped as soon as the
    marker changes, which ``changed`` does after a commit that touched the rows.
    It caches only when the cache is shared by every process (``shared``): with a
    per-process cache a change made in another process would go unseen, so each
    lookup reads the database. ``None`` (not found) is never cached.
    """

    def __init__(
        self,
        marker: str,
        *,
        seconds: float = 60.0,
        max_entries: int = 200_000,
        shared: bool | None = None,
        clock=time.monotonic,
    ) -> None:
        self.marker = register(marker)
        self.seconds = seconds
        self.max_entries = max_entries
        self.clock = clock
        self._shared = shared
        self._seen = None
        self._entries: dict = {}

    @property
    def enabled(self) -> bool:
        if self._shared is None:
            from django.conf import settings

            backend = settings.CACHES.get("default", {}).get("BACKEND", "")
            self._shared = "redis" in backend.lower()
        return self._shared

    def get(self, key, load):
        if not self.enabled:
            return load()
        seen = read(self.marker)
        if seen is None:
            # No marker yet (or the cache was emptied): start one, trust nothing.
            if not bump(self.marker):
                return load()
            seen = read(self.marker)
        if seen != self._seen:
            self._entries, self._seen = {}, seen
        tick = self.clock()
        entry = self._entries.get(key)
        if entry is not None and tick - entry[0] < self.seconds:
            return entry[1]
        value = load()
        if value is not None:
            if len(self._entries) >= self.max_entries:
                self._entries = {}
            self._entries[key] = (tick, value)
        return value

    def changed(self) -> None:
        """Forget every entry here, and in other processes once this commits."""
        from django.db import transaction

        self._entries = {}
        transaction.on_commit(lambda: bump(self.marker))
