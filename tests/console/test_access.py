"""Who reaches which page of the console and the portal."""

from __future__ import annotations

import pytest
from django.urls import reverse

CATALOGUE = [
    "console:anchors",
    "console:merchants",
    "console:products",
    "console:rooms",
]
STAFF = ["trust_safety_user", "reviewer_user", "compliance_officer", "platform_admin"]
ALL_PAGES = ["console:home", *CATALOGUE, "console:apikeys", "portal:home"]


def _get(client, user, name):
    if user is not None:
        client.force_login(user)
    return client.get(reverse(name))


@pytest.mark.django_db
@pytest.mark.parametrize("name", ALL_PAGES + ["console:password_change"])
def test_anonymous_is_sent_to_login(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 302
    assert response.url.startswith(reverse("console:login") + "?next=")


@pytest.mark.parametrize("persona", STAFF)
@pytest.mark.parametrize("name", ["console:home", *CATALOGUE])
def test_every_staff_role_sees_dashboard_and_catalogue(request, client, persona, name):
    user = request.getfixturevalue(persona)

    assert _get(client, user, name).status_code == 200


@pytest.mark.parametrize(
    "persona", ["trust_safety_user", "reviewer_user", "compliance_officer"]
)
def test_only_platform_admins_manage_api_keys(request, client, persona):
    user = request.getfixturevalue(persona)

    assert _get(client, user, "console:apikeys").status_code == 403


def test_platform_admin_manages_api_keys(client, platform_admin):
    assert _get(client, platform_admin, "console:apikeys").status_code == 200


@pytest.mark.parametrize("name", [n for n in ALL_PAGES if n != "portal:home"])
def test_outsider_is_refused_the_console(client, outsider, name):
    assert _get(client, outsider, name).status_code == 403


def test_outsider_is_refused_the_portal(client, outsider):
    assert _get(client, outsider, "portal:home").status_code == 403


@pytest.mark.parametrize("name", [n for n in ALL_PAGES if n != "portal:home"])
def test_viewer_cannot_see_the_staff_console(client, viewer_user, name):
    assert _get(client, viewer_user, name).status_code == 403


def test_viewer_sees_the_portal(client, viewer_user):
    assert _get(client, viewer_user, "portal:home").status_code == 200


@pytest.mark.parametrize("persona", STAFF)
def test_staff_without_a_viewer_gets_403_on_the_portal(request, client, persona):
    user = request.getfixturevalue(persona)

    assert _get(client, user, "portal:home").status_code == 403


def test_inactive_staff_member_is_signed_out(client, reviewer_user):
    client.force_login(reviewer_user)
    reviewer_user.is_active = False
    reviewer_user.save()

    response = client.get(reverse("console:home"))

    assert response.status_code == 302


def test_navigation_follows_the_role(client, platform_admin, reviewer_user, superuser):
    admin_page = _get(client, platform_admin, "console:home").content.decode()
    reviewer_page = _get(client, reviewer_user, "console:home").content.decode()
    super_page = _get(client, superuser, "console:home").content.decode()

    assert reverse("console:apikeys") in admin_page
    assert reverse("console:apikeys") not in reviewer_page
    assert reverse("admin:index") not in admin_page
    assert reverse("admin:index") in super_page


@pytest.mark.parametrize(
    ("persona", "target"),
    [("viewer_user", "portal:home"), ("compliance_officer", "console:home")],
)
def test_front_door_sends_each_user_to_their_home(request, client, persona, target):
    client.force_login(request.getfixturevalue(persona))

    response = client.get("/")

    assert response.status_code == 302
    assert response.url == reverse(target)


def test_refusal_page_explains_and_points_a_viewer_to_the_portal(client, viewer_user):
    client.force_login(viewer_user)

    response = client.get(reverse("console:home"), HTTP_ACCEPT_LANGUAGE="en")

    page = response.content.decode()
    assert response.status_code == 403
    assert "does not hold a role" in page
    assert reverse("portal:home") in page
