"""``manage.py simulate``: determinism, refusals and all-or-nothing runs."""

from __future__ import annotations

import hashlib
from collections import Counter

import pytest
from django.core.management import CommandError
from django.utils import translation

from recengine.models import (
    Anchor,
    BroadcastSession,
    Event,
    GroundTruth,
    LiveRoom,
    Merchant,
    Product,
    SimulationRun,
    Viewer,
)
from recengine.services.catalogue import upsert_catalogue
from recengine.simulator import traffic
from tests.simulator.conftest import UNTIL, run_simulation

MODELS = [Viewer, Anchor, Merchant, Product, LiveRoom, BroadcastSession, Event]


def table_counts() -> dict[str, int]:
    counts = {model.__name__: model.objects.count() for model in MODELS}
    counts["runs"] = SimulationRun.objects.count()
    counts["truth"] = GroundTruth.objects.count()
    return counts


def catalogue_snapshot() -> list[tuple]:
    products = Product.objects.order_by("external_id").values_list(
        "external_id", "title", "description", "price", "image", "merchant__name"
    )
    anchors = Anchor.objects.order_by("external_id").values_list(
        "external_id", "name", "is_digital_human"
    )
    sessions = BroadcastSession.objects.order_by("external_id").values_list(
        "external_id", "room__external_id", "started_at", "ended_at", "transcript"
    )
    return [*products, *anchors, *sessions]


def event_multiset() -> Counter:
    rows = Event.objects.values_list(
        "kind",
        "occurred_at",
        "viewer__pseudonym",
        "room__external_id",
        "product__external_id",
        "position",
        "dwell_seconds",
        "amount",
        "quantity",
        "text",
    )
    return Counter(rows.iterator())


def image_digests(media_root) -> dict[str, str]:
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in media_root.rglob("*.png")
    }


@pytest.mark.django_db
def test_same_seed_rebuilds_the_same_platform(media_root):
    run_simulation()
    catalogue, events = catalogue_snapshot(), event_multiset()
    pictures = image_digests(media_root)

    run_simulation(replace=True)

    assert catalogue_snapshot() == catalogue
    assert event_multiset() == events
    assert image_digests(media_root) == pictures
    assert sum(events.values()) > 1000


@pytest.mark.django_db
def test_another_seed_builds_another_platform():
    run_simulation()
    first = catalogue_snapshot()

    run_simulation(seed=12, replace=True)

    assert catalogue_snapshot() != first
    assert SimulationRun.objects.get().seed == 12


@pytest.mark.django_db
def test_events_carry_the_served_exposures(simulated):
    stats = simulated.stats["events"]
    impressions = Event.objects.filter(kind=1)

    assert impressions.count() == stats["impression"]
    assert not impressions.filter(position__isnull=True).exists()
    assert set(impressions.values_list("strategy", flat=True)) == {"popularity"}
    assert set(impressions.values_list("policy_version", flat=True)) == {0}
    assert Event.objects.filter(kind=8).count() == stats["order"] > 0


@pytest.mark.parametrize(
    "options",
    [
        {"viewers": 0},
        {"viewers": -5},
        {"days": 0},
        {"days": 100_000},
        {"viewers": 10**9},
        {"seed": -1},
        {"rooms": 0},
        {"merchants": 10**7},
        {"until": "2026-11-30T13:30:00"},
        {"until": "not a date"},
        {"until": "2999-01-01T00:00:00+00:00"},
    ],
)
@pytest.mark.django_db
def test_nonsense_arguments_are_refused_and_change_nothing(options):
    before = table_counts()

    with pytest.raises(CommandError):
        run_simulation(**options)

    assert table_counts() == before


@pytest.mark.django_db
def test_the_catalogue_can_be_sized_apart_from_the_audience(media_root):
    run_simulation(viewers=40, days=1, rooms=7, merchants=5)

    assert LiveRoom.objects.count() == 7
    assert Anchor.objects.count() == 7
    assert Merchant.objects.count() == 5
    # About eight products per merchant, each listed by its own merchant.
    assert 5 * 4 <= Product.objects.count() <= 5 * 16


@pytest.mark.django_db
def test_an_existing_platform_needs_replace(simulated):
    before = table_counts()

    with translation.override("en"), pytest.raises(CommandError, match="--replace"):
        run_simulation(seed=99)

    assert table_counts() == before


@pytest.mark.django_db
def test_replace_never_deletes_a_platform_it_did_not_build():
    upsert_catalogue(
        "viewers", [{"user_id": "real-1", "region": "east", "spending_level": "low"}]
    )
    before = table_counts()

    with translation.override("en"), pytest.raises(CommandError, match="did not"):
        run_simulation(replace=True)

    assert table_counts() == before


def fail_on_second_day(original):
    def day(self, number: int) -> None:
        if number == 1:
            raise RuntimeError("disk full")
        original(self, number)

    return day


@pytest.mark.django_db
def test_a_failure_halfway_leaves_an_empty_database_empty(monkeypatch, media_root):
    monkeypatch.setattr(
        traffic.Traffic, "_day", fail_on_second_day(traffic.Traffic._day)
    )
    before = table_counts()

    with pytest.raises(RuntimeError, match="disk full"):
        run_simulation()

    assert table_counts() == before
    assert not list(media_root.rglob("*.png"))


@pytest.mark.django_db
def test_a_failed_replace_keeps_the_previous_platform(monkeypatch, media_root):
    run_simulation()
    before, catalogue = table_counts(), catalogue_snapshot()
    monkeypatch.setattr(
        traffic.Traffic, "_day", fail_on_second_day(traffic.Traffic._day)
    )

    with pytest.raises(RuntimeError, match="disk full"):
        run_simulation(seed=12, replace=True)

    assert table_counts() == before
    assert catalogue_snapshot() == catalogue
    for product in Product.objects.all():
        assert (media_root / product.image.name).exists()


def test_the_period_ends_at_the_given_moment(simulated):
    latest = Event.objects.order_by("-occurred_at").first().occurred_at
    earliest = Event.objects.order_by("occurred_at").first().occurred_at

    assert latest <= UNTIL
    assert simulated.stats["period_end"] == UNTIL.isoformat()
    assert (UNTIL - earliest).days >= 2  # short-video history precedes the period
