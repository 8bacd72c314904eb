"""API keys: issued once through the console, authenticate, revoked with a reason."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework import exceptions
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from recengine.api.auth import ApiKeyAuthentication, ServiceUser, hash_secret
from recengine.models import ApiKey, ApiScope
from recengine.services.apikeys import ApiKeyError, issue_api_key, revoke_api_key


class WhoAmI(APIView):
    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [IsAuthenticated]

    def get(self, request):
        return Response({"caller": str(request.user)})


def _call(token: str):
    request = APIRequestFactory().get("/whoami/", HTTP_AUTHORIZATION=f"Api-Key {token}")
    return WhoAmI.as_view()(request)


def _issue(client, name="order system", scopes=(ApiScope.EVENTS_WRITE,)):
    return client.post(
        reverse("console:apikey_issue"),
        {"name": name, "scopes": list(scopes)},
        HTTP_ACCEPT_LANGUAGE="en",
    )


@pytest.fixture
def admin_client(client, platform_admin):
    client.force_login(platform_admin)
    return client


def test_issued_secret_is_shown_once_and_authenticates(admin_client):
    response = _issue(admin_client)

    token = response.context["token"]
    key = ApiKey.objects.get()
    assert response.status_code == 200
    assert token in response.content.decode()
    assert token.startswith(key.prefix + ".")
    assert key.key_hash == hash_secret(token.split(".", 1)[1])
    assert response.headers["Cache-Control"].startswith("max-age=0")
    assert token not in admin_client.get(reverse("console:apikeys")).content.decode()

    answer = _call(token)
    assert answer.status_code == 200
    assert answer.data["caller"] == f"api-key:{key.prefix}"


def test_list_shows_prefix_scopes_creator_and_state(admin_client, platform_admin):
    _issue(admin_client, name="catalogue sync", scopes=[ApiScope.CATALOGUE_WRITE])

    page = admin_client.get(reverse("console:apikeys"), HTTP_ACCEPT_LANGUAGE="en")

    key = ApiKey.objects.get()
    text = page.content.decode()
    assert key.prefix in text
    assert "catalogue:write" in text
    assert platform_admin.username in text
    assert "Active" in text


def test_issue_needs_a_name_and_a_scope(admin_client):
    response = admin_client.post(reverse("console:apikey_issue"), {"name": " "})

    assert response.status_code == 400
    assert ApiKey.objects.count() == 0


def test_unknown_scope_is_refused(admin_client):
    response = _issue(admin_client, scopes=["everything:write"])

    assert response.status_code == 400
    assert ApiKey.objects.count() == 0


def test_revoke_makes_the_key_fail(admin_client, platform_admin):
    token = _issue(admin_client).context["token"]
    key = ApiKey.objects.get()

    response = admin_client.post(
        reverse("console:apikey_revoke", args=[key.pk]),
        {"reason": "service decommissioned"},
    )

    assert response.status_code == 302
    key.refresh_from_db()
    assert key.revoked_by == platform_admin
    assert key.revoked_at is not None
    assert _call(token).status_code in (401, 403)
    listing = admin_client.get(reverse("console:apikeys")).content.decode()
    assert "service decommissioned" in listing
    with pytest.raises(exceptions.AuthenticationFailed, match="revoked"):
        ApiKeyAuthentication().authenticate(
            APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"Api-Key {token}")
        )


def test_revoke_needs_a_reason(admin_client):
    _issue(admin_client)
    key = ApiKey.objects.get()

    response = admin_client.post(
        reverse("console:apikey_revoke", args=[key.pk]), {"reason": ""}
    )

    assert response.status_code == 400
    key.refresh_from_db()
    assert key.revoked_at is None


def test_history_records_issue_and_revoke_with_reasons(platform_admin):
    key, _token = issue_api_key(
        actor=platform_admin, name="ranking", scopes=[ApiScope.RECOMMENDATIONS_READ]
    )
    revoke_api_key(actor=platform_admin, key=key, reason="leaked in a log")

    rows = list(key.history.order_by("history_date"))
    assert [row.history_type for row in rows] == ["+", "~"]
    assert rows[0].history_change_reason == "issued with scopes recommendations:read"
    assert rows[1].history_change_reason == "revoked: leaked in a log"
    assert {row.history_user for row in rows} == {platform_admin}


def test_prefixes_are_random_and_secrets_unrelated(platform_admin):
    first, first_token = issue_api_key(
        actor=platform_admin, name="a", scopes=[ApiScope.EVENTS_WRITE]
    )
    second, second_token = issue_api_key(
        actor=platform_admin, name="b", scopes=[ApiScope.EVENTS_WRITE]
    )

    assert first.prefix != second.prefix
    assert first_token.split(".")[1] != second_token.split(".")[1]
    assert len(first_token.split(".")[1]) >= 40


def test_revoking_twice_is_refused(platform_admin):
    key, _ = issue_api_key(actor=platform_admin, name="a", scopes=["events:write"])
    revoke_api_key(actor=platform_admin, key=key, reason="rotation")

    with pytest.raises(ApiKeyError):
        revoke_api_key(actor=platform_admin, key=key, reason="again")
    assert key.history.count() == 2


def test_wrong_secret_is_refused(platform_admin):
    key, _ = issue_api_key(actor=platform_admin, name="a", scopes=["events:write"])

    response = _call(f"{key.prefix}.not-the-secret")

    assert response.status_code in (401, 403)


def test_service_user_is_not_a_person(platform_admin):
    key, token = issue_api_key(actor=platform_admin, name="a", scopes=["events:write"])

    user, auth = ApiKeyAuthentication().authenticate(
        APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"Api-Key {token}")
    )

    assert isinstance(user, ServiceUser)
    assert auth == key
