"""Celery tasks of the learned engine: training registers a candidate only;
putting it into service stays a person's decision (clause 8.2.2)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from recengine.engine.pipeline import DEFAULT_DAYS, train

logger = logging.getLogger(__name__)


@shared_task(name="recengine.retrain_engine")
def retrain_engine(until: str | None = None, days: int = DEFAULT_DAYS) -> str:
    """Train on the window ending at ``until`` (ISO; default now); returns the version.

    A redelivered task trains a second candidate of the same window, which is
    harmless: candidates never serve until someone activates one.
    """
    moment = parse_datetime(until) if until else timezone.now()
    if moment is None:
        raise ValueError(f"until must be an ISO date-time, got {until!r}")
    result = train(moment, days)
    logger.info(
        "nightly engine candidate registered",
        extra={"model": result.model.version, "seconds": round(result.seconds, 1)},
    )
    return result.model.version
