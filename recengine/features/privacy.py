"""What a feature builder may read, and a scan proving no personal data got through.

Clause 7.2 and the design's data-protection rule: every builder declares the fields
it reads as ``FIELDS = {"app.Model": ("field", "relation__field", ...)}``. An
``AllowList`` checks that declaration against the classification grades of
``recengine.classification`` when the builder module is imported, and afterwards
reads the database only through it, so a builder cannot read a field it did not
declare. Pseudonymous behaviour (viewer keys, events) is allowed; sensitive
personal information is not, nor is any field of a model that holds some (the
identity store as a whole), nor anything ungraded or outside our apps.

``scan_for_personal_data`` is the independent check on the outputs: it looks for
Chinese mobile numbers, resident ID numbers (GB 11643, with their check digit) and
e-mail addresses in any array, frame or list a builder produced.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q
from django.db.models.expressions import Combinable
from django.utils.translation import gettext_lazy as _

from recengine.classification import PROJECT_APPS, Classification

logger = logging.getLogger(__name__)

# Ground truth is the simulator's answer sheet: a builder reading it would cheat.
FORBIDDEN_MODELS = frozenset({"recengine.GroundTruth", "recengine.SimulationRun"})
FieldSpec = Mapping[str, Sequence[str]]


class PrivacyViolation(ValueError):
    """A builder declared or tried to read a field it must not read."""


# -- the allow-list -----------------------------------------------------------------


def _model(label: str) -> type[models.Model]:
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        raise PrivacyViolation(
            _("Unknown model %(label)s.") % {"label": label}
        ) from None
    if model._meta.app_label not in PROJECT_APPS or label in FORBIDDEN_MODELS:
        raise PrivacyViolation(
            _("Feature builders may not read %(label)s.") % {"label": label}
        )
    return model


def holds_sensitive_data(model: type[models.Model]) -> bool:
    grades = getattr(model, "DATA_CLASSIFICATION", {})
    return any(grade.sensitive for grade in grades.values())


def _grade(model: type[models.Model], name: str) -> Classification:
    declared = getattr(model, "DATA_CLASSIFICATION", None)
    if declared is None or model._meta.app_label not in PROJECT_APPS:
        raise PrivacyViolation(
            _("%(model)s carries no classification grades.")
            % {"model": model._meta.label}
        )
    name = "id" if name == "pk" else name
    if name in declared:
        return declared[name]
    field = model._meta.get_field(name)
    if field.many_to_many or field.one_to_many or field.one_to_one:
        # A link table or reverse relation reveals the keys of the other side.
        return _grade(field.related_model, "id")
    raise PrivacyViolation(
        _("%(model)s.%(field)s has no classification grade.")
        % {"model": model._meta.label, "field": name}
    )


def _enter(model: type[models.Model]) -> type[models.Model]:
    _model(model._meta.label)
    if holds_sensitive_data(model):
        raise PrivacyViolation(
            _("%(model)s holds sensitive personal information.")
            % {"model": model._meta.label}
        )
    return model


def check_path(label: str, path: str) -> None:
    """Refuse ``path`` (``field`` or ``relation__field``) unless each hop is allowed."""
    model = _enter(_model(label))
    for hop in path.split("__"):
        try:
            field = model._meta.get_field("id" if hop == "pk" else hop)
        except FieldDoesNotExist:
            raise PrivacyViolation(
                _("%(model)s has no field %(field)s.")
                % {"model": model._meta.label, "field": hop}
            ) from None
        if _grade(model, hop).sensitive:
            raise PrivacyViolation(
                _("%(model)s.%(field)s is sensitive personal information.")
                % {"model": model._meta.label, "field": hop}
            )
        if field.is_relation:
            # Following a relation into the identity store is as bad as reading it.
            model = _enter(field.related_model)


class AllowList:
    """A checked field declaration and the only door through which a builder reads.

    ``rows`` and ``groups`` build the query themselves from the model label, the
    filters, the columns and the aggregates they are given, and refuse any field
    (filters and aggregate arguments included) that the declaration does not name.
    Rows come back as tuples from ``values_list``: no model instance is built.
    """

    def __init__(self, fields: FieldSpec) -> None:
        for label, paths in fields.items():
            for path in paths:
                check_path(label, path)
        self.fields = {label: frozenset(paths) for label, paths in fields.items()}

    def require(self, label: str, paths: Iterable[str]) -> None:
        allowed = self.fields.get(label, frozenset())
        undeclared = sorted(set(paths) - allowed)
        if undeclared:
            raise PrivacyViolation(
                _("Undeclared fields of %(label)s: %(fields)s.")
                % {"label": label, "fields": ", ".join(undeclared)}
            )

    def rows(
        self,
        label: str,
        columns: Sequence[str],
        *,
        where: Mapping[str, Any] | None = None,
        exclude: Mapping[str, Any] | None = None,
        order_by: Sequence[str] = (),
        chunk_size: int = 5000,
    ) -> Iterator[tuple]:
        ordering = [name.removeprefix("-") for name in order_by]
        queryset = self._filtered(label, [*columns, *ordering], where, exclude)
        queryset = queryset.order_by(*order_by)
        return queryset.values_list(*columns).iterator(chunk_size=chunk_size)

    def groups(
        self,
        label: str,
        keys: Sequence[str],
        aggregates: Mapping[str, models.Aggregate],
        *,
        where: Mapping[str, Any] | None = None,
        exclude: Mapping[str, Any] | None = None,
        chunk_size: int = 5000,
    ) -> Iterator[tuple]:
        """One tuple per distinct ``keys``: the keys, then the aggregates in order."""
        sources = [name for agg in aggregates.values() for name in _referenced(agg)]
        queryset = self._filtered(label, [*keys, *sources], where, exclude)
        grouped = queryset.values(*keys).annotate(**aggregates).order_by()
        return grouped.values_list(*keys, *aggregates).iterator(chunk_size=chunk_size)

    def _filtered(self, label, columns, where, exclude) -> models.QuerySet:
        conditions = {**(where or {}), **(exclude or {})}
        self.require(label, [*columns, *map(_field_path, conditions)])
        queryset = _model(label)._default_manager.filter(**(where or {}))
        if exclude:
            queryset = queryset.exclude(Q(**exclude))
        return queryset.order_by()


_LOOKUPS = frozenset(
    {"exact", "in", "gt", "gte", "lt", "lte", "isnull", "range", "startswith"}
)


def _field_path(condition: str) -> str:
    parts = condition.split("__")
    if len(parts) > 1 and parts[-1] in _LOOKUPS:
        parts = parts[:-1]
    return "__".join(parts)


def _referenced(expression: Combinable) -> list[str]:
    """Names of the fields an aggregate reads, found by walking its expression tree."""
    if isinstance(expression, models.F):
        return [expression.name]
    names = []
    for source in expression.get_source_expressions():
        if source is not None:
            names += _referenced(source)
    return names


# -- the scan ---------------------------------------------------------------------

MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
RESIDENT_ID = re.compile(r"(?<![\dXx])\d{17}[\dXx](?![\dXx])")
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# Integer-valued numbers in these ranges could be a mobile number or an ID number.
_MOBILE_RANGE = (13_000_000_000, 19_999_999_999)
_ID_RANGE = (10**17, 10**18)


@dataclass(frozen=True)
class Finding:
    """One suspected piece of personal data: what, where, and a masked excerpt."""

    kind: str  # "mobile", "resident_id" or "email"
    location: str
    excerpt: str


def valid_resident_id(number: str) -> bool:
    """GB 11643: the 18th character is the ISO 7064 MOD 11-2 check of the first 17."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == number[17].upper()


