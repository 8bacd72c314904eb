import datetime as dt

import pytest
from django.test import override_settings

from recengine.models import AppendOnlyError, Event, EventKind
from recengine.services.events import append_events, ingest_events
from recengine.services.rows import BatchRejected
from tests.intake.conftest import T0, event_row

pytestmark = pytest.mark.django_db


def test_a_valid_batch_is_stored_with_references_resolved(catalogue):
    rows = [
        event_row("e1", kind="impression", position=0, strategy="popular"),
        event_row("e2"),
        event_row("e3", kind="order", room=None, product="p1", amount="89.00"),
    ]

    result = ingest_events(rows, now=T0)

    assert result.as_dict() == {"received": 3, "inserted": 3, "duplicates": 0}
    order = Event.objects.get(event_id="e3")
    assert order.kind == EventKind.ORDER
    assert str(order.amount) == "89.00"
    assert order.product.external_id == "p1"


def test_an_order_carries_its_quantity_when_the_platform_sends_one(catalogue):
    order = {"kind": "order", "room": None, "product": "p1"}
    rows = [
        event_row("e1", **order, amount="178.00", quantity=2),
        event_row("e2", **order, amount="89.00"),
    ]

    ingest_events(rows, now=T0)

    stored = dict(Event.objects.values_list("event_id", "quantity"))
    assert stored == {"e1": 2, "e2": None}


@pytest.mark.parametrize("quantity", [0, -1, 1.5, "2", True, 2**31])
def test_a_bad_quantity_rejects_the_batch(catalogue, quantity):
    rows = [
        event_row("e1"),
        event_row(
            "e2",
            kind="order",
            room=None,
            product="p1",
            amount="89.00",
            quantity=quantity,
        ),
    ]

    with pytest.raises(BatchRejected) as rejected:
        ingest_events(rows, now=T0)

    assert [(e.row, e.field) for e in rejected.value.errors] == [(1, "quantity")]
    assert Event.objects.count() == 0


def test_only_an_order_has_a_quantity(catalogue):
    rows = [event_row("e1", kind="add_to_cart", room=None, product="p1", quantity=2)]

    with pytest.raises(BatchRejected) as rejected:
        ingest_events(rows, now=T0)

    assert [e.as_dict() for e in rejected.value.errors] == [
        {"row": 0, "field": "quantity", "message": "is only for order events"}
    ]
    assert Event.objects.count() == 0


def test_a_retried_batch_adds_nothing_twice(catalogue):
    rows = [event_row("e1"), event_row("e2")]
    ingest_events(rows, now=T0)

    again = ingest_events(rows + [event_row("e3")], now=T0)

    assert again.as_dict() == {"received": 3, "inserted": 1, "duplicates": 2}
    assert Event.objects.count() == 3


def test_one_bad_row_rejects_the_batch_with_a_report_per_row(catalogue):
    rows = [
        event_row("e1"),
        event_row("e2", kind="teleport"),
        event_row("e3", viewer="stranger"),
        event_row("e4", kind="order", room=None, product="p1"),
        event_row("e5", occurred_at=(T0 + dt.timedelta(hours=1)).isoformat()),
        event_row("e1"),
    ]

    with pytest.raises(BatchRejected) as rejected:
        ingest_events(rows, now=T0)

    report = {(e.row, e.field) for e in rejected.value.errors}
    assert report == {
        (1, "kind"),
        (2, "viewer"),
        (3, "amount"),
        (4, "occurred_at"),
        (5, "event_id"),
    }
    assert Event.objects.count() == 0


def test_kinds_must_name_what_they_are_about(catalogue):
    rows = [event_row("e1", kind="comment"), event_row("e2", kind="dwell")]

    with pytest.raises(BatchRejected) as rejected:
        ingest_events(rows, now=T0)

    assert {(e.row, e.field) for e in rejected.value.errors} == {
        (0, "text"),
        (1, "dwell_seconds"),
    }


@override_settings(EVENT_BATCH_MAX_ROWS=2)
def test_oversized_batches_are_refused_whole(catalogue):
    rows = [event_row(f"e{i}") for i in range(3)]

    with pytest.raises(BatchRejected) as rejected:
        ingest_events(rows, now=T0)

    assert "at most 2 rows" in rejected.value.errors[0].message


def test_the_event_log_is_append_only(catalogue):
    ingest_events([event_row("e1")], now=T0)
    event = Event.objects.get()

    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        Event.objects.filter(pk=event.pk).update(text="changed")
    with pytest.raises(AppendOnlyError):
        Event.objects.all().delete()


def test_append_counts_the_rows_the_insert_added_and_asks_nothing_first(
    catalogue, django_assert_max_num_queries
):
    from recengine.models import Viewer
    from recengine.serving.event_rows import new_event

    viewer = Viewer.objects.get()

    def exposure(event_id: str) -> Event:
        return new_event(
            event_id=event_id,
            kind=EventKind.IMPRESSION,
            occurred_at=T0,
            viewer_id=viewer.pk,
            scene="live_feed",
            position=1,
        )

    assert append_events([exposure("x1"), exposure("x2")]) == 2
    # A stored id and an id repeated in the batch each count once.
    batch = [exposure("x2"), exposure("x3"), exposure("x3")]
    with django_assert_max_num_queries(5) as captured:
        assert append_events(batch) == 1
    assert not any("SELECT" in q["sql"].split()[0] for q in captured.captured_queries)
    assert sorted(Event.objects.values_list("event_id", flat=True)) == [
        "x1",
        "x2",
        "x3",
    ]
