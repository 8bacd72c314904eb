"""Row changes that in-process caches of serving must hear about."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from recengine.api.auth import KEYS
from recengine.api.recommendations import VIEWERS
from recengine.models import ApiKey, Viewer


def _keys_changed(**_kwargs) -> None:
    KEYS.changed()


def _viewers_changed(**_kwargs) -> None:
    VIEWERS.changed()


def connect() -> None:
    for signal in (post_save, post_delete):
        signal.connect(_keys_changed, sender=ApiKey, dispatch_uid="keys-changed")
        signal.connect(_viewers_changed, sender=Viewer, dispatch_uid="viewers-changed")
