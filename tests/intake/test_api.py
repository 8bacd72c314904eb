import pytest
from rest_framework.test import APIClient

from recengine.models import Event, Merchant
from tests.intake.conftest import T0, event_row, make_key

pytestmark = pytest.mark.django_db


def test_event_batch_is_accepted_and_idempotent(events_client, catalogue):
    rows = [event_row("e1", occurred_at=T0.isoformat())]

    first = events_client.post("/api/v1/events/", {"events": rows}, format="json")
    second = events_client.post("/api/v1/events/", rows, format="json")

    assert first.status_code == 200, first.content
    assert first.json() == {"received": 1, "inserted": 1, "duplicates": 0}
    assert second.json() == {"received": 1, "inserted": 0, "duplicates": 1}


def test_invalid_rows_get_400_with_a_report_and_nothing_is_written(
    events_client, catalogue
):
    rows = [event_row("e1"), event_row("e2", kind="nope")]

    response = events_client.post("/api/v1/events/", {"events": rows}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid_rows"
    assert body["rows"] == [
        {"row": 1, "field": "kind", "message": body["rows"][0]["message"]}
    ]
    assert Event.objects.count() == 0


def test_a_bad_order_quantity_gets_400_and_nothing_is_written(events_client, catalogue):
    order = {"kind": "order", "room": None, "product": "p1", "amount": "89.00"}
    rows = [event_row("e1", **order, quantity=1), event_row("e2", **order, quantity=0)]

    response = events_client.post("/api/v1/events/", {"events": rows}, format="json")

    assert response.status_code == 400
    assert response.json()["rows"] == [
        {"row": 1, "field": "quantity", "message": "must be between 1 and 2147483647"}
    ]
    assert Event.objects.count() == 0


@pytest.mark.parametrize(
    "payload", ["not json at all", '{"events": "x"}', "[1, 2]", "{}"]
)
def test_malformed_bodies_get_400_never_500(events_client, catalogue, payload):
    response = events_client.post(
        "/api/v1/events/", payload, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["detail"]


def test_catalogue_upsert_through_the_api(catalogue_client, catalogue):
    response = catalogue_client.post(
        "/api/v1/catalogue/merchants/",
        {"rows": [{"external_id": "m9", "name": "新店"}]},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert response.json() == {"created": 1, "updated": 0}
    merchant = Merchant.objects.get(external_id="m9")
    assert "via API by api key" in merchant.history.first().history_change_reason


def test_unknown_catalogue_kind_is_404(catalogue_client, catalogue):
    response = catalogue_client.post("/api/v1/catalogue/planets/", [], format="json")

    assert response.status_code == 404


def test_a_key_without_the_scope_is_refused(events_client, catalogue):
    response = events_client.post(
        "/api/v1/catalogue/merchants/",
        [{"external_id": "m9", "name": "x"}],
        format="json",
    )

    assert response.status_code == 403
    assert not Merchant.objects.filter(external_id="m9").exists()


def test_revoked_and_wrong_keys_are_refused(admin_user, catalogue):
    client = APIClient()
    for header in (
        make_key(admin_user, ["events:write"], revoked=True),
        "Api-Key nosuch.key",
        make_key(admin_user, ["events:write"]).replace("s3cret", "guess"),
    ):
        client.credentials(HTTP_AUTHORIZATION=header)
        response = client.post("/api/v1/events/", [event_row("e1")], format="json")
        assert response.status_code in (401, 403)
    assert Event.objects.count() == 0


def test_anonymous_and_roleless_people_are_refused(admin_user, catalogue):
    client = APIClient()
    assert client.post("/api/v1/events/", [], format="json").status_code in (401, 403)

    client.force_login(admin_user)
    assert client.post("/api/v1/events/", [], format="json").status_code == 403


def test_openapi_schema_describes_the_intake(admin_user):
    client = APIClient()
    client.force_login(admin_user)

    response = client.get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    assert "/api/v1/events/" in response.json()["paths"]
