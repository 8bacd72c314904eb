"""Viewer rights (clause 6.3): every change a viewer makes to what the engine
holds about them goes through one function here, with its history.

- Deleting a tag (6.3.2) removes it from the profile and leaves a
  ``TagSuppression``: the events behind the tag up to that moment no longer count
  when tags are derived (``services.interests``) or the engine is trained
  (``engine.state``), and until a model trained after the deletion serves, the
  serving process takes the tag out of the viewer's personal signals
  (``engine.forgetting``). The suppression is kept, so the tag returns only from
  behaviour after the deletion; there is no time limit on it.
- Switching personalisation (6.3.1) is a field of the viewer with its history;
  the very next request reads it.
- "Not interested" (6.3.3) is an event in the append-only log, written through
  ``serving.log_events`` so this process's engine obeys at once; other serving
  processes bring it in from the log on their next request (``engine.feedback``).
- Exporting "my data" records each download.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import uuid

from django.contrib.auth import get_user_model
from django.db import transaction

from recengine.engine.feedback import bump_marker as feedback_marker
from recengine.engine.forgetting import bump_marker
from recengine.models import (
    DataExport,
    Event,
    EventKind,
    LiveRoom,
    Product,
    Scene,
    TagSuppression,
    Viewer,
    ViewerInterest,
)
from recengine.serving.event_rows import new_event

logger = logging.getLogger(__name__)

TAG_DELETED = "viewer deleted an interest tag (clause 6.3.2)"
SWITCHED_ON = "viewer switched personalisation on (clause 6.3.1)"
SWITCHED_OFF = "viewer switched personalisation off (clause 6.3.1)"
BANNED_PURGED = "sensitive tag purged from a viewer (clause 6.3.2, PIPL Art. 28)"
ITEM_KINDS = ("live_room", "product")


class RightsError(ValueError):
    """A request the rights services refuse; nothing was changed."""


def _stamp(instance, actor, reason: str) -> None:
    instance._change_reason = reason
    if isinstance(actor, get_user_model()):
        instance._history_user = actor


# -- tags (6.3.2) --------------------------------------------------------------


@transaction.atomic
def delete_tag(
    *, actor, viewer: Viewer, interest_id: int, now: dt.datetime
) -> TagSuppression:
    """Forget one of the viewer's tags; ``ViewerInterest.DoesNotExist`` when the
    viewer holds no such tag (another viewer's id included)."""
    interest = viewer.interests.select_related("tag").get(pk=interest_id)
    suppression = _forget(interest, actor, now)
    transaction.on_commit(bump_marker)
    bump_marker()
    return suppression


@transaction.atomic
def delete_all_tags(*, actor, viewer: Viewer, now: dt.datetime) -> int:
    interests = list(viewer.interests.select_related("tag"))
    for interest in interests:
        _forget(interest, actor, now)
    transaction.on_commit(bump_marker)
    bump_marker()
    logger.info("all tags deleted", extra={"viewer": viewer.pk, "n": len(interests)})
    return len(interests)


def _forget(interest: ViewerInterest, actor, now: dt.datetime) -> TagSuppression:
    suppression = TagSuppression.objects.filter(
        viewer_id=interest.viewer_id, tag_id=interest.tag_id
    ).first() or TagSuppression(viewer_id=interest.viewer_id, tag_id=interest.tag_id)
    suppression.suppressed_at = now
    _stamp(suppression, actor, TAG_DELETED)
    suppression.save()

    _stamp(interest, actor, TAG_DELETED)
    interest.delete()
    logger.info(
        "interest tag deleted",
        extra={"viewer": interest.viewer_id, "tag": interest.tag_id},
    )
    return suppression


# -- personalisation (6.3.1) ---------------------------------------------------


@transaction.atomic
def set_personalization(*, actor, viewer: Viewer, enabled: bool) -> Viewer:
    """Switch; a switch to the current state changes and records nothing."""
    viewer = Viewer.objects.select_for_update().get(pk=viewer.pk)
    if viewer.personalization_enabled == enabled:
        return viewer
    viewer.personalization_enabled = enabled
    _stamp(viewer, actor, SWITCHED_ON if enabled else SWITCHED_OFF)
    viewer.save(update_fields=["personalization_enabled"])
    logger.info("personalisation switched", extra={"viewer": viewer.pk, "on": enabled})
    return viewer


def personalization_history(viewer: Viewer) -> list[dict]:
    """Every switch, newest first: when, who, old and new state."""
    rows = list(
        viewer.history.order_by("history_date", "history_id").values(
            "history_date",
            "history_user__username",
            "personalization_enabled",
            "history_change_reason",
        )
    )
    switches = []
    for before, after in zip(rows, rows[1:], strict=False):
        if before["personalization_enabled"] == after["personalization_enabled"]:
            continue
        switches.append(
            {
                "at": after["history_date"],
                "by": after["history_user__username"] or "",
                "old": before["personalization_enabled"],
                "new": after["personalization_enabled"],
            }
        )
    return switches[::-1]


# -- "not interested" (6.3.3) --------------------------------------------------


def resolve_item(external_id: str, kind: str | None) -> LiveRoom | Product:
    """The live room or product a served item id names; ``kind`` settles an id
    both catalogues use."""
    if kind is not None and kind not in ITEM_KINDS:
        raise RightsError(f"item_kind must be one of {', '.join(ITEM_KINDS)}")
    found = []
    if kind in (None, "live_room"):
        found += list(LiveRoom.objects.filter(external_id=external_id))
    if kind in (None, "product"):
        found += list(Product.objects.filter(external_id=external_id))
    if not found:
        raise RightsError(f"no live room or product has the id {external_id!r}")
    if len(found) > 1:
        raise RightsError("both a live room and a product have this id: give item_kind")
    return found[0]


def record_not_interested(
    *, actor, viewer: Viewer, item: LiveRoom | Product, now: dt.datetime
) -> Event:
    """Log the feedback and fold it into this process's engine at once."""
    from recengine.serving import log_events  # serving loads the numeric stack

    is_room = isinstance(item, LiveRoom)
    event = new_event(
        event_id=f"ni-{uuid.uuid4().hex}",
        kind=EventKind.NOT_INTERESTED,
        occurred_at=now,
        viewer_id=viewer.pk,
        room_id=item.pk if is_room else None,
        product_id=None if is_room else item.pk,
        anchor_id=item.anchor_id if is_room else None,
        scene=Scene.LIVE_FEED if is_room else Scene.PRODUCT_FEED,
    )
    with transaction.atomic():
        log_events([event])
        transaction.on_commit(feedback_marker)
    logger.info(
        "not interested recorded",
        extra={"viewer": viewer.pk, "item": item.pk, "by": getattr(actor, "pk", None)},
    )
    return event


def feedback_history(viewer: Viewer, limit: int = 500) -> list[dict]:
    rows = (
        Event.objects.filter(viewer=viewer, kind=EventKind.NOT_INTERESTED)
        .order_by("-occurred_at")
        .values(
            "occurred_at",
            "room__external_id",
            "room__title",
            "product__external_id",
            "product__title",
        )[:limit]
    )
    return [
        {
            "at": row["occurred_at"],
            "item_kind": "live_room" if row["room__external_id"] else "product",
            "item": row["room__external_id"] or row["product__external_id"],
            "title": row["room__title"] or row["product__title"] or "",
        }
        for row in rows
    ]


# -- my data -------------------------------------------------------------------


@transaction.atomic
def export_data(*, actor, viewer: Viewer, now: dt.datetime) -> dict:
    """Everything a viewer may take away, as JSON-ready data, and its record."""
    data = {
        "generated_at": now.isoformat(),
        "viewer": {
            "region": viewer.region,
            "spending_level": viewer.spending_level,
        },
        "interest_tags": [
            {
                "tag": interest.tag.code,
                "name": interest.tag.name_zh,
                "weight": interest.weight,
                "source": interest.source,
                "example": interest.example,
                "updated_at": interest.updated_at.isoformat(),
            }
            for interest in viewer.interests.select_related("tag").order_by("-weight")
        ],
        "deleted_tags": [
            {"tag": code, "deleted_at": at.isoformat()}
            for code, at in viewer.tag_suppressions.values_list(
                "tag__code", "suppressed_at"
            )
        ],
        "consent": {
            "personalization_enabled": viewer.personalization_enabled,
            "history": [
                {**row, "at": row["at"].isoformat()}
                for row in personalization_history(viewer)
            ],
        },
        "feedback": [
            {**row, "at": row["at"].isoformat()} for row in feedback_history(viewer)
        ],
    }
    digest = hashlib.sha256(
        json.dumps(data, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()
    DataExport.objects.create(
        viewer=viewer,
        exported_at=now,
        requested_by=actor if isinstance(actor, get_user_model()) else None,
        sha256=digest,
    )
    return data


# -- banned tags (staff) -------------------------------------------------------


def banned_tag_holdings():
    """Every viewer interest on a sensitive tag: must always be empty."""
    return ViewerInterest.objects.filter(tag__is_sensitive=True).select_related(
        "tag", "viewer"
    )


@transaction.atomic
def purge_banned_tags(*, actor) -> int:
    holdings = list(banned_tag_holdings().select_for_update())
    for interest in holdings:
        _stamp(interest, actor, BANNED_PURGED)
        interest.delete()
    if holdings:
        logger.warning("sensitive tags purged", extra={"rows": len(holdings)})
    return len(holdings)
