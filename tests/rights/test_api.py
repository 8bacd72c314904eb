"""``/api/v1/me/...``: a viewer's own tags, switch, feedback and data."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from recengine.api.rights import ViewerRightsThrottle
from recengine.models import DataExport, Event, EventKind, TagSuppression, Viewer

ENDPOINTS = [
    ("get", "/api/v1/me/tags/"),
    ("delete", "/api/v1/me/tags/"),
    ("delete", "/api/v1/me/tags/1/"),
    ("get", "/api/v1/me/personalization/"),
    ("put", "/api/v1/me/personalization/"),
    ("post", "/api/v1/me/feedback/"),
    ("get", "/api/v1/me/data/"),
    ("get", "/api/v1/me/recommendations/"),
]


def test_tags_lists_only_my_tags_strongest_first(api, other_viewer):
    response = api.get("/api/v1/me/tags/")

    assert response.status_code == 200
    codes = [tag["code"] for tag in response.json()]
    assert codes == ["skincare", "snacks"]
    assert response.json()[0]["source"] == "live"
    assert "fitness" not in codes


def test_deleting_a_tag_forgets_it_with_history(api, viewer, viewer_user):
    interest = viewer.interests.get(tag__code="skincare")

    response = api.delete(f"/api/v1/me/tags/{interest.pk}/")

    assert response.status_code == 204
    assert [t["code"] for t in api.get("/api/v1/me/tags/").json()] == ["snacks"]
    suppression = TagSuppression.objects.get(viewer=viewer)
    assert suppression.tag.code == "skincare"
    record = suppression.history.get()
    assert record.history_user == viewer_user
    assert "6.3.2" in record.history_change_reason
    deleted = viewer.interests.model.history.get(id=interest.pk, history_type="-")
    assert deleted.history_user == viewer_user


def test_another_viewers_tag_id_is_a_404_and_stays(api, other_viewer):
    theirs = other_viewer.interests.get()

    response = api.delete(f"/api/v1/me/tags/{theirs.pk}/")

    assert response.status_code == 404
    assert other_viewer.interests.filter(pk=theirs.pk).exists()
    assert not TagSuppression.objects.exists()


def test_deleting_all_tags(api, viewer):
    response = api.delete("/api/v1/me/tags/")

    assert response.status_code == 200
    assert response.json() == {"deleted": 2}
    assert not viewer.interests.exists()
    assert TagSuppression.objects.filter(viewer=viewer).count() == 2


def test_switching_personalisation_off_and_on_keeps_a_history(api, viewer):
    assert api.get("/api/v1/me/personalization/").json()["enabled"] is True

    off = api.put("/api/v1/me/personalization/", {"enabled": False}, format="json")
    on = api.put("/api/v1/me/personalization/", {"enabled": True}, format="json")

    assert off.status_code == 200 and off.json()["enabled"] is False
    history = on.json()["history"]
    assert [(h["old"], h["new"]) for h in history] == [(False, True), (True, False)]
    assert history[0]["by"] == "viewer-li"
    viewer.refresh_from_db()
    assert viewer.personalization_enabled is True
    reasons = set(viewer.history.values_list("history_change_reason", flat=True))
    assert any(reason and "6.3.1" in reason for reason in reasons)


@pytest.mark.parametrize("body", [{}, {"enabled": "maybe"}, {"enabled": None}])
def test_a_bad_switch_is_a_400(api, viewer, body):
    response = api.put("/api/v1/me/personalization/", body, format="json")

    assert response.status_code == 400
    assert "enabled" in response.json()["detail"]


def test_not_interested_is_logged_for_a_room(api, viewer, platform):
    response = api.post(
        "/api/v1/me/feedback/",
        {"item": "r-1", "kind": "not_interested"},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["item_kind"] == "live_room"
    event = Event.objects.get(viewer=viewer, kind=EventKind.NOT_INTERESTED)
    assert event.room == platform.rooms[0]
    assert event.anchor == platform.anchors[0]


def test_not_interested_for_a_product_with_its_kind(api, viewer, platform):
    response = api.post(
        "/api/v1/me/feedback/",
        {"item": "p-2", "kind": "not_interested", "item_kind": "product"},
        format="json",
    )

    assert response.status_code == 201
    event = Event.objects.get(viewer=viewer, kind=EventKind.NOT_INTERESTED)
    assert event.product == platform.products[1]


@pytest.mark.parametrize(
    "body",
    [
        {"item": "r-404", "kind": "not_interested"},
        {"item": "r-1", "kind": "love_it"},
        {"kind": "not_interested"},
        {"item": "r-1", "kind": "not_interested", "item_kind": "product"},
        {"item": "r-1", "kind": "not_interested", "item_kind": "video"},
    ],
)
def test_bad_feedback_is_a_400_and_logs_nothing(api, platform, body):
    response = api.post("/api/v1/me/feedback/", body, format="json")

    assert response.status_code == 400
    assert not Event.objects.filter(kind=EventKind.NOT_INTERESTED).exists()


def test_my_data_holds_tags_choices_and_feedback(api, viewer, platform):
    api.put("/api/v1/me/personalization/", {"enabled": False}, format="json")
    api.post("/api/v1/me/feedback/", {"item": "r-2", "kind": "not_interested"})

    response = api.get("/api/v1/me/data/")

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    data = response.json()
    assert [t["tag"] for t in data["interest_tags"]] == ["skincare", "snacks"]
    assert data["consent"]["personalization_enabled"] is False
    assert data["consent"]["history"][0]["new"] is False
    assert data["feedback"][0]["item"] == "r-2"
    assert DataExport.objects.get(viewer=viewer).requested_by == viewer.user


def test_my_data_does_not_contain_another_viewer(api, other_viewer):
    data = api.get("/api/v1/me/data/").json()

    assert "fitness" not in str(data)


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
def test_anonymous_callers_are_refused(db, method, url):
    response = getattr(APIClient(), method)(url)

    assert response.status_code in (401, 403)


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
def test_staff_without_a_viewer_are_refused(outsider, trust_safety_user, method, url):
    for user in (outsider, trust_safety_user):
        client = APIClient()
        client.force_login(user)

        assert getattr(client, method)(url).status_code == 403


def test_unsafe_methods_need_the_csrf_token(viewer_user, viewer):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(viewer_user)

    response = client.put(
        "/api/v1/me/personalization/", {"enabled": False}, format="json"
    )

    assert response.status_code == 403
    assert "CSRF" in str(response.json()["detail"])
    assert Viewer.objects.get(pk=viewer.pk).personalization_enabled is True


def test_the_api_is_throttled(api, monkeypatch):
    monkeypatch.setattr(ViewerRightsThrottle, "rate", "3/minute")

    codes = [api.get("/api/v1/me/tags/").status_code for _ in range(4)]

    assert codes == [200, 200, 200, 429]


def test_the_endpoints_are_in_the_schema(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()

    for path in (
        "/api/v1/me/tags/",
        "/api/v1/me/tags/{id}/",
        "/api/v1/me/personalization/",
        "/api/v1/me/feedback/",
        "/api/v1/me/data/",
    ):
        assert path in schema
