"""Portal pages of viewer rights, the public explanation and the staff tag page."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from recengine.models import (
    DataExport,
    Event,
    EventKind,
    InterestTag,
    TagSuppression,
    Viewer,
    ViewerInterest,
)
from recengine.services import rights
from tests.conftest import PLATFORM_NOW


def _page(client, user, name, **kwargs):
    client.force_login(user)
    response = client.get(reverse(name, **kwargs), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def test_tags_page_shows_source_example_and_delete_buttons(client, viewer_user, viewer):
    viewer.interests.filter(tag__code="skincare").update(example="护肤直播间")

    page = _page(client, viewer_user, "portal:home")

    assert "For example: “护肤直播间”" in page
    assert "Delete all my tags" in page
    assert page.count('class="danger"') == 3


def test_deleting_a_tag_from_the_portal(client, viewer_user, viewer):
    interest = viewer.interests.get(tag__code="skincare")
    client.force_login(viewer_user)

    response = client.post(reverse("portal:delete_tag", args=[interest.pk]))

    assert response.status_code == 302
    assert not viewer.interests.filter(pk=interest.pk).exists()
    assert TagSuppression.objects.filter(viewer=viewer, tag=interest.tag).exists()


def test_another_viewers_tag_is_a_404_on_the_portal(client, viewer_user, other_viewer):
    theirs = other_viewer.interests.get()
    client.force_login(viewer_user)

    response = client.post(reverse("portal:delete_tag", args=[theirs.pk]))

    assert response.status_code == 404
    assert ViewerInterest.objects.filter(pk=theirs.pk).exists()


def test_deleting_all_tags_from_the_portal(client, viewer_user, viewer):
    client.force_login(viewer_user)

    client.post(reverse("portal:delete_all_tags"))

    page = _page(client, viewer_user, "portal:home")
    assert "holds no interest tags for you yet" in page
    assert TagSuppression.objects.filter(viewer=viewer).count() == 2


def test_a_delete_needs_a_post(client, viewer_user, viewer):
    interest = viewer.interests.first()
    client.force_login(viewer_user)

    response = client.get(reverse("portal:delete_tag", args=[interest.pk]))

    assert response.status_code == 405
    assert viewer.interests.filter(pk=interest.pk).exists()


def test_the_portal_forms_need_the_csrf_token(viewer_user, viewer):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(viewer_user)

    response = client.post(reverse("portal:personalization"), {"enabled": "off"})

    assert response.status_code == 403
    assert Viewer.objects.get(pk=viewer.pk).personalization_enabled is True


def test_personalisation_switch_with_its_history(client, viewer_user, viewer):
    client.force_login(viewer_user)

    client.post(reverse("portal:personalization"), {"enabled": "off"})
    page = _page(client, viewer_user, "portal:personalization")

    assert "Switch personalisation on" in page
    assert "viewer-li" in page  # who switched, in the history table
    assert Viewer.objects.get(pk=viewer.pk).personalization_enabled is False


def test_a_bad_switch_value_changes_nothing(client, viewer_user, viewer):
    client.force_login(viewer_user)

    client.post(reverse("portal:personalization"), {"enabled": "sideways"})

    assert Viewer.objects.get(pk=viewer.pk).personalization_enabled is True
    assert viewer.history.count() == 1


def test_my_data_downloads_json_and_is_recorded(client, viewer_user, viewer):
    client.force_login(viewer_user)

    response = client.get(reverse("portal:data") + "?download=1")

    assert response["Content-Type"].startswith("application/json")
    data = json.loads(response.content)
    assert {t["tag"] for t in data["interest_tags"]} == {"skincare", "snacks"}
    assert DataExport.objects.filter(viewer=viewer).count() == 1


def test_preview_shows_reasons_and_a_not_interested_button(
    client, viewer_user, viewer, platform
):
    page = _page(client, viewer_user, "portal:preview")

    assert "Why this:" in page
    assert page.count("Not interested</button>") >= 1
    assert 'data-strategy="' in page


def test_not_interested_from_the_preview(client, viewer_user, viewer, platform):
    client.force_login(viewer_user)

    response = client.post(
        reverse("portal:not_interested"),
        {"item": "p-1", "item_kind": "product", "next": "/portal/recommendations/"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/portal/recommendations/"
    event = Event.objects.get(viewer=viewer, kind=EventKind.NOT_INTERESTED)
    assert event.product == platform.products[0]


def test_not_interested_never_redirects_off_site(client, viewer_user, platform):
    client.force_login(viewer_user)

    response = client.post(
        reverse("portal:not_interested"),
        {"item": "p-1", "item_kind": "product", "next": "https://evil.example/"},
    )

    assert "evil" not in response["Location"]


@pytest.mark.parametrize(
    "name",
    [
        "portal:home",
        "portal:personalization",
        "portal:data",
        "portal:preview",
    ],
)
def test_portal_pages_refuse_the_anonymous_and_non_viewers(client, outsider, name):
    assert client.get(reverse(name)).status_code == 302  # to the login page
    client.force_login(outsider)
    assert client.get(reverse(name)).status_code == 403


def test_how_recommendations_work_is_public_and_follows_the_config(
    client, db, platform_admin
):
    from recengine.services.lifecycle import publish_ranking_config

    publish_ranking_config(
        actor=platform_admin,
        weights={
            "ctr": 0.1,
            "cvr": 0.1,
            "quality": 0.6,
            "satisfaction": 0.1,
            "merchant_health": 0.1,
        },
        rerank={"max_per_anchor": 1},
        reason="quality first",
    )

    response = client.get(reverse("portal:how_it_works"), HTTP_ACCEPT_LANGUAGE="en")

    page = response.content.decode()
    assert response.status_code == 200
    assert "60%" in page  # the quality weight's share of the score
    assert "at most 1 items per anchor" in page
    assert "version 1" in page
    assert "Not personalised" in page


def test_staff_see_the_vocabulary_and_banned_tag_violations(
    client, trust_safety_user, viewer
):
    banned = InterestTag.objects.get(code="religious-belief")
    ViewerInterest.objects.create(
        viewer=viewer, tag=banned, weight=0.1, source="live", updated_at=PLATFORM_NOW
    )

    page = _page(client, trust_safety_user, "console:tags")

    assert 'id="violations"' in page
    assert "Religious belief" in page
    assert viewer.pseudonym[:12] in page


def test_staff_purge_removes_banned_tags_with_history(
    client, trust_safety_user, viewer
):
    banned = InterestTag.objects.get(code="ethnicity")
    ViewerInterest.objects.create(
        viewer=viewer, tag=banned, weight=0.1, source="live", updated_at=PLATFORM_NOW
    )
    client.force_login(trust_safety_user)

    client.post(reverse("console:tags_purge"))

    assert not rights.banned_tag_holdings().exists()
    record = ViewerInterest.history.get(tag_id=banned.pk, history_type="-")
    assert record.history_user == trust_safety_user
    page = _page(client, trust_safety_user, "console:tags")
    assert 'id="no-violations"' in page


def test_the_staff_tag_page_is_for_trust_and_safety(client, reviewer_user, viewer_user):
    for user in (reviewer_user, viewer_user):
        client.force_login(user)
        assert client.get(reverse("console:tags")).status_code == 403
        assert client.post(reverse("console:tags_purge")).status_code == 403
