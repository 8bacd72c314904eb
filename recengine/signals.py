"""Row changes that in-process caches of serving must hear about."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from recengine.api.auth import KEYS
from recengine.models import Anchor, ApiKey, BroadcastSession, LiveRoom, Product, Viewer
from recengine.serving import viewers
from recengine.serving.catalogue_index import catalogue_changed


def _keys_changed(**_kwargs) -> None:
    KEYS.changed()


def _viewer_saved(instance, created=False, **_kwargs) -> None:
    # A new viewer's key is looked up when first asked for; only a switch that is
    # off can change what a process holds.
    if not (created and instance.personalization_enabled):
        viewers.switches_changed()


def _viewer_deleted(**_kwargs) -> None:
    viewers.keys_changed()
    viewers.switches_changed()


def _catalogue_changed(**_kwargs) -> None:
    catalogue_changed()


# Bulk writes send no signal; the catalogue upsert announces its own, and serving
# reloads at least every ``CATALOGUE_MAX_SECONDS`` whatever the marker says.
CATALOGUE = (Anchor, LiveRoom, Product, BroadcastSession)


def connect() -> None:
    post_save.connect(_viewer_saved, sender=Viewer, dispatch_uid="viewer-saved")
    post_delete.connect(_viewer_deleted, sender=Viewer, dispatch_uid="viewer-deleted")
    for signal in (post_save, post_delete):
        signal.connect(_keys_changed, sender=ApiKey, dispatch_uid="keys-changed")
        for model in CATALOGUE:
            signal.connect(
                _catalogue_changed,
                sender=model,
                dispatch_uid=f"catalogue-changed-{model.__name__}",
            )
