"""The single write path of the event log.

``ingest_events`` validates a platform batch row by row and writes all of it or
nothing; ``append_events`` is the write underneath, shared with the serving layer
(exposures) and the simulator. Both are idempotent by ``event_id``: a retried batch
adds nothing twice, even when two retries race (the insert skips conflicting ids).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from recengine.models import (
    Anchor,
    Event,
    EventKind,
    LiveRoom,
    Product,
    Scene,
    ShortVideo,
    Viewer,
)
from recengine.pseudonym import pseudonym_for
from recengine.services.rows import (
    BatchRejected,
    Field,
    RowError,
    choice,
    clean_rows,
    decimal,
    identifier,
    integer,
    number,
    repeated_keys,
    resolve,
    text,
    timestamp,
)

logger = logging.getLogger(__name__)

KIND_BY_NAME = {kind.name.lower(): kind.value for kind in EventKind}
# Clocks of a platform's hosts drift; beyond this an event "from the future" is a bug.
FUTURE_TOLERANCE = dt.timedelta(minutes=5)
# SQLite allows 32766 parameters per statement; 18 columns x 1500 rows stays below.
INSERT_BATCH = 1500
LOOKUP_BATCH = 5000

FIELDS = [
    Field("event_id", identifier),
    Field("kind", choice(KIND_BY_NAME)),
    Field("occurred_at", timestamp),
    Field("viewer", identifier),
    Field("room", identifier, required=False),
    Field("product", identifier, required=False),
    Field("anchor", identifier, required=False),
    Field("short_video", identifier, required=False),
    Field("scene", choice(Scene.values), required=False, default=""),
    Field("position", integer(maximum=10_000), required=False),
    Field("strategy", text(24), required=False, default=""),
    Field("model_version", text(40), required=False, default=""),
    Field("policy_version", integer(), required=False),
    Field("request_id", text(40), required=False, default=""),
    Field("dwell_seconds", number(maximum=86_400), required=False),
    Field("amount", decimal(maximum=Decimal("9999999999.99")), required=False),
    Field("quantity", integer(minimum=1), required=False),
    Field("text", text(500), required=False, default=""),
]

REFERENCES = {
    "room": LiveRoom,
    "product": Product,
    "anchor": Anchor,
    "short_video": ShortVideo,
}

# Kinds a field means something for; on any other kind the field is refused.
ONLY_FOR = {"quantity": ("order",)}

# What each kind of event must name to mean anything.
NEEDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "impression": (("room", "product"),),
    "click": (("room", "product"),),
    "dwell": (("room", "product"), ("dwell_seconds",)),
    "like": (("room", "product", "short_video"),),
    "comment": (("room", "product", "short_video"), ("text",)),
    "follow": (("anchor", "room"),),
    "add_to_cart": (("product",),),
    "order": (("product",), ("amount",)),
    "gift": (("room", "anchor"),),
    "not_interested": (("room", "product", "anchor", "short_video"),),
    "short_video_view": (("short_video",),),
}


@dataclass(frozen=True)
class IngestResult:
    received: int
    inserted: int
    duplicates: int

    def as_dict(self) -> dict[str, int]:
        return {
            "received": self.received,
            "inserted": self.inserted,
            "duplicates": self.duplicates,
        }


def ingest_events(rows: Any, *, now: dt.datetime | None = None) -> IngestResult:
    """Validate a platform batch and append it; raises ``BatchRejected`` if any row
    is bad, in which case nothing is written."""
    now = now or timezone.now()
    cleaned, errors = clean_rows(rows, FIELDS, max_rows=settings.EVENT_BATCH_MAX_ROWS)
    errors += repeated_keys(cleaned, "event_id")
    errors += _meaning_errors(cleaned, now)
    _resolve_viewers(cleaned, errors)
    for name, model in REFERENCES.items():
        resolve(cleaned, name, _external_ids(model, cleaned, name), errors)
    if errors:
        raise BatchRejected(sorted(errors, key=lambda error: error.row))

    events = [_event(row) for row in cleaned]
    fresh = append_new_events(events)
    # Imported here: serving sits above the write path and imports it. A retried
    # batch folds nothing twice into the viewers' session interests.
    from recengine import serving

    transaction.on_commit(lambda: serving.observe(fresh))
    return IngestResult(len(events), len(fresh), len(events) - len(fresh))


def _meaning_errors(rows: list[dict], now: dt.datetime) -> list[RowError]:
    errors = []
    for index, row in enumerate(rows):
        occurred = row.get("occurred_at")
        if occurred and occurred > now + FUTURE_TOLERANCE:
            errors.append(RowError(index, "occurred_at", "is in the future"))
        for alternatives in NEEDS.get(row.get("kind"), ()):
            if not any(row.get(name) not in (None, "") for name in alternatives):
                names = " or ".join(alternatives)
                errors.append(
                    RowError(index, alternatives[0], f"{row['kind']} needs {names}")
                )
        for name, kinds in ONLY_FOR.items():
            kind = row.get("kind")
            if row.get(name) is not None and kind is not None and kind not in kinds:
                allowed = " or ".join(kinds)
                errors.append(RowError(index, name, f"is only for {allowed} events"))
    return errors


def _resolve_viewers(rows: list[dict], errors: list[RowError]) -> None:
    for row in rows:
        if row.get("viewer") is not None:
            row["viewer"] = pseudonym_for(row["viewer"])
    pseudonyms = {row["viewer"] for row in rows if row.get("viewer")}
    lookup = dict(
        Viewer.objects.filter(pseudonym__in=pseudonyms).values_list("pseudonym", "pk")
    )
    for index, row in enumerate(rows):
        value = row.get("viewer")
        if value is None:
            continue
        if value not in lookup:
            errors.append(RowError(index, "viewer", "unknown viewer: upsert it first"))
        else:
            row["viewer"] = lookup[value]


def _external_ids(model, rows: list[dict], name: str) -> dict[str, int]:
    wanted = {row[name] for row in rows if isinstance(row.get(name), str)}
    if not wanted:
        return {}
    return dict(
        model.objects.filter(external_id__in=wanted).values_list("external_id", "pk")
    )


def _event(row: dict) -> Event:
    return Event(
        event_id=row["event_id"],
        kind=KIND_BY_NAME[row["kind"]],
        occurred_at=row["occurred_at"],
        viewer_id=row["viewer"],
        room_id=row.get("room"),
        product_id=row.get("product"),
        anchor_id=row.get("anchor"),
        short_video_id=row.get("short_video"),
        scene=row["scene"],
        position=row.get("position"),
        strategy=row["strategy"],
        model_version=row["model_version"],
        policy_version=row.get("policy_version"),
        request_id=row["request_id"],
        dwell_seconds=row.get("dwell_seconds"),
        amount=row.get("amount"),
        quantity=row.get("quantity"),
        text=row["text"],
    )


@transaction.atomic
def append_events(events: Sequence[Event]) -> int:
    """Append events whose ``event_id`` is not stored yet; returns how many were new.

    The insert itself skips stored ids and counts what it added, so the hot path
    (exposures, replays) asks the database nothing beforehand.
    """
    if not events:
        return 0
    return _write(events)


@transaction.atomic
def append_new_events(events: Sequence[Event]) -> list[Event]:
    """Like ``append_events``, returning the events that were new.

    The list is exact unless another writer stores the same ids at the same moment;
    then the database skips the conflicting rows and they are listed here.
    """
    if not events:
        return []
    stored = _stored_ids([event.event_id for event in events])
    fresh = [event for event in events if event.event_id not in stored]
    written = _write(fresh)
    logger.debug("appended events", extra={"new": written, "seen": len(stored)})
    return fresh


def _write(events: Sequence[Event]) -> int:
    """Insert, skipping ids already stored; returns the rows inserted."""
    if connection.vendor == "postgresql":
        return _copy_insert(events)
    return sum(
        _insert(events[start : start + INSERT_BATCH])
        for start in range(0, len(events), INSERT_BATCH)
    )


def _insert(events: Sequence[Event]) -> int:
    """One multi-row INSERT that skips ids stored meanwhile (SQLite and PostgreSQL).

    Django's bulk_create spends most of its time compiling SQL per row; the log is the
    hottest write path of the platform, so its values are adapted here directly.
    """
    columns = _insert_columns()
    names = ", ".join(connection.ops.quote_name(field.column) for field, _ in columns)
    row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    table = connection.ops.quote_name(Event._meta.db_table)
    values = ", ".join([row] * len(events))
    # Only quoted identifiers and placeholders are formatted in; values are parameters.
    sql = f"INSERT INTO {table} ({names}) VALUES {values} ON CONFLICT (event_id) DO NOTHING"  # noqa: S608, E501
    params = [
        adapt(getattr(event, field.attname))
        for event in events
        for field, adapt in columns
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _copy_insert(events: Sequence[Event]) -> int:
    """PostgreSQL: COPY into a staging table, then one INSERT ... SELECT that skips
    stored ids. COPY streams rows without building a huge statement per batch."""
    columns = [field for field, _ in _insert_columns()]
    names = ", ".join(connection.ops.quote_name(field.column) for field in columns)
    table = connection.ops.quote_name(Event._meta.db_table)
    with connection.cursor() as cursor:
        # Identifiers only; the staging table lives until the transaction ends.
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS event_stage ON COMMIT DROP AS "  # noqa: S608
            f"SELECT {names} FROM {table} WITH NO DATA"
        )
        with cursor.cursor.copy(f"COPY event_stage ({names}) FROM STDIN") as copy:
            for event in events:
                copy.write_row([getattr(event, field.attname) for field in columns])
        cursor.execute(
            f"INSERT INTO {table} ({names}) SELECT {names} FROM event_stage "  # noqa: S608
            f"ON CONFLICT (event_id) DO NOTHING"
        )
        inserted = cursor.rowcount
        cursor.execute("TRUNCATE event_stage")
    return inserted


def _insert_columns() -> list[tuple[models.Field, Any]]:
    ops = connection.ops

    def adapter(field: models.Field):
        if isinstance(field, models.DateTimeField):
            return ops.adapt_datetimefield_value
        if isinstance(field, models.DecimalField):
            return lambda value: ops.adapt_decimalfield_value(
                value, field.max_digits, field.decimal_places
            )
        return _same

    return [
        (field, adapter(field))
        for field in Event._meta.concrete_fields
        if not field.primary_key
    ]


def _same(value: Any) -> Any:
    return value


def _stored_ids(ids: list[str]) -> set[str]:
    stored: set[str] = set()
    for start in range(0, len(ids), LOOKUP_BATCH):
        chunk = ids[start : start + LOOKUP_BATCH]
        stored.update(
            Event.objects.filter(event_id__in=chunk).values_list("event_id", flat=True)
        )
    return stored


__all__ = ["BatchRejected", "IngestResult", "append_events", "ingest_events"]
