"""Viewers of the rights tests: the persona ``viewer`` and a second, other viewer."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from rest_framework.test import APIClient

from console import roles
from recengine import serving
from recengine.models import InterestTag, Viewer, ViewerInterest
from tests.browser.conftest import browser  # noqa: F401  (the Selenium driver)
from tests.conftest import PERSONA_PASSWORD, PLATFORM_NOW
from tests.engine.conftest import trained  # noqa: F401  (trained engine, per package)


@pytest.fixture(autouse=True)
def clean_state():
    # Throttle counters and engine markers live in the process cache.
    cache.clear()
    serving.reset()
    yield
    cache.clear()
    serving.reset()


@pytest.fixture
def other_viewer(role_groups) -> Viewer:
    """Another signed-up viewer holding a tag of their own."""
    user = get_user_model().objects.create_user("viewer-wu", password=PERSONA_PASSWORD)
    user.groups.add(role_groups[roles.VIEWER])
    viewer = Viewer.objects.create(
        pseudonym="e" * 64,
        region="south",
        spending_level="low",
        user=user,
        created_at=PLATFORM_NOW - dt.timedelta(days=10),
    )
    ViewerInterest.objects.create(
        viewer=viewer,
        tag=InterestTag.objects.get(code="fitness"),
        weight=0.7,
        source="live",
        updated_at=PLATFORM_NOW,
    )
    return viewer


@pytest.fixture
def api(viewer_user) -> APIClient:
    client = APIClient()
    client.force_login(viewer_user)
    return client
