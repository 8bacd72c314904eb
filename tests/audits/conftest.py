"""Factories for the audit tests: events, an audit context, catalogue checks."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.utils import translation

from audits.checks import AuditContext
from audits.checks.evaluate import CheckSpec
from audits.metrics.loaders import Period
from audits.services.runs import current_catalogue
from recengine.models import Event, EventKind
from tests.conftest import PLATFORM_NOW

_ids = itertools.count(1)
# The shared platform's events lie within the 30 days before PLATFORM_NOW.
PERIOD = Period(PLATFORM_NOW - dt.timedelta(days=30), PLATFORM_NOW)

MakeEvent = Callable[..., Event]


@pytest.fixture
def make_event(db) -> MakeEvent:
    """Append one event; exposures carry full provenance unless told otherwise."""

    def make(kind: EventKind, at: dt.datetime, viewer, **fields) -> Event:
        if kind == EventKind.IMPRESSION:
            fields.setdefault("strategy", "personalised")
            fields.setdefault("model_version", "popularity-1")
            fields.setdefault("policy_version", 1)
        if "amount" in fields and fields["amount"] is not None:
            fields["amount"] = Decimal(fields["amount"])
        return Event.objects.create(
            event_id=f"au-{next(_ids):05d}",
            kind=kind,
            occurred_at=at,
            viewer=viewer,
            **fields,
        )

    return make


@pytest.fixture
def context(db) -> AuditContext:
    return AuditContext(period=PERIOD, now=PLATFORM_NOW, parameters={"n_boot": 50})


@pytest.fixture
def catalogue_check(db) -> Callable[..., CheckSpec]:
    """The catalogue's check by id, optionally with a smaller minimum sample: the
    planted datasets are small on purpose, the threshold is what they test."""
    catalogue = current_catalogue()

    def spec(check_id: str, min_sample: int | None = None) -> CheckSpec:
        found = CheckSpec.of(catalogue.checks.get(check_id=check_id))
        if min_sample is None:
            return found
        return dataclasses.replace(found, min_sample=min_sample)

    return spec


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English, whatever the catalogue translates them to."""
    with translation.override("en"):
        yield