def _mask(value: str) -> str:
    return value[:3] + "*" * max(len(value) - 5, 0) + value[-2:]


def findings_in_text(text: str, location: str) -> list[Finding]:
    found = [Finding("mobile", location, _mask(m)) for m in MOBILE.findall(text)]
    found += [
        Finding("resident_id", location, _mask(match))
        for match in RESIDENT_ID.findall(text)
        if valid_resident_id(match)
    ]
    found += [Finding("email", location, _mask(m)) for m in EMAIL.findall(text)]
    return found


def _findings_in_numbers(values: np.ndarray, location: str) -> list[Finding]:
    flat = values.ravel()
    if flat.dtype.kind == "f":
        flat = flat[np.isfinite(flat) & (flat == np.floor(flat))]
    absolute = np.abs(flat)
    candidates = flat[
        ((absolute >= _MOBILE_RANGE[0]) & (absolute <= _MOBILE_RANGE[1]))
        | ((absolute >= _ID_RANGE[0]) & (absolute < _ID_RANGE[1]))
    ]
    found = []
    # Few values fall into those ranges, so the string check below stays cheap.
    for number in np.unique(candidates):
        found += findings_in_text(str(int(number)), location)
    return found


def _findings_in_array(values: np.ndarray, location: str) -> list[Finding]:
    if values.dtype.kind in "iuf":
        return _findings_in_numbers(values, location)
    if values.dtype.kind == "b" or values.dtype.kind == "M":
        return []
    found = []
    for index, value in enumerate(values.ravel()):
        found += scan_for_personal_data(value, f"{location}[{index}]")
    return found


def scan_for_personal_data(values: Any, location: str = "") -> list[Finding]:
    """Every mobile number, valid resident ID number and e-mail address in ``values``.

    Accepts strings, numbers, numpy arrays, scipy sparse matrices, pandas frames and
    series, mappings and nested lists. Integer-valued numbers are checked too, so a
    phone number stored as a float still shows. Float64 holds integers exactly only
    up to 2**53, so an ID number stored as a float has lost digits and is not found;
    integer columns keep them.
    """
    if values is None or isinstance(values, bool):
        return []
    if isinstance(values, str | bytes):
        text = values.decode(errors="replace") if isinstance(values, bytes) else values
        return findings_in_text(text, location)
    if isinstance(values, int | float | np.number):
        return _findings_in_numbers(np.asarray([values]), location)
    if isinstance(values, pd.DataFrame):
        found = [
            *scan_for_personal_data(
                list(map(str, values.columns)), f"{location}.columns"
            )
        ]
        for column in values.columns:
            found += scan_for_personal_data(values[column], f"{location}.{column}")
        return found
    if isinstance(values, pd.Series | pd.Index):
        return _findings_in_array(values.to_numpy(), location)
    if hasattr(values, "tocoo"):
        return _findings_in_array(values.tocoo().data, location)
    if isinstance(values, np.ndarray):
        return _findings_in_array(values, location)
    if isinstance(values, Mapping):
        found = []
        for key, value in values.items():
            found += scan_for_personal_data(key, f"{location}.key")
            found += scan_for_personal_data(value, f"{location}.{key}")
        return found
    if isinstance(values, Iterable):
        found = []
        for index, value in enumerate(values):
            found += scan_for_personal_data(value, f"{location}[{index}]")
        return found
    return []


def redact(text: str) -> str:
    """``text`` with mobile numbers, ID numbers and e-mail addresses blanked.

    Danmaku is viewer-written content; a viewer may type a phone number into it, and
    the text features must not learn it as a token.
    """
    text = EMAIL.sub(" ", text)
    text = RESIDENT_ID.sub(lambda m: " " if valid_resident_id(m[0]) else m[0], text)
    return MOBILE.sub(" ", text)
