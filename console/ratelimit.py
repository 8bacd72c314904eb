"""Failed sign-in counting per username and client address, kept in the cache.

The cache is shared by every web worker when Redis is configured, so the limit holds
across processes; with the in-process cache it holds per process, which is enough for
the embedded single-host run.
"""

from __future__ import annotations

import hashlib
import logging

from django.core.cache import cache
from django.http import HttpRequest

logger = logging.getLogger(__name__)

MAX_FAILURES = 5
WINDOW_SECONDS = 15 * 60


def client_address(request: HttpRequest | None) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is set by the client unless a trusted proxy
    # rewrites it, so trusting it would let anyone reset their own counter.
    if request is None:
        return "unknown"
    return request.META.get("REMOTE_ADDR") or "unknown"


def _key(username: str, address: str) -> str:
    # Hashed so that arbitrary usernames cannot produce invalid cache keys.
    raw = f"{username.strip().lower()}\n{address}".encode()
    return "login-failures:" + hashlib.sha256(raw).hexdigest()


def failures(username: str, address: str) -> int:
    return int(cache.get(_key(username, address), 0))


def is_locked(username: str, address: str) -> bool:
    return failures(username, address) >= MAX_FAILURES


def record_failure(username: str, address: str) -> int:
    """Count one failure; the window starts at the first failure, not the last."""
    key = _key(username, address)
    cache.add(key, 0, WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:
        # The entry expired between add and incr; start a new window.
        cache.set(key, 1, WINDOW_SECONDS)
        count = 1
    if count >= MAX_FAILURES:
        logger.warning(
            "Sign-in locked after %d failures",
            count,
            extra={"address": address},
        )
    return count


def reset(username: str, address: str) -> None:
    cache.delete(_key(username, address))
