import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from recengine import serving
from recengine.models import Event, EventKind
from recengine.services.catalogue import upsert_catalogue
from tests.intake.conftest import make_key

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def live_platform(catalogue):
    upsert_catalogue("anchors", [{"external_id": "a2", "name": "阿强"}])
    upsert_catalogue(
        "rooms", [{"external_id": "r2", "anchor": "a2", "title": "下播的直播间"}]
    )
    now = timezone.now()
    upsert_catalogue(
        "sessions",
        [
            {
                "external_id": "live-now",
                "room": "r1",
                "started_at": (now - dt.timedelta(hours=1)).isoformat(),
            },
            {
                "external_id": "ended",
                "room": "r2",
                "started_at": (now - dt.timedelta(hours=5)).isoformat(),
                "ended_at": (now - dt.timedelta(hours=3)).isoformat(),
            },
        ],
    )
    serving.reset()
    yield
    serving.reset()


@pytest.fixture
def reader(admin_user):
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=make_key(admin_user, ["recommendations:read"])
    )
    return client


def test_the_live_feed_serves_only_rooms_live_now(reader, live_platform):
    response = reader.get(
        "/api/v1/recommendations/", {"viewer": "u1", "scene": "live_feed", "size": 5}
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert [item["id"] for item in body["items"]] == ["r1"]
    assert set(body) >= {"items", "strategy", "model_version", "policy_version"}
    assert set(body["items"][0]) >= {"id", "kind", "score", "labels", "reason"}


def test_exposures_are_recorded_with_position_and_versions(reader, live_platform):
    body = reader.get(
        "/api/v1/recommendations/", {"viewer": "u1", "scene": "live_feed"}
    ).json()

    serving.flush_exposures()
    exposure = Event.objects.get(kind=EventKind.IMPRESSION)
    assert exposure.room.external_id == "r1"
    assert exposure.position == 1
    assert exposure.strategy == body["strategy"]
    assert exposure.model_version == body["model_version"]
    assert exposure.policy_version == body["policy_version"]


@pytest.mark.parametrize(
    "params",
    [
        {"scene": "live_feed"},
        {"viewer": "u1", "scene": "moon_feed"},
        {"viewer": "u1", "scene": "live_feed", "size": 0},
        {"viewer": "u1", "scene": "live_feed", "size": "ten"},
        {"viewer": "u1", "scene": "live_feed", "size": 1000},
    ],
)
def test_bad_parameters_get_400_with_a_reason(reader, live_platform, params):
    response = reader.get("/api/v1/recommendations/", params)

    assert response.status_code == 400
    assert response.json()["detail"]


def test_a_key_without_the_read_scope_is_refused(events_client, live_platform):
    response = events_client.get(
        "/api/v1/recommendations/", {"viewer": "u1", "scene": "live_feed"}
    )

    assert response.status_code == 403
