import datetime as dt

import pytest

from recengine.models import BroadcastSession, LiveRoom, Merchant, Product, Viewer
from recengine.pseudonym import pseudonym_for
from recengine.services.catalogue import upsert_catalogue
from recengine.services.rows import BatchRejected
from tests.intake.conftest import T0

pytestmark = pytest.mark.django_db


def test_viewers_are_stored_under_a_keyed_pseudonym_only(catalogue):
    viewer = Viewer.objects.get()

    assert viewer.pseudonym == pseudonym_for("u1")
    assert "u1" not in {viewer.pseudonym, str(viewer)}
    assert len(viewer.pseudonym) == 64


def test_upsert_updates_by_external_id_and_records_history(catalogue):
    result = upsert_catalogue(
        "merchants", [{"external_id": "m1", "name": "好物旗舰店"}], reason="rename"
    )

    assert (result.created, result.updated) == (0, 1)
    merchant = Merchant.objects.get(external_id="m1")
    assert merchant.name == "好物旗舰店"
    reasons = list(merchant.history.values_list("history_change_reason", flat=True))
    assert "rename" in reasons and len(reasons) == 2


def test_one_bad_row_rejects_the_whole_batch(catalogue):
    rows = [
        {"external_id": "m2", "name": "新店"},
        {"external_id": "m3", "name": ""},
        {"external_id": "m4", "name": "另一家", "colour": "red"},
    ]

    with pytest.raises(BatchRejected) as rejected:
        upsert_catalogue("merchants", rows)

    problems = {(e.row, e.field) for e in rejected.value.errors}
    assert problems == {(1, "name"), (2, "colour")}
    assert not Merchant.objects.filter(external_id__in=["m2", "m3", "m4"]).exists()


def test_unknown_references_and_repeated_ids_are_reported(catalogue):
    rows = [
        {
            "external_id": "p2",
            "merchant": "nobody",
            "category": "t-beauty",
            "title": "口红",
            "price": 10,
        },
        {
            "external_id": "p2",
            "merchant": "m1",
            "category": "t-beauty",
            "title": "口红",
            "price": -1,
        },
    ]

    with pytest.raises(BatchRejected) as rejected:
        upsert_catalogue("products", rows)

    messages = {(e.row, e.field): e.message for e in rejected.value.errors}
    assert "unknown id 'nobody'" in messages[(0, "merchant")]
    assert "repeats row 0" in messages[(1, "external_id")]
    assert "non-negative" in messages[(1, "price")]
    assert Product.objects.count() == 1


def test_room_products_are_replaced_on_upsert(catalogue):
    upsert_catalogue(
        "products",
        [
            {
                "external_id": "p2",
                "merchant": "m1",
                "category": "t-beauty",
                "title": "精华",
                "price": 120,
            }
        ],
    )
    upsert_catalogue(
        "rooms",
        [
            {
                "external_id": "r1",
                "anchor": "a1",
                "title": "护肤直播",
                "products": ["p2"],
            }
        ],
    )

    room = LiveRoom.objects.get(external_id="r1")
    assert list(room.products.values_list("external_id", flat=True)) == ["p2"]


def test_sessions_go_live_and_offline(catalogue):
    live = {"external_id": "s1", "room": "r1", "started_at": T0.isoformat()}
    upsert_catalogue("sessions", [live])
    assert BroadcastSession.objects.get().is_live

    ended = live | {"ended_at": (T0 + dt.timedelta(hours=2)).isoformat()}
    upsert_catalogue("sessions", [ended])

    assert not BroadcastSession.objects.get().is_live


def test_a_room_cannot_be_live_twice(catalogue):
    upsert_catalogue(
        "sessions", [{"external_id": "s1", "room": "r1", "started_at": T0.isoformat()}]
    )

    with pytest.raises(BatchRejected) as rejected:
        upsert_catalogue(
            "sessions",
            [{"external_id": "s2", "room": "r1", "started_at": T0.isoformat()}],
        )

    assert "already live in session 's1'" in rejected.value.errors[0].message


def test_a_session_cannot_end_before_it_starts(catalogue):
    row = {
        "external_id": "s1",
        "room": "r1",
        "started_at": T0.isoformat(),
        "ended_at": (T0 - dt.timedelta(minutes=1)).isoformat(),
    }

    with pytest.raises(BatchRejected) as rejected:
        upsert_catalogue("sessions", [row])

    assert rejected.value.errors[0].field == "ended_at"
    assert not BroadcastSession.objects.exists()


def test_naive_timestamps_are_refused(catalogue):
    with pytest.raises(BatchRejected) as rejected:
        upsert_catalogue(
            "sessions",
            [{"external_id": "s1", "room": "r1", "started_at": "2026-11-30T20:00:00"}],
        )

    assert "time zone" in rejected.value.errors[0].message


def test_registration_date_is_taken_for_new_rows_only(catalogue):
    registered = (T0 - dt.timedelta(days=300)).isoformat()
    upsert_catalogue(
        "merchants", [{"external_id": "m5", "name": "老店", "created_at": registered}]
    )
    upsert_catalogue(
        "merchants",
        [{"external_id": "m5", "name": "老店", "created_at": T0.isoformat()}],
    )

    assert Merchant.objects.get(external_id="m5").created_at == T0 - dt.timedelta(
        days=300
    )
