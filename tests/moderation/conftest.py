"""A screened platform: the shared ``platform`` plus a product and a room that make
absolute claims, screened by a small trained screen."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from recengine.models import LiveRoom, Product
from recengine.moderation.models import ModerationCase
from recengine.moderation.services import screen_catalogue, train_screen


@pytest.fixture
def screen_model(db):
    # 150 examples per kind keep the fit about a second; the figures test trains
    # at full size.
    return train_screen(actor=None, seed=11, per_kind=150)


@pytest.fixture
def screened(platform, screen_model) -> SimpleNamespace:
    created = platform.now - dt.timedelta(days=3)
    claim = Product.objects.create(
        external_id="p-claim",
        merchant=platform.merchants[0],
        category=platform.categories[0],
        title="全网第一面霜｜国家级品质 限时特惠",
        description="本店面霜最佳，100%有效，无任何副作用。",
        price=Decimal("99.00"),
        created_at=created,
    )
    loud = LiveRoom.objects.create(
        external_id="r-claim",
        anchor=platform.anchors[0],
        merchant=platform.merchants[0],
        category=platform.categories[0],
        title="最好的面霜！根治痘痘",
        created_at=created,
    )
    report = screen_catalogue(actor=None, now=platform.now)
    return SimpleNamespace(
        platform=platform,
        claim_product=claim,
        claim_room=loud,
        report=report,
        case_of=lambda **target: ModerationCase.objects.get(current=True, **target),
    )


@pytest.fixture(autouse=True)
def fresh_serving():
    """Each test starts serving with no policy held (its database restarts at
    policy version 0)."""
    from django.core.cache import cache

    from recengine import serving
    from recengine.governance.publishing import POLICY_VERSION_KEY

    # A marker another test's database announced must not outrank this one's.
    cache.delete(POLICY_VERSION_KEY)
    serving.reset()
    serving.runtime().policy_provider.invalidate()
    yield
    serving.reset()
    serving.runtime().policy_provider.invalidate()


@pytest.fixture
def second_reviewer(role_groups, persona_password):
    from django.contrib.auth import get_user_model

    from console import roles

    user = get_user_model().objects.create_user("rev-qian", password=persona_password)
    user.groups.add(role_groups[roles.REVIEWER])
    return user


@pytest.fixture
def api_for():
    from rest_framework.test import APIClient

    def client(user) -> APIClient:
        # Refusals are asserted by their English wording.
        api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        if user is not None:
            api.force_authenticate(user)
        return api

    return client
