"""The recommendation endpoint answers from the learned engine once one is active."""

from __future__ import annotations

from collections import Counter

from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from recengine import serving
from recengine.models import ApiScope, GroundTruth, ServingLatency, TruthKind, Viewer
from recengine.pseudonym import pseudonym_for
from recengine.services.lifecycle import activate_model
from recengine.serving.latency import LATENCY
from tests.intake.conftest import make_key


def _client(db) -> APIClient:
    owner = get_user_model().objects.create_user("api-owner", password="x-Strong-pw-1")
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=make_key(owner, [ApiScope.RECOMMENDATIONS_READ])
    )
    return client


def test_the_endpoint_reports_the_engine_version_and_strategy(
    trained, db, platform_admin
):
    activate_model(actor=platform_admin, version=trained.first, reason="test")
    serving.runtime().refresh(force=True)
    serving.runtime().wait()
    viewer = GroundTruth.objects.filter(kind=TruthKind.VIEWER).first().external_id

    response = _client(db).get(
        "/api/v1/recommendations/",
        {"viewer": viewer, "scene": "product_feed", "size": 5},
    )

    assert response.status_code == 200
    body = response.json()
    assert body["model_version"] == trained.first
    assert body["strategy"] == "personalised"
    assert body["policy_version"] == 0
    assert len(body["items"]) == 5
    assert {"id", "kind", "score", "labels", "reason"} <= set(body["items"][0])
    assert "trace" not in body


def test_an_unknown_viewer_gets_the_non_personalised_strategy(
    trained, db, platform_admin
):
    activate_model(actor=platform_admin, version=trained.first, reason="test")
    serving.runtime().refresh(force=True)
    serving.runtime().wait()

    response = _client(db).get(
        "/api/v1/recommendations/",
        {"viewer": "never-seen", "scene": "live_feed", "size": 5},
    )

    assert response.status_code == 200
    assert response.json()["strategy"] == "non_personalised"


def test_a_bad_scene_is_a_clear_400(trained, db):
    response = _client(db).get(
        "/api/v1/recommendations/", {"viewer": "x", "scene": "nope"}
    )

    assert response.status_code == 400


def test_a_viewer_who_switched_personalisation_off_is_not_personalised(
    trained, db, platform_admin
):
    activate_model(actor=platform_admin, version=trained.first, reason="test")
    serving.runtime().refresh(force=True)
    serving.runtime().wait()
    user_id = GroundTruth.objects.filter(kind=TruthKind.VIEWER).first().external_id
    viewer = Viewer.objects.get(pseudonym=pseudonym_for(user_id))
    viewer.personalization_enabled = False
    viewer._change_reason = "viewer switched personalisation off"
    viewer.save()

    response = _client(db).get(
        "/api/v1/recommendations/",
        {"viewer": user_id, "scene": "product_feed", "size": 5},
    )

    assert response.status_code == 200
    assert response.json()["strategy"] == "non_personalised"


def test_each_answer_records_its_response_time_and_a_refusal_none(trained, db):
    client = _client(db)
    scenes = ["live_feed", "live_feed", "product_feed"]
    answers = [
        client.get(
            "/api/v1/recommendations/",
            {"viewer": "never-seen", "scene": scene, "size": 5},
        )
        for scene in scenes
    ]
    refused = client.get("/api/v1/recommendations/", {"viewer": "x", "scene": "nope"})

    assert [answer.status_code for answer in answers] == [200, 200, 200]
    assert refused.status_code == 400
    assert LATENCY.pending == 3

    serving.flush_exposures()
    recorded: Counter[tuple[str, str]] = Counter()
    for row in ServingLatency.objects.all():
        recorded[row.scene, row.strategy] += row.count
        assert sum(row.buckets) == row.count and row.max_ms > 0
    served = zip(scenes, [answer.json()["strategy"] for answer in answers], strict=True)
    assert recorded == Counter(served)
