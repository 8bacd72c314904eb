"""Row changes that in-process caches of serving must hear about."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from recengine.api.auth import KEYS
from recengine.api.recommendations import VIEWERS
from recengine.models import Anchor, ApiKey, BroadcastSession, LiveRoom, Product, Viewer
from recengine.serving.catalogue_index import catalogue_changed


def _keys_changed(**_kwargs) -> None:
    KEYS.changed()


def _viewers_changed(**_kwargs) -> None:
    VIEWERS.changed()


def _catalogue_changed(**_kwargs) -> None:
    catalogue_changed()


# Bulk writes send no signal; the catalogue upsert announces its own, and serving
# reloads at least every ``CATALOGUE_MAX_SECONDS`` whatever the marker says.
CATALOGUE = (Anchor, LiveRoom, Product, BroadcastSession)


def connect() -> None:
    for signal in (post_save, post_delete):
        signal.connect(_keys_changed, sender=ApiKey, dispatch_uid="keys-changed")
        signal.connect(_viewers_changed, sender=Viewer, dispatch_uid="viewers-changed")
        for model in CATALOGUE:
            signal.connect(
                _catalogue_changed,
                sender=model,
                dispatch_uid=f"catalogue-changed-{model.__name__}",
            )
