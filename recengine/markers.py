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

A web worker with the Redis cache goes further and keeps the markers between
requests (``MIRROR``, turned on by ``recengine.serving.run_in_web_worker``): every
write publishes the marker's name on ``CHANNEL``, each worker subscribes, and a
request first drains the notices that reached its subscription since the last one,
a poll of a local socket rather than a round trip. Without a notice it reads the
values the previous request read; after one, it reads them all again. Writes
publish after they set, so a change made before a request starts is seen by that
request in every worker, as before. Values are read again at least every
``MIRROR_SECONDS`` (a marker that expired, or a notice lost while the subscription
reconnected), and while a worker has no subscription it reads per request.

A cache that cannot be reached reads as "no marker": each caller then falls back
on the database, which stays the authority.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.cache import cache

logger = logging.getLogger(__name__)

_registered: list[str] = []
_scope = threading.local()
_OPEN = object()  # a request that has read no marker yet
_PENDING = object()  # a request that wrote one: read afresh

CHANNEL = "markers:changed"
MIRROR_SECONDS = 1.0
RESUBSCRIBE_SECONDS = 5.0


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
    if values is _OPEN or values is _PENDING or key not in values:
        keys = list(dict.fromkeys([*_registered, key]))
        mirrored = MIRROR.values(keys) if values is _OPEN else None
        if mirrored is None:
            fetched = _fetch(keys)
            # Absent markers are remembered as absent for the rest of the request.
            mirrored = {name: fetched.get(name) for name in keys}
        values = _scope.values = mirrored
    return values[key]


def write(key: str, value, timeout: float | None = None) -> bool:
    """Set a marker; the current request reads markers afresh afterwards."""
    return _change(key, lambda: cache.set(key, value, timeout))


def delete(key: str) -> bool:
    """Remove a marker; every process reads it as absent from its next request."""
    return _change(key, lambda: cache.delete(key))


def _change(key: str, apply) -> bool:
    if getattr(_scope, "values", None) is not None:
        _scope.values = _PENDING
    MIRROR.forget()
    try:
        apply()
        _publish(key)
    except Exception:  # the cache is an accelerator, never the authority
        logger.warning("cache unreachable for %s", key, exc_info=True)
        return False
    return True


def bump(key: str) -> bool:
    """Write a new, never repeated value to ``key``."""
    return write(key, time.time_ns())


def bump_on_commit(key: str) -> None:
    """Move ``key`` once the current transaction commits (at once outside one)."""
    from django.db import transaction

    transaction.on_commit(lambda: bump(key))


def read_or_start(key: str):
    """The marker's value; an absent one is started first, so that what a process
    held under an older value is dropped. ``None`` when the cache cannot be written.
    """
    seen = read(key)
    if seen is None and bump(key):
        seen = read(key)
    return seen


@contextmanager
def request_scope() -> Iterator[None]:
    previous = getattr(_scope, "values", None)
    _scope.values = _OPEN
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


def cache_is_shared() -> bool:
    """Whether the default cache is one every process sees (Redis)."""
    from django.conf import settings

    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    return "redis" in backend.lower()


def _redis_client():
    """The shared cache's Redis client, or ``None`` for a cache of another kind."""
    get_client = getattr(getattr(cache, "_cache", None), "get_client", None)
    return None if get_client is None else get_client(write=True)


def _publish(key: str) -> None:
    client = _redis_client()
    if client is not None:
        client.publish(CHANNEL, key)


class RedisNotices:
    """A subscription to ``CHANNEL``, polled without blocking."""

    def __init__(self, client, timeout: float = 2.0) -> None:
        self._pubsub = client.pubsub()
        try:
            self._pubsub.subscribe(CHANNEL)
            # Once Redis confirms, no later notice can slip past this subscription.
            deadline = time.monotonic() + timeout
            while not self._confirmed(self._pubsub.get_message(timeout=0.05)):
                if time.monotonic() > deadline:
                    raise TimeoutError("no subscription confirmation from Redis")
        except BaseException:
            self._pubsub.close()
            raise

    @staticmethod
    def _confirmed(message) -> bool:
        return message is not None and message["type"] == "subscribe"

    def poll(self) -> bool:
        """Whether anything arrived since the last poll (a notice, or a
        re-subscription after a dropped connection, which may have lost some)."""
        arrived = False
        while self._pubsub.get_message(timeout=0.0) is not None:
            arrived = True
        return arrived

    def close(self) -> None:
        self._pubsub.close()


def _subscribe():
    client = _redis_client()
    return None if client is None else RedisNotices(client)


class MarkerMirror:
    """The markers a web worker read last, kept while no notice says they moved."""

    def __init__(self, *, subscribe=_subscribe, clock=time.monotonic) -> None:
        self.enabled = False
        self._subscribe = subscribe
        self.clock = clock
        self._lock = threading.Lock()
        self._notices = None
        self._pid = 0
        self._retry_at = 0.0
        self._values: dict | None = None
        self._read_at = 0.0

    def values(self, keys: list[str]) -> dict | None:
        """Every key's value, or ``None`` when the caller must read them itself."""
        if not self.enabled:
            return None
        with self._lock:
            now = self.clock()
            if not self._listening(now):
                return None
            try:
                moved = self._notices.poll()
            except Exception:
                logger.warning("marker notices lost", exc_info=True)
                self._drop(now)
                return None
            held = self._values
            if (
                moved
                or held is None
                or now - self._read_at >= MIRROR_SECONDS
                or not all(key in held for key in keys)
            ):
                try:
                    fetched = cache.get_many(keys)
                except Exception:
                    self._values = None
                    return None  # the caller reads, and logs, as without a mirror
                held = self._values = {name: fetched.get(name) for name in keys}
                self._read_at = now
            return held

    def forget(self) -> None:
        """Read every marker again on the next request (this process wrote one)."""
        self._values = None

    def _listening(self, now: float) -> bool:
        if self._pid != os.getpid():
            # A forked worker shares its parent's socket; it needs its own.
            self._notices, self._values, self._pid = None, None, os.getpid()
        if self._notices is None:
            if now < self._retry_at:
                return False
            try:
                self._notices = self._subscribe()
            except Exception:
                logger.warning("marker notices unavailable", exc_info=True)
                self._notices = None
            if self._notices is None:
                self._retry_at = now + RESUBSCRIBE_SECONDS
                return False
            self._values = None  # what changed before the subscription is unknown
        return True

    def _drop(self, now: float) -> None:
        try:
            self._notices.close()
        except Exception:
            logger.debug("closing marker notices failed", exc_info=True)
        self._notices, self._values = None, None
        self._retry_at = now + RESUBSCRIBE_SECONDS


MIRROR = MarkerMirror()


class MarkerScopeMiddleware:
    """Every HTTP request reads its markers in one round trip at most."""

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
            self._shared = cache_is_shared()
        return self._shared

    def get(self, key, load):
        if not self.enabled:
            return load()
        seen = read_or_start(self.marker)
        if seen is None:
            return load()  # no marker to trust: the row itself
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
        self._entries = {}
        bump_on_commit(self.marker)
