"""Periodic trust & safety jobs; each is idempotent and safe to run twice."""

from __future__ import annotations

import logging

from celery import shared_task

from recengine.trust import services

logger = logging.getLogger(__name__)

REFRESH_TASK = "trust.refresh_policy"
SWEEP_TASK = "trust.detect_reregistrations"
QUALITY_TASK = "trust.compute_quality_scores"


@shared_task(name=REFRESH_TASK)
def refresh_policy() -> int | None:
    """Re-match keyword entries, record expiries as a policy version."""
    return services.refresh_policy()


@shared_task(name=SWEEP_TASK)
def detect_reregistrations() -> int:
    """Queue new accounts that share an identity trait with a blacklisted one."""
    opened = services.detect_reregistrations()
    logger.info("re-registration sweep", extra={"opened": len(opened)})
    return len(opened)


@shared_task(name=QUALITY_TASK)
def compute_quality_scores() -> int:
    return services.compute_quality_scores(actor=None)
