"""Trust & safety fixtures: a second trust & safety person for four-eyes actions,
API clients and a serving process that forgets its policy between tests."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from rest_framework.test import APIClient

from console import roles
from recengine import serving
from recengine.governance.publishing import POLICY_VERSION_KEY
from recengine.services.apikeys import issue_api_key


@pytest.fixture
def second_trust_user(role_groups, persona_password):
    user = get_user_model().objects.create_user("ts-zhou", password=persona_password)
    user.groups.add(role_groups[roles.TRUST_SAFETY])
    return user


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def api(trust_safety_user) -> APIClient:
    return client_for(trust_safety_user)


@pytest.fixture
def key_for(platform_admin):
    def issue(*scopes: str) -> APIClient:
        key, token = issue_api_key(
            actor=platform_admin, name="trust tool", scopes=scopes
        )
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {token}")
        client.key_prefix = key.prefix
        return client

    return issue


@pytest.fixture(autouse=True)
def fresh_serving():
    """Serving state of one test (policy snapshot, catalogue, the shared policy
    marker) never leaks into the next, whose database starts again at version 0."""
    cache.delete(POLICY_VERSION_KEY)
    serving.runtime()  # built now, so that reset reaches its policy snapshot
    serving.reset()
    yield
    cache.delete(POLICY_VERSION_KEY)
    serving.reset()
