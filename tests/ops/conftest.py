"""An event factory for the operations tests, on the suite's ``viewer`` persona."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from decimal import Decimal

import pytest

from recengine.models import Event, EventKind, Viewer

_event_ids = itertools.count(1)

MakeEvent = Callable[..., Event]


@pytest.fixture
def make_event(viewer: Viewer) -> MakeEvent:
    def make(kind: EventKind, at: dt.datetime, amount: str | None = None) -> Event:
        return Event.objects.create(
            event_id=f"ops-{next(_event_ids)}",
            kind=kind,
            occurred_at=at,
            viewer=viewer,
            amount=Decimal(amount) if amount is not None else None,
        )

    return make
