"""Row-by-row validation shared by the catalogue and event intake.

A batch is checked whole before anything is written: every bad row is reported with
its index, field and reason, and the batch is refused if any row is bad.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.dateparse import parse_datetime


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    message: str

    def as_dict(self) -> dict[str, object]:
        return {"row": self.row, "field": self.field, "message": self.message}


class BatchRejected(Exception):
    """Nothing of the batch was written; ``errors`` says why, row by row."""

    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len(errors)} invalid row(s); nothing was written")
        self.errors = errors


class FieldInvalid(ValueError):
    pass


Parser = Callable[[Any], Any]


@dataclass(frozen=True)
class Field:
    name: str
    parse: Parser
    required: bool = True
    default: Any = None


def text(max_length: int, *, allow_blank: bool = True) -> Parser:
    def parse(value: Any) -> str:
        if not isinstance(value, str):
            raise FieldInvalid("must be a string")
        value = value.strip()
        if not value and not allow_blank:
            raise FieldInvalid("must not be blank")
        if len(value) > max_length:
            raise FieldInvalid(f"must be at most {max_length} characters")
        return value

    return parse


def identifier(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    return text(64, allow_blank=False)(value)


def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise FieldInvalid("must be true or false")
    return value


def decimal(*, places: int = 2, maximum: Decimal | None = None) -> Parser:
    def parse(value: Any) -> Decimal:
        if isinstance(value, bool) or not isinstance(
            value, int | float | str | Decimal
        ):
            raise FieldInvalid("must be a number")
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise FieldInvalid("must be a number") from None
        if not number.is_finite() or number < 0:
            raise FieldInvalid("must be a non-negative number")
        if maximum is not None and number > maximum:
            raise FieldInvalid(f"must be at most {maximum}")
        return number.quantize(Decimal(1).scaleb(-places))

    return parse


def number(*, minimum: float = 0.0, maximum: float | None = None) -> Parser:
    def parse(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise FieldInvalid("must be a number")
        if value != value or value < minimum:  # NaN compares unequal to itself
            raise FieldInvalid(f"must be a number of at least {minimum}")
        if maximum is not None and value > maximum:
            raise FieldInvalid(f"must be at most {maximum}")
        return float(value)

    return parse


def integer(*, minimum: int = 0, maximum: int = 2**31 - 1) -> Parser:
    def parse(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise FieldInvalid("must be an integer")
        if not minimum <= value <= maximum:
            raise FieldInvalid(f"must be between {minimum} and {maximum}")
        return value

    return parse


def timestamp(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, str):
        parsed = parse_datetime(value)
        if parsed is None:
            raise FieldInvalid("must be an ISO 8601 date-time")
    else:
        raise FieldInvalid("must be an ISO 8601 date-time")
    if parsed.tzinfo is None:
        raise FieldInvalid("must include a time zone offset")
    return parsed


def choice(options: Iterable[str]) -> Parser:
    allowed = sorted(options)

    def parse(value: Any) -> str:
        if value not in allowed:
            raise FieldInvalid(f"must be one of {', '.join(allowed)}")
        return value

    return parse


def mapping(value: Any) -> dict:
    if not isinstance(value, dict):
        raise FieldInvalid("must be an object")
    return value


def id_list(value: Any) -> list[str]:
    if not isinstance(value, list):
        raise FieldInvalid("must be a list of ids")
    return [identifier(item) for item in value]


def clean_rows(
    rows: Any, fields: list[Field], *, max_rows: int | None = None
) -> tuple[list[dict[str, Any]], list[RowError]]:
    """Parse every row against ``fields``; unknown keys are errors, never dropped."""
    if not isinstance(rows, list):
        return [], [RowError(-1, "rows", "must be a list of objects")]
    if not rows:
        return [], [RowError(-1, "rows", "the batch is empty")]
    if max_rows is not None and len(rows) > max_rows:
        return [], [RowError(-1, "rows", f"at most {max_rows} rows per batch")]

    known = {field.name for field in fields}
    cleaned, errors = [], []
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            errors.append(RowError(index, "", "must be an object"))
            continue
        errors += [
            RowError(index, key, "unknown field") for key in row if key not in known
        ]
        cleaned.append(_clean_row(index, row, fields, errors))
    return cleaned, errors


def _clean_row(index: int, row: dict, fields: list[Field], errors: list[RowError]):
    values: dict[str, Any] = {}
    for field in fields:
        raw = row.get(field.name)
        if raw is None:
            if field.required:
                errors.append(RowError(index, field.name, "is required"))
            values[field.name] = field.default
            continue
        try:
            values[field.name] = field.parse(raw)
        except FieldInvalid as problem:
            errors.append(RowError(index, field.name, str(problem)))
    return values


def repeated_keys(rows: list[dict[str, Any]], key: str) -> list[RowError]:
    seen: dict[Any, int] = {}
    errors = []
    for index, row in enumerate(rows):
        value = row.get(key)
        if value is None:
            continue
        if value in seen:
            errors.append(
                RowError(index, key, f"repeats row {seen[value]} of this batch")
            )
        seen.setdefault(value, index)
    return errors


def resolve(
    rows: list[dict[str, Any]], key: str, lookup: dict[str, int], errors: list[RowError]
) -> None:
    """Replace external ids in ``key`` by primary keys, reporting unknown ones."""
    for index, row in enumerate(rows):
        value = row.get(key)
        if value is None:
            continue
        if isinstance(value, list):
            missing = [item for item in value if item not in lookup]
            for item in missing:
                errors.append(RowError(index, key, f"unknown id {item!r}"))
            row[key] = [lookup[item] for item in value if item in lookup]
        elif value in lookup:
            row[key] = lookup[value]
        else:
            errors.append(RowError(index, key, f"unknown id {value!r}"))
