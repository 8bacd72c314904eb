"""Liveness and readiness probe for load balancers and compose health checks.

It answers without a login and reveals nothing but which dependency failed: the
details go to the log, not to whoever is probing.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

OK = "ok"
FAILED = "failed"


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone() != (1,):
            raise RuntimeError("the database answered SELECT 1 with something else")


def check_cache() -> None:
    # A fresh value each time, so a stale key from an earlier probe cannot pass.
    key = "healthz:probe"
    token = uuid.uuid4().hex
    cache.set(key, token, timeout=30)
    if cache.get(key) != token:
        raise RuntimeError("the cache did not return the value just written")


def _checks() -> dict[str, Callable[[], None]]:
    checks: dict[str, Callable[[], None]] = {"database": check_database}
    # The in-process cache of the embedded run cannot fail on its own; Redis can.
    if getattr(settings, "REDIS", None):
        checks["cache"] = check_cache
    return checks


def _run(name: str, check: Callable[[], None]) -> str:
    try:
        check()
    except Exception:
        logger.exception("Health check %s failed", name, extra={"check": name})
        return FAILED
    return OK


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    results = {name: _run(name, check) for name, check in _checks().items()}
    healthy = all(result == OK for result in results.values())
    return JsonResponse(
        {"status": OK if healthy else FAILED, "checks": results},
        status=200 if healthy else 503,
    )
