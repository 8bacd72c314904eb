"""Removal of a whole simulated platform, for ``simulate --replace`` only.

The event log is append-only and its queryset refuses ``delete()``; a simulated
platform is test data, not a record anyone relies on, so this one function empties
the platform tables with plain ``DELETE`` statements. Nothing else may call it.
"""

from __future__ import annotations

import logging

from django.db import connection, models

from recengine.models import (
    Anchor,
    AnchorPersona,
    BroadcastSession,
    Event,
    GroundTruth,
    LiveRoom,
    Merchant,
    Product,
    ShortVideo,
    SimulationRun,
    Viewer,
    ViewerIdentity,
    ViewerInterest,
)

logger = logging.getLogger(__name__)

# Children before parents, so no foreign key is left dangling at any statement.
PLATFORM_MODELS: list[type[models.Model]] = [
    Event,
    ViewerInterest,
    ViewerIdentity,
    BroadcastSession,
    LiveRoom.products.through,
    LiveRoom,
    ShortVideo,
    Product,
    AnchorPersona,
    Anchor,
    Merchant,
    Viewer,
    GroundTruth,
    SimulationRun,
]


class PlatformInUse(RuntimeError):
    """Rows of other tables point at the platform; deleting would orphan them."""


def _tables() -> list[str]:
    tables = []
    for model in PLATFORM_MODELS:
        tables.append(model._meta.db_table)
        history = getattr(model, "history", None)
        if history is not None:
            tables.append(history.model._meta.db_table)
    return tables


def outside_references() -> list[str]:
    """Non-empty tables of other parts of the product that reference the platform."""
    inside = set(_tables())
    found = []
    for model in PLATFORM_MODELS:
        for relation in model._meta.related_objects:
            other = relation.related_model
            if other._meta.db_table in inside:
                continue
            lookup = {f"{relation.field.name}__isnull": False}
            if other._base_manager.filter(**lookup).exists():
                found.append(f"{other._meta.label}.{relation.field.name}")
    return sorted(set(found))


def purge_simulated_platform() -> dict[str, int]:
    """Delete every platform row and its history; returns rows removed per table."""
    blocking = outside_references()
    if blocking:
        raise PlatformInUse(", ".join(blocking))
    removed = {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in _tables():
            # Table names come from model metadata, never from input.
            cursor.execute(f"DELETE FROM {quote(table)}")  # noqa: S608
            removed[table] = cursor.rowcount
    logger.info("simulated platform purged", extra={"rows": sum(removed.values())})
    return removed
