"""Constraints of the platform data model and its data classification (clause 7.3)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import checks
from django.db import IntegrityError, transaction

from recengine.classification import (
    Grade,
    classification_of,
    classification_table,
    personal_fields,
    ungraded_fields,
)
from recengine.models import (
    Anchor,
    BroadcastSession,
    Category,
    Event,
    EventKind,
    LiveRoom,
    Merchant,
    Product,
    Viewer,
    ViewerIdentity,
)

T0 = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def room(db):
    anchor = Anchor.objects.create(external_id="a1", name="阿明", created_at=T0)
    return LiveRoom.objects.create(
        external_id="r1", anchor=anchor, title="数码测评", created_at=T0
    )


def _fails(create) -> bool:
    try:
        with transaction.atomic():
            create()
    except IntegrityError:
        return True
    return False


def test_every_stored_field_has_a_grade():
    assert ungraded_fields() == []
    assert not [m for m in checks.run_checks() if m.id == "recengine.E001"]


def test_identity_fields_are_graded_sensitive_personal():
    for name in ("real_name", "phone", "id_card_number", "address"):
        grade = classification_of(ViewerIdentity, name)
        assert grade.personal and grade.sensitive
        assert grade.grade is Grade.IMPORTANT


def test_the_table_lists_every_field_once():
    rows = classification_table()
    keys = [(row["model"], row["field"]) for row in rows]

    assert len(keys) == len(set(keys))
    assert ("recengine.Event", "occurred_at") in keys
    assert ("recengine.Viewer", "pseudonym") in personal_fields()
    assert ("recengine.Product", "title") not in personal_fields()


def test_an_ungraded_field_is_reported(monkeypatch):
    trimmed = dict(Product.DATA_CLASSIFICATION)
    del trimmed["price"]
    monkeypatch.setattr(Product, "DATA_CLASSIFICATION", trimmed)

    assert "recengine.Product.price" in ungraded_fields()
    with pytest.raises(KeyError):
        classification_of(Product, "price")


def test_a_room_has_at_most_one_live_session(room):
    BroadcastSession.objects.create(external_id="s1", room=room, started_at=T0)

    assert _fails(
        lambda: BroadcastSession.objects.create(
            external_id="s2", room=room, started_at=T0
        )
    )
    BroadcastSession.objects.create(
        external_id="s0",
        room=room,
        started_at=T0 - dt.timedelta(days=1),
        ended_at=T0 - dt.timedelta(hours=20),
    )


def test_a_session_cannot_end_before_it_starts(room):
    assert _fails(
        lambda: BroadcastSession.objects.create(
            external_id="s1",
            room=room,
            started_at=T0,
            ended_at=T0 - dt.timedelta(seconds=1),
        )
    )


def test_prices_and_amounts_are_never_negative(room):
    merchant = Merchant.objects.create(external_id="m1", name="店", created_at=T0)
    category = Category.objects.create(code="t-x", name_zh="类", name_en="cat")
    viewer = Viewer.objects.create(
        pseudonym="p" * 64, region="east", spending_level="low", created_at=T0
    )

    assert _fails(
        lambda: Product.objects.create(
            external_id="p1",
            merchant=merchant,
            category=category,
            title="t",
            price=Decimal("-1"),
            created_at=T0,
        )
    )
    assert _fails(
        lambda: Event.objects.create(
            event_id="e1",
            kind=EventKind.ORDER,
            occurred_at=T0,
            viewer=viewer,
            room=room,
            amount=Decimal("-5"),
        )
    )


def test_pseudonyms_and_external_ids_are_unique(room):
    Viewer.objects.create(
        pseudonym="p" * 64, region="east", spending_level="low", created_at=T0
    )

    assert _fails(
        lambda: Viewer.objects.create(
            pseudonym="p" * 64, region="west", spending_level="high", created_at=T0
        )
    )
    assert _fails(
        lambda: LiveRoom.objects.create(
            external_id="r1", anchor=room.anchor, title="dup", created_at=T0
        )
    )


def test_governed_models_keep_history(room):
    room.title = "数码测评 第二场"
    room._change_reason = "retitled by the platform"
    room.save()

    reasons = list(room.history.values_list("history_change_reason", flat=True))
    assert reasons[0] == "retitled by the platform"
    assert len(reasons) == 2
