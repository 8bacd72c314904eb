"""The served-list scan of an audit may run on a second connection; same answer."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from audits.checks.registry import AuditContext
from audits.metrics.loaders import list_diversity_by_viewer
from recengine.models import EventKind
from tests.audits.conftest import PERIOD, PLATFORM_NOW


@pytest.mark.django_db(transaction=True)
def test_the_background_scan_gives_what_the_audit_would_compute(platform, make_event):
    at = PLATFORM_NOW - dt.timedelta(days=2)
    viewer = platform.viewers[0]
    for request, rooms in (("r1", platform.rooms[:3]), ("r2", platform.rooms[:2])):
        for room in rooms:
            make_event(EventKind.IMPRESSION, at, viewer, room=room, request_id=request)
    expected = list_diversity_by_viewer(PERIOD)

    context = AuditContext(period=PERIOD, now=PLATFORM_NOW)
    context.start_background({"list_diversity": list_diversity_by_viewer})
    found = context.list_diversity

    # PostgreSQL outside a transaction scans on its own connection; SQLite in line.
    forked = connection.vendor == "postgresql"
    assert bool(context._background) == forked
    assert found.equals(expected)
    assert int(found["lists"].sum()) == 2
