"""Personas and a small platform shared by the whole test suite.

Personas are users holding one role each, as the console knows them. ``platform``
builds a handful of entities and events at a fixed instant, so that figures derived
from it can be computed by hand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache

from console import roles
from recengine.models import (
    Anchor,
    BroadcastSession,
    Category,
    Event,
    EventKind,
    InterestSource,
    InterestTag,
    LiveRoom,
    Merchant,
    Product,
    Scene,
    Viewer,
    ViewerInterest,
)
from recengine.serving.latency import LATENCY

PERSONA_PASSWORD = "Persona-pass-2026"
SHANGHAI = ZoneInfo("Asia/Shanghai")
# 15:00 in Shanghai; local midnight is 2026-03-09 16:00 UTC, so "today" straddles
# two UTC dates and a day computed in UTC would be wrong.
PLATFORM_NOW = dt.datetime(2026, 3, 10, 15, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    """Each test starts with an empty cache.

    Serving keeps markers there (active model, policy version, "not interested"),
    and with Redis they outlive the database of the test that wrote them; a marker
    naming another test's model or policy would steer this one.
    """
    cache.clear()


@pytest.fixture(autouse=True)
def fresh_latency_log() -> Iterator[None]:
    """Response times of another test's answers must not be written into this one."""
    LATENCY.discard()
    yield
    LATENCY.discard()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    # PBKDF2's deliberate slowness protects stored passwords, not test fixtures.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def persona_password() -> str:
    """Every persona signs in with this password."""
    return PERSONA_PASSWORD


@pytest.fixture
def role_groups(db) -> dict[str, Group]:
    return {group.name: group for group in roles.ensure_roles()}


def _persona(username: str, group: Group | None = None, **flags):
    user = get_user_model().objects.create_user(
        username, password=PERSONA_PASSWORD, **flags
    )
    if group is not None:
        user.groups.add(group)
    return user


@pytest.fixture
def trust_safety_user(role_groups):
    return _persona("ts-lin", role_groups[roles.TRUST_SAFETY])


@pytest.fixture
def reviewer_user(role_groups):
    return _persona("rev-zhao", role_groups[roles.REVIEWER])


@pytest.fixture
def compliance_officer(role_groups):
    return _persona("co-wang", role_groups[roles.COMPLIANCE_OFFICER])


@pytest.fixture
def platform_admin(role_groups):
    return _persona("pa-chen", role_groups[roles.PLATFORM_ADMIN])


@pytest.fixture
def superuser(role_groups):
    return _persona(
        "root-he", role_groups[roles.PLATFORM_ADMIN], is_staff=True, is_superuser=True
    )


@pytest.fixture
def outsider(role_groups):
    """Signed in, but holding no role at all."""
    return _persona("out-sun", None)


def _tag(code: str, name_zh: str, name_en: str, category: Category) -> InterestTag:
    tag, _ = InterestTag.objects.get_or_create(
        code=code,
        defaults={"name_zh": name_zh, "name_en": name_en, "category": category},
    )
    return tag


@pytest.fixture
def viewer_user(role_groups):
    """A user linked to a viewer who holds two interest tags."""
    user = _persona("viewer-li", role_groups[roles.VIEWER])
    viewer = Viewer.objects.create(
        pseudonym="f" * 64,
        region="east",
        spending_level="high",
        user=user,
        created_at=PLATFORM_NOW - dt.timedelta(days=30),
    )
    beauty = _category("beauty", "美妆", "Beauty")
    food = _category("food", "食品", "Food")
    for tag, weight, source in (
        (_tag("skincare", "护肤", "Skincare", beauty), 0.8, InterestSource.LIVE),
        (_tag("snacks", "零食", "Snacks", food), 0.3, InterestSource.SHORT_VIDEO),
    ):
        ViewerInterest.objects.create(
            viewer=viewer,
            tag=tag,
            weight=weight,
            source=source,
            updated_at=PLATFORM_NOW,
        )
    return user


@pytest.fixture
def viewer(viewer_user) -> Viewer:
    """The platform viewer behind ``viewer_user``."""
    return viewer_user.viewer


def _category(code: str, name_zh: str, name_en: str) -> Category:
    category, _ = Category.objects.get_or_create(
        code=code, defaults={"name_zh": name_zh, "name_en": name_en}
    )
    return category


def _event(number: int, kind: EventKind, at: dt.datetime, **fields) -> Event:
    return Event(event_id=f"fx-{number:04d}", kind=kind, occurred_at=at, **fields)


