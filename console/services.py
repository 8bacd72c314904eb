"""State changes the console makes on engine data, each with its history record."""

from __future__ import annotations

import logging

from django.db import transaction

from recengine.models import Viewer

logger = logging.getLogger(__name__)


@transaction.atomic
def link_viewer_account(*, actor, viewer: Viewer, user, reason: str) -> Viewer:
    """Give a sign-in account to a viewer so that the portal can show their data."""
    locked = Viewer.objects.select_for_update().get(pk=viewer.pk)
    if locked.user_id == user.pk:
        return locked
    if locked.user_id is not None:
        raise ValueError("This viewer is already linked to another account.")

    locked.user = user
    locked._history_user = actor
    locked._change_reason = reason
    locked.save(update_fields=["user"])

    logger.info(
        "Viewer linked to an account",
        extra={"viewer": locked.pk, "user": user.pk},
    )
    return locked
