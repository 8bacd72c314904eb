"""A tiny catalogue and API keys for the intake tests."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from recengine.api.auth import hash_secret
from recengine.models import ApiKey, ApiScope, Category
from recengine.services.catalogue import upsert_catalogue

T0 = dt.datetime(2026, 11, 30, 20, 0, tzinfo=dt.UTC)


@pytest.fixture
def admin_user(db):
    return get_user_model().objects.create_user("ops-admin", password="x-Strong-pw-1")


@pytest.fixture
def catalogue(db):
    Category.objects.get_or_create(
        code="t-beauty", defaults={"name_zh": "测试美妆", "name_en": "Test beauty"}
    )
    upsert_catalogue(
        "viewers",
        [{"user_id": "u1", "region": "east", "spending_level": "high"}],
    )
    upsert_catalogue("merchants", [{"external_id": "m1", "name": "好物小店"}])
    upsert_catalogue("anchors", [{"external_id": "a1", "name": "小美"}])
    upsert_catalogue(
        "products",
        [
            {
                "external_id": "p1",
                "merchant": "m1",
                "category": "t-beauty",
                "title": "保湿面霜 50ml",
                "price": "89.00",
            }
        ],
    )
    upsert_catalogue(
        "rooms",
        [
            {
                "external_id": "r1",
                "anchor": "a1",
                "title": "护肤直播",
                "products": ["p1"],
            }
        ],
    )


def make_key(owner, scopes: list[str], *, revoked: bool = False) -> str:
    prefix = f"k{ApiKey.objects.count():05d}"
    ApiKey.objects.create(
        name="platform",
        prefix=prefix,
        key_hash=hash_secret("s3cret"),
        scopes=scopes,
        created_by=owner,
        revoked_at=T0 if revoked else None,
    )
    return f"Api-Key {prefix}.s3cret"


@pytest.fixture
def events_client(admin_user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=make_key(admin_user, [ApiScope.EVENTS_WRITE]))
    return client


@pytest.fixture
def catalogue_client(admin_user):
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=make_key(admin_user, [ApiScope.CATALOGUE_WRITE])
    )
    return client


def event_row(event_id: str, **overrides) -> dict:
    row = {
        "event_id": event_id,
        "kind": "click",
        "occurred_at": T0.isoformat(),
        "viewer": "u1",
        "room": "r1",
    }
    return row | overrides