def _platform_events(now: dt.datetime, viewers, rooms, products) -> list[Event]:
    """Today (local): 6 exposures, 2 clicks, 2 orders worth 140.00.

    Yesterday: 3 exposures, 1 click, 1 order of 25.50. Twenty days ago: 1 exposure,
    outside every chart. Two of today's exposures fall before 08:00 local, i.e. on
    the previous UTC date.
    """
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    imp, click, order = EventKind.IMPRESSION, EventKind.CLICK, EventKind.ORDER
    live = {"scene": Scene.LIVE_FEED, "strategy": "personalised"}
    plan = [
        (imp, midnight + dt.timedelta(minutes=30), rooms[0], None, None, live),
        (imp, midnight + dt.timedelta(hours=7), rooms[1], None, None, live),
        (imp, now - dt.timedelta(hours=3), rooms[0], None, None, live),
        (imp, now - dt.timedelta(hours=2), rooms[2], None, None, live),
        (imp, now - dt.timedelta(hours=1), None, products[0], None, {}),
        (imp, now - dt.timedelta(minutes=5), None, products[1], None, {}),
        (click, now - dt.timedelta(hours=3), rooms[0], None, None, {}),
        (click, now - dt.timedelta(minutes=50), None, products[0], None, {}),
        (order, now - dt.timedelta(minutes=40), None, products[0], "89.00", {}),
        (order, now - dt.timedelta(minutes=4), None, products[1], "51.00", {}),
        (imp, midnight - dt.timedelta(minutes=30), rooms[0], None, None, live),
        (imp, midnight - dt.timedelta(hours=5), rooms[1], None, None, live),
        (imp, midnight - dt.timedelta(hours=10), None, products[2], None, {}),
        (click, midnight - dt.timedelta(minutes=20), rooms[0], None, None, {}),
        (order, midnight - dt.timedelta(minutes=10), None, products[2], "25.50", {}),
        (imp, now - dt.timedelta(days=20), rooms[0], None, None, live),
    ]
    events = []
    for number, (kind, at, room, product, amount, extra) in enumerate(plan):
        events.append(
            _event(
                number,
                kind,
                at,
                viewer=viewers[number % len(viewers)],
                room=room,
                product=product,
                amount=Decimal(amount) if amount else None,
                **extra,
            )
        )
    return events


@pytest.fixture
def platform(db) -> SimpleNamespace:
    """Three rooms (two live), three products, two merchants, two viewers, events."""
    now = PLATFORM_NOW
    beauty = _category("beauty", "美妆", "Beauty")
    food = _category("food", "食品", "Food")
    created = now - dt.timedelta(days=60)

    merchants = [
        Merchant.objects.create(external_id="m-1", name="好物小店", created_at=created),
        Merchant.objects.create(external_id="m-2", name="田园食品", created_at=created),
    ]
    anchors = [
        Anchor.objects.create(
            external_id="a-1", name="小美", specialty=beauty, created_at=created
        ),
        Anchor.objects.create(
            external_id="a-2",
            name="数字人小智",
            is_digital_human=True,
            specialty=food,
            created_at=created,
        ),
    ]
    products = [
        Product.objects.create(
            external_id=f"p-{index}",
            merchant=merchant,
            category=category,
            title=title,
            price=Decimal(price),
            created_at=created,
        )
        for index, (merchant, category, title, price) in enumerate(
            [
                (merchants[0], beauty, "保湿面霜 50ml", "89.00"),
                (merchants[1], food, "坚果礼盒", "51.00"),
                (merchants[1], food, "手工牛肉干", "25.50"),
            ],
            start=1,
        )
    ]
    rooms = [
        LiveRoom.objects.create(
            external_id=f"r-{index}",
            anchor=anchor,
            merchant=merchant,
            category=category,
            title=title,
            created_at=created,
        )
        for index, (anchor, merchant, category, title) in enumerate(
            [
                (anchors[0], merchants[0], beauty, "护肤直播间"),
                (anchors[1], merchants[1], food, "零食夜市"),
                (anchors[0], None, beauty, "彩妆教学"),
            ],
            start=1,
        )
    ]
    rooms[0].products.add(products[0])
    rooms[1].products.add(products[1], products[2])

    sessions = [
        BroadcastSession.objects.create(
            external_id="s-1", room=rooms[0], started_at=now - dt.timedelta(hours=4)
        ),
        BroadcastSession.objects.create(
            external_id="s-2",
            room=rooms[1],
            started_at=now - dt.timedelta(hours=10),
            ended_at=now - dt.timedelta(hours=6),
        ),
        BroadcastSession.objects.create(
            external_id="s-3", room=rooms[2], started_at=now - dt.timedelta(hours=2)
        ),
    ]
    viewers = [
        Viewer.objects.create(
            pseudonym=f"{index}" * 64,
            region=region,
            spending_level=level,
            created_at=created,
        )
        for index, (region, level) in enumerate(
            [("east", "high"), ("south", "low")], start=1
        )
    ]
    events = Event.objects.bulk_create(_platform_events(now, viewers, rooms, products))

    return SimpleNamespace(
        now=now,
        categories=[beauty, food],
        merchants=merchants,
        anchors=anchors,
        products=products,
        rooms=rooms,
        sessions=sessions,
        viewers=viewers,
        events=events,
    )
