"""Catalogue upserts from the adopting platform: viewers, anchors, merchants,
products, live rooms and broadcast sessions (going live and offline).

One entry point, ``upsert_catalogue``, validates a whole batch row by row, resolves
external ids in one query per referenced table, and writes all of it or nothing.
The API and the simulator both come through here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.files.storage import default_storage
from django.db import models, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from recengine.models import (
    Anchor,
    BroadcastSession,
    Category,
    LiveRoom,
    Merchant,
    Product,
    Region,
    SpendingLevel,
    Viewer,
)
from recengine.pseudonym import pseudonym_for
from recengine.services.rows import (
    BatchRejected,
    Field,
    FieldInvalid,
    RowError,
    boolean,
    choice,
    clean_rows,
    decimal,
    id_list,
    identifier,
    mapping,
    repeated_keys,
    resolve,
    text,
    timestamp,
)
from recengine.serving.catalogue_index import catalogue_changed

logger = logging.getLogger(__name__)

MAX_CATALOGUE_ROWS = 10_000
WRITE_BATCH = 1000


@dataclass(frozen=True)
class UpsertResult:
    created: int
    updated: int


def _media_path(value: Any) -> str:
    path = text(200, allow_blank=False)(value)
    if path.startswith("/") or ".." in path.split("/"):
        raise FieldInvalid("must be a relative path inside the media store")
    if not default_storage.exists(path):
        raise FieldInvalid("names no stored file")
    return path


def _registered() -> Field:
    """When the platform registered the entity; only a new row takes it, and the
    moment of the upsert stands in when the platform does not say."""
    return Field("created_at", timestamp, required=False)


@dataclass(frozen=True)
class Kind:
    model: type[models.Model]
    fields: list[Field]
    key: str = "external_id"
    # field name -> (model, lookup field) of what the external id points at
    references: dict[str, tuple[type[models.Model], str]] = field(default_factory=dict)
    checks: tuple[Callable[[list[dict]], list[RowError]], ...] = ()


KINDS: dict[str, Kind] = {
    "viewers": Kind(
        Viewer,
        [
            Field("user_id", identifier),
            Field("region", choice(Region.values)),
            Field("spending_level", choice(SpendingLevel.values)),
            _registered(),
        ],
        key="user_id",
    ),
    "anchors": Kind(
        Anchor,
        [
            Field("external_id", identifier),
            Field("name", text(80, allow_blank=False)),
            Field("specialty", identifier, required=False),
            Field("bio", text(5000), required=False, default=""),
            Field("credentials", text(5000), required=False, default=""),
            Field("is_digital_human", boolean, required=False, default=False),
            Field("legal_identity_hash", text(64), required=False, default=""),
            Field("device_fingerprint_hash", text(64), required=False, default=""),
            _registered(),
        ],
        references={"specialty": (Category, "code")},
    ),
    "merchants": Kind(
        Merchant,
        [
            Field("external_id", identifier),
            Field("name", text(80, allow_blank=False)),
            Field("legal_identity_hash", text(64), required=False, default=""),
            Field("payment_account_hash", text(64), required=False, default=""),
            _registered(),
        ],
    ),
    "products": Kind(
        Product,
        [
            Field("external_id", identifier),
            Field("merchant", identifier),
            Field("category", identifier),
            Field("title", text(200, allow_blank=False)),
            Field("description", text(5000), required=False, default=""),
            Field("price", decimal(maximum=Decimal("99999999.99"))),
            Field("image", _media_path, required=False, default=""),
            _registered(),
        ],
        references={
            "merchant": (Merchant, "external_id"),
            "category": (Category, "code"),
        },
    ),
    "rooms": Kind(
        LiveRoom,
        [
            Field("external_id", identifier),
            Field("anchor", identifier),
            Field("merchant", identifier, required=False),
            Field("category", identifier, required=False),
            Field("title", text(200, allow_blank=False)),
            Field("virtual_background", boolean, required=False, default=False),
            Field("products", id_list, required=False, default=None),
            _registered(),
        ],
        references={
            "anchor": (Anchor, "external_id"),
            "merchant": (Merchant, "external_id"),
            "category": (Category, "code"),
            "products": (Product, "external_id"),
        },
    ),
    "sessions": Kind(
        BroadcastSession,
        [
            Field("external_id", identifier),
            Field("room", identifier),
            Field("started_at", timestamp),
            Field("ended_at", timestamp, required=False),
            Field("transcript", text(200_000), required=False, default=""),
            Field("audio_stats", mapping, required=False, default=None),
        ],
        references={"room": (LiveRoom, "external_id")},
    ),
}

_FOREIGN_KEYS = {"specialty", "merchant", "category", "anchor", "room"}


def upsert_catalogue(
    kind: str, rows: Any, *, actor=None, reason: str = ""
) -> UpsertResult:
    """Create or update catalogue rows by external id; all rows or none."""
    spec = KINDS.get(kind)
    if spec is None:
        raise ValueError(f"unknown catalogue kind {kind!r}; one of {sorted(KINDS)}")

    cleaned, errors = clean_rows(rows, spec.fields, max_rows=MAX_CATALOGUE_ROWS)
    errors += repeated_keys(cleaned, spec.key)
    for name, (model, lookup_field) in spec.references.items():
        resolve(cleaned, name, _lookup(model, lookup_field, cleaned, name), errors)
    if kind == "sessions":
        errors += _session_errors(cleaned)
    if errors:
        raise BatchRejected(sorted(errors, key=lambda error: error.row))

    result = _write(kind, spec, cleaned, actor=actor, reason=reason or f"{kind} upsert")
    catalogue_changed()
    logger.info(
        "catalogue upsert of %s: %d created, %d updated",
        kind,
        result.created,
        result.updated,
        extra={"kind": kind, "rows_created": result.created},
    )
    return result


def _lookup(
    model: type[models.Model], lookup_field: str, rows: list[dict], name: str
) -> dict[str, int]:
    wanted: set[str] = set()
    for row in rows:
        value = row.get(name)
        if isinstance(value, list):
            wanted.update(value)
        elif value is not None:
            wanted.add(value)
    if not wanted:
        return {}
    found = model.objects.filter(**{f"{lookup_field}__in": wanted})
    return dict(found.values_list(lookup_field, "pk"))


def _session_errors(rows: list[dict]) -> list[RowError]:
    errors = []
    for index, row in enumerate(rows):
        started, ended = row.get("started_at"), row.get("ended_at")
        if started and ended and ended < started:
            errors.append(RowError(index, "ended_at", "is before started_at"))
    live_rooms: dict[int, int] = {}
    for index, row in enumerate(rows):
        if row.get("ended_at") is None and isinstance(row.get("room"), int):
            if row["room"] in live_rooms:
                errors.append(RowError(index, "room", "is live twice in this batch"))
            live_rooms.setdefault(row["room"], index)
    return errors + _already_live_errors(rows, live_rooms)


def _already_live_errors(
    rows: list[dict], live_rooms: dict[int, int]
) -> list[RowError]:
    if not live_rooms:
        return []
    open_sessions = BroadcastSession.objects.filter(
        room_id__in=live_rooms, ended_at__isnull=True
    ).values_list("room_id", "external_id")
    errors = []
    for room_id, external_id in open_sessions:
        index = live_rooms[room_id]
        if rows[index]["external_id"] != external_id:
            errors.append(
                RowError(index, "room", f"is already live in session {external_id!r}")
            )
    return errors


@transaction.atomic
def _write(kind: str, spec: Kind, rows: list[dict], *, actor, reason: str):
    if kind == "viewers":
        for row in rows:
            row["pseudonym"] = pseudonym_for(row.pop("user_id"))
        key = "pseudonym"
    else:
        key = spec.key

    existing = {
        getattr(obj, key): obj
        for obj in spec.model.objects.filter(**{f"{key}__in": [r[key] for r in rows]})
    }
    now = timezone.now()
    created, updated = [], []
    for row in rows:
        products = row.pop("products", None)
        values = _model_values(row)
        obj = existing.get(row[key])
        if obj is None:
            obj = spec.model(**values)
            if spec.model is not BroadcastSession:
                obj.created_at = row.get("created_at") or now
            created.append((obj, products))
        else:
            for name, value in values.items():
                setattr(obj, name, value)
            updated.append((obj, products))

    _save(spec.model, created, updated, actor=actor, reason=reason)
    if spec.model is LiveRoom:
        _replace_room_products(created + updated)
    return UpsertResult(created=len(created), updated=len(updated))


def _model_values(row: dict) -> dict:
    values = {}
    for name, value in row.items():
        if name == "created_at":
            continue
        if name in _FOREIGN_KEYS:
            values[f"{name}_id"] = value
        elif name == "audio_stats" and value is None:
            values[name] = {}
        else:
            values[name] = value
    return values


def _save(model, created: list, updated: list, *, actor, reason: str) -> None:
    new = [obj for obj, _ in created]
    changed = [obj for obj, _ in updated]
    has_history = hasattr(model, "history")
    history_user = actor if getattr(actor, "pk", None) else None

    if new and has_history:
        bulk_create_with_history(
            new,
            model,
            batch_size=WRITE_BATCH,
            default_user=history_user,
            default_change_reason=reason,
        )
    elif new:
        model.objects.bulk_create(new, batch_size=WRITE_BATCH)

    if not changed:
        return
    fields = [
        f.name
        for f in model._meta.concrete_fields
        if not f.primary_key and f.name not in {"created_at", "pseudonym"}
    ]
    if has_history:
        bulk_update_with_history(
            changed,
            model,
            fields,
            batch_size=WRITE_BATCH,
            default_user=history_user,
            default_change_reason=reason,
        )
    else:
        model.objects.bulk_update(changed, fields, batch_size=WRITE_BATCH)


def _replace_room_products(rooms: list[tuple[LiveRoom, list[int] | None]]) -> None:
    listed = [(room, products) for room, products in rooms if products is not None]
    if not listed:
        return
    through = LiveRoom.products.through
    if any(room.pk is None for room, _ in listed):
        # bulk_create leaves pk empty on backends that cannot return ids (none we
        # support today), so fetch them rather than trusting the objects.
        ids = dict(
            LiveRoom.objects.filter(
                external_id__in=[room.external_id for room, _ in listed]
            ).values_list("external_id", "pk")
        )
        for room, _ in listed:
            room.pk = ids[room.external_id]
    through.objects.filter(liveroom_id__in=[room.pk for room, _ in listed]).delete()
    through.objects.bulk_create(
        [
            through(liveroom_id=room.pk, product_id=product_id)
            for room, products in listed
            for product_id in dict.fromkeys(products)
        ],
        batch_size=WRITE_BATCH,
    )


__all__ = ["BatchRejected", "KINDS", "RowError", "UpsertResult", "upsert_catalogue"]
