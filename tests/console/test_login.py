"""Sign-in with rate limiting, sign-out by POST, password change, CSRF."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from console import ratelimit

LOGIN = reverse("console:login")


ADDRESSES = ("10.0.0.1", "10.0.0.2")
USERNAMES = ("rev-zhao", "out-sun", "viewer-li", "co-wang", "root-he")


def _forget_failures() -> None:
    # Only our own counters: the cache may be a Redis database others use too.
    for username in USERNAMES:
        for address in ADDRESSES:
            ratelimit.reset(username, address)


@pytest.fixture(autouse=True)
def _fresh_counters():
    _forget_failures()
    yield
    _forget_failures()


def _login(client, username, password, address="10.0.0.1", **extra):
    data = {"username": username, "password": password, **extra}
    return client.post(LOGIN, data, REMOTE_ADDR=address)


@pytest.mark.django_db
def test_login_page_renders_a_csrf_protected_form(client):
    response = client.get(LOGIN)

    assert response.status_code == 200
    assert b'name="csrfmiddlewaretoken"' in response.content


def test_staff_member_lands_in_the_console(client, reviewer_user, persona_password):
    response = _login(client, "rev-zhao", persona_password)

    assert response.status_code == 302
    assert response.url == reverse("console:home")


def test_viewer_lands_in_the_portal(client, viewer_user, persona_password):
    response = _login(client, "viewer-li", persona_password)

    assert response.url == reverse("portal:home")


def test_next_page_is_honoured(client, reviewer_user, persona_password):
    target = reverse("console:products")

    response = _login(client, "rev-zhao", persona_password, next=target)

    assert response.url == target


def test_wrong_password_is_refused(client, reviewer_user):
    response = _login(client, "rev-zhao", "wrong")

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_repeated_failures_lock_username_and_address(
    client, reviewer_user, persona_password
):
    for _ in range(ratelimit.MAX_FAILURES):
        _login(client, "rev-zhao", "wrong", HTTP_ACCEPT_LANGUAGE="en")

    response = client.post(
        LOGIN,
        {"username": "rev-zhao", "password": persona_password},
        REMOTE_ADDR="10.0.0.1",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "15 minutes" in response.content.decode()


def test_lock_is_per_address_and_per_username(
    client, reviewer_user, outsider, persona_password
):
    for _ in range(ratelimit.MAX_FAILURES):
        _login(client, "rev-zhao", "wrong", address="10.0.0.1")

    from_elsewhere = _login(Client(), "rev-zhao", persona_password, address="10.0.0.2")
    other_user = _login(Client(), "out-sun", persona_password, address="10.0.0.1")

    assert from_elsewhere.status_code == 302
    assert other_user.status_code == 302


def test_success_resets_the_failure_count(client, reviewer_user, persona_password):
    for _ in range(ratelimit.MAX_FAILURES - 1):
        _login(client, "rev-zhao", "wrong")

    _login(client, "rev-zhao", persona_password)

    assert ratelimit.failures("rev-zhao", "10.0.0.1") == 0


def test_login_without_csrf_token_is_refused(reviewer_user, persona_password):
    client = Client(enforce_csrf_checks=True)

    response = _login(client, "rev-zhao", persona_password)

    assert response.status_code == 403


def test_logout_needs_post(client, reviewer_user):
    client.force_login(reviewer_user)

    assert client.get(reverse("console:logout")).status_code == 405
    response = client.post(reverse("console:logout"))

    assert response.status_code == 302
    assert response.url == LOGIN
    assert "_auth_user_id" not in client.session


def test_password_change(client, compliance_officer, persona_password):
    client.force_login(compliance_officer)
    new = "Another-long-pass-77"

    response = client.post(
        reverse("console:password_change"),
        {"old_password": persona_password, "new_password1": new, "new_password2": new},
    )

    assert response.status_code == 302
    assert response.url == reverse("console:password_change_done")
    compliance_officer.refresh_from_db()
    assert compliance_officer.check_password(new)
    assert client.get(response.url).status_code == 200


def test_admin_login_is_throttled_too(client, superuser, persona_password):
    url = reverse("admin:login")
    for _ in range(ratelimit.MAX_FAILURES):
        client.post(
            url, {"username": "root-he", "password": "wrong"}, REMOTE_ADDR="10.0.0.1"
        )

    response = client.post(
        url,
        {"username": "root-he", "password": persona_password},
        REMOTE_ADDR="10.0.0.1",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
