"""``manage.py screen_content`` on a simulated platform: what the simulator planted
(absolute claims, undeclared AI impostors, stripped picture labels) is caught."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from recengine.models import Anchor, GroundTruth, Product, TruthKind
from recengine.moderation.models import (
    AigcCase,
    AigcLabel,
    ContentKind,
    LabelTier,
    ModerationCase,
    Queue,
    Verdict,
)
from recengine.moderation.policy_source import collect

UNTIL = dt.datetime(2026, 11, 30, 13, 30, tzinfo=dt.UTC)


@pytest.fixture
def simulated(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command(
        "simulate",
        "--seed=11",
        "--viewers=150",
        "--days=1",
        f"--until={UNTIL.isoformat()}",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )


def _truth(kind: str) -> dict[str, dict]:
    rows = GroundTruth.objects.filter(kind=kind).values_list(
        "external_id", "attributes"
    )
    return dict(rows)


def test_screen_content_catches_what_the_simulator_planted(simulated):
    out = io.StringIO()

    call_command(
        "screen_content", "--seed=3", "--register-simulated-figures", stdout=out
    )

    text = out.getvalue()
    assert "precision" in text and "recall" in text

    claims = {
        key for key, row in _truth(TruthKind.PRODUCT).items() if row["absolute_claims"]
    }
    flagged = set(
        ModerationCase.objects.filter(
            kind=ContentKind.PRODUCT, high_risk=True, current=True
        ).values_list("product__external_id", flat=True)
    )
    assert claims and claims <= flagged
    withheld = set(
        Product.objects.filter(pk__in=collect().unreviewed_products).values_list(
            "external_id", flat=True
        )
    )
    assert claims <= withheld

    impostors = {
        key for key, row in _truth(TruthKind.ANCHOR).items() if row["impersonates"]
    }
    blocked = set(
        Anchor.objects.filter(pk__in=collect().blocked_anchors).values_list(
            "external_id", flat=True
        )
    )
    assert impostors and blocked == impostors
    assert AigcCase.objects.filter(verdict=Verdict.IMPERSONATION).count() == len(
        impostors
    )

    pictures = _truth(TruthKind.PRODUCT)
    generated = {key for key, row in pictures.items() if row["ai_generated_image"]}
    stripped = {
        key
        for key, row in pictures.items()
        if row["ai_generated_image"] and not row["implicit_aigc_label"]
    }
    labelled = set(
        AigcLabel.objects.filter(active=True)
        .exclude(product=None)
        .values_list("product__external_id", flat=True)
    )
    assert labelled == generated
    verified = set(
        AigcLabel.objects.filter(active=True, tier=LabelTier.VERIFIED).values_list(
            "product__external_id", flat=True
        )
    )
    assert verified == generated - stripped
    cases = set(
        AigcCase.objects.filter(verdict=Verdict.STRIPPED).values_list(
            "product__external_id", flat=True
        )
    )
    assert cases == stripped


def test_screen_content_again_screens_nothing_new(simulated):
    call_command("screen_content", "--seed=3", stdout=io.StringIO())
    cases = ModerationCase.objects.count()
    out = io.StringIO()

    call_command("screen_content", stdout=out)

    assert "screened 0 elements" in out.getvalue()
    assert ModerationCase.objects.count() == cases
    assert ModerationCase.objects.filter(queue=Queue.AIGC).exists()
