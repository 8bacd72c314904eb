"""Publishing policy versions and building the snapshot serving obeys.

``publish_policy`` is called inside the transaction of the change that caused it, so
a version exists exactly when its change does. The version number comes from one
locked row, which makes versions commit in the order of their numbers; after the
commit the number is written to the cache marker that serving reads on every
request. ``build_snapshot`` merges what every source in ``settings.POLICY_SOURCES``
contributes.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from recengine import markers
from recengine.governance.policy import PolicyPart, PolicySnapshot

logger = logging.getLogger(__name__)

POLICY_VERSION_KEY = markers.register("policy:version")
# Long enough to outlive any quiet period; a missing marker only costs a DB read.
MARKER_SECONDS = 7 * 24 * 3600


def publish_policy(*, actor, reason: str, clause: str) -> int:
    """Record a new policy version in the caller's transaction; announce on commit."""
    # Imported late: serving imports this module before the app registry is ready.
    from recengine.trust.models import PolicyHead, PolicyVersion

    with transaction.atomic():
        head = _locked_head(PolicyHead)
        head.version += 1
        head.save(update_fields=["version"])
        PolicyVersion.objects.create(
            version=head.version,
            published_at=timezone.now(),
            published_by=actor if getattr(actor, "pk", None) else None,
            reason=reason[:500],
            clause=clause,
        )

    version = head.version
    transaction.on_commit(lambda: announce(version))
    logger.info("policy published", extra={"version": version, "clause": clause})
    return version


def _locked_head(model):
    head = model.objects.select_for_update().filter(pk=1).first()
    if head is not None:
        return head
    # The first publish creates the row; a concurrent first publish loses the
    # race on the primary key and then finds the row the winner created.
    try:
        with transaction.atomic():
            model.objects.create(pk=1, version=0)
    except IntegrityError:
        pass
    return model.objects.select_for_update().get(pk=1)


def current_version() -> int:
    """The newest committed version, from the database."""
    from recengine.trust.models import PolicyHead

    version = PolicyHead.objects.filter(pk=1).values_list("version", flat=True).first()
    return int(version or 0)


def announce(version: int) -> None:
    """Tell every serving process through the cache marker; never go backwards."""
    from django.core.cache import cache

    try:
        marker = cache.get(POLICY_VERSION_KEY)
        if marker is None or int(marker) < version:
            markers.write(POLICY_VERSION_KEY, version, MARKER_SECONDS)
    except Exception:
        # Serving confirms against the database every few seconds, so a lost
        # marker delays the version by that much and never serves an older one.
        logger.warning("policy marker not written", exc_info=True)


def build_snapshot(version: int) -> PolicySnapshot:
    """Merge the parts of every configured source into one frozen snapshot."""
    parts = [import_string(path)() for path in settings.POLICY_SOURCES]
    return merge(version, parts)


def merge(version: int, parts: list[PolicyPart]) -> PolicySnapshot:
    merged = PolicyPart()
    for part in parts:
        for name in _SET_FIELDS:
            getattr(merged, name).update(getattr(part, name))
        _keep(merged.credit_multiplier, part.credit_multiplier, min)
        _keep(merged.exposure_cap, part.exposure_cap, min)
        _keep(merged.quality_boost, part.quality_boost, max)
        for key, labels in part.labels.items():
            merged.labels[key] = merged.labels.get(key, ()) + tuple(labels)
        merged.valid_until = min(merged.valid_until, part.valid_until)
        for name in _GATE_FIELDS:
            _narrow(merged, name, getattr(part, name))

    frozen = {name: frozenset(getattr(merged, name)) for name in _SET_FIELDS}
    for name in _GATE_FIELDS:
        gate = getattr(merged, name)
        frozen[name] = None if gate is None else frozenset(gate)
    return PolicySnapshot(
        version=version,
        credit_multiplier=dict(merged.credit_multiplier),
        exposure_cap=dict(merged.exposure_cap),
        quality_boost=dict(merged.quality_boost),
        labels=dict(merged.labels),
        valid_until=merged.valid_until,
        **frozen,
    )


_SET_FIELDS = (
    "blocked_anchors",
    "blocked_merchants",
    "blocked_products",
    "blocked_rooms",
    "keyword_blocked_rooms",
    "keyword_blocked_products",
    "unreviewed_rooms",
    "unreviewed_products",
)


_GATE_FIELDS = ("screened_rooms", "screened_products")


def _narrow(merged: PolicyPart, name: str, allowed: set[int] | None) -> None:
    if allowed is None:
        return
    current = getattr(merged, name)
    setattr(merged, name, set(allowed) if current is None else current & allowed)


def _keep(into: dict, values: dict, pick) -> None:
    for key, value in values.items():
        into[key] = pick(into[key], value) if key in into else value
