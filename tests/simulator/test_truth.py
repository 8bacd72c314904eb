"""The planted ground truth really shows in the data the simulator leaves behind."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import numpy as np
import pytest
from PIL import Image

from audits.checks.registry import AuditContext
from audits.checks.rights_metrics import price_dispersion
from audits.metrics.loaders import Period
from recengine.models import (
    Anchor,
    BroadcastSession,
    Event,
    EventKind,
    GroundTruth,
    LiveRoom,
    Product,
    TruthKind,
    ViewerIdentity,
)
from recengine.pseudonym import pseudonym_for
from recengine.simulator import vocab
from recengine.simulator.identity import id_check_digit
from tests.simulator.conftest import UNTIL


def truth(kind: str) -> dict[str, dict]:
    rows = GroundTruth.objects.filter(kind=kind)
    return {row.external_id: row.attributes for row in rows}


def has_claim(text: str) -> bool:
    return any(claim in text for claim in vocab.ABSOLUTE_CLAIMS)


def test_dishonest_merchants_draw_more_complaints(simulated):
    merchants = truth(TruthKind.MERCHANT)
    rates = {True: [0, 0], False: [0, 0]}
    for attributes in merchants.values():
        rates[attributes["dishonest"]][0] += attributes["complaints"]
        rates[attributes["dishonest"]][1] += attributes["orders"]

    dishonest_rate = rates[True][0] / max(rates[True][1], 1)
    honest_rate = rates[False][0] / max(rates[False][1], 1)
    assert rates[True][1] > 0 and rates[False][1] > 0
    assert dishonest_rate > 3 * honest_rate


def test_orders_carry_their_quantity_and_cost_price_times_quantity(simulated):
    orders = list(
        Event.objects.filter(kind=EventKind.ORDER).values_list(
            "amount", "quantity", "product__price"
        )
    )

    assert orders
    assert all(quantity >= 1 for _, quantity, _ in orders)
    assert [amount for amount, _, _ in orders] == [
        price * quantity for _, quantity, price in orders
    ]
    assert any(quantity > 1 for _, quantity, _ in orders)


def test_every_viewer_group_pays_one_unit_price_for_a_product(simulated):
    period = Period(UNTIL - dt.timedelta(days=3), UNTIL)
    context = AuditContext(period=period, now=UNTIL)

    for grouping in ("viewer.spending_level", "viewer.region"):
        measured = price_dispersion(context, {"grouping": grouping})
        assert measured.sample >= 1
        assert measured.value == pytest.approx(0.0), grouping


def test_complaints_reach_the_event_log_as_negative_comments(simulated):
    complaints = Event.objects.filter(
        kind=EventKind.COMMENT, text__in=vocab.COMPLAINT_TEXTS
    ).values_list("product__merchant__external_id", flat=True)
    by_merchant = Counter(complaints)
    merchants = truth(TruthKind.MERCHANT)

    assert sum(by_merchant.values()) == sum(m["complaints"] for m in merchants.values())
    dishonest = sum(n for m, n in by_merchant.items() if merchants[m]["dishonest"])
    assert dishonest > sum(by_merchant.values()) / 2


def test_absolute_claims_come_mostly_from_dishonest_merchants(simulated):
    merchants = truth(TruthKind.MERCHANT)
    claims = Counter()
    totals = Counter()
    for product in Product.objects.select_related("merchant"):
        dishonest = merchants[product.merchant.external_id]["dishonest"]
        totals[dishonest] += 1
        claims[dishonest] += has_claim(product.title + product.description)

    assert claims[True] / totals[True] > 0.5
    assert claims[False] / totals[False] < 0.15
    assert claims[True] > claims[False]


def test_ai_anchors_are_flagged_and_impostors_named(simulated):
    anchors = truth(TruthKind.ANCHOR)
    declared = set(
        Anchor.objects.filter(is_digital_human=True).values_list(
            "external_id", flat=True
        )
    )
    ai = {key for key, value in anchors.items() if value["is_ai"]}
    impostors = {
        key: value["impersonates"]
        for key, value in anchors.items()
        if value["impersonates"]
    }

    assert declared and declared < ai  # some AI anchors do not declare themselves
    assert all(anchors[key]["declared_ai"] for key in declared)
    assert impostors and set(impostors) <= ai - declared
    figures = dict(vocab.PUBLIC_FIGURES)
    for key, figure in impostors.items():
        assert figures[figure] in Anchor.objects.get(external_id=key).name


def spec_density(text: str) -> float:
    return sum(text.count(term) for term in vocab.ALL_SPEC_TERMS) / max(len(text), 1)


def test_expert_transcripts_explain_more_and_shout_less(simulated):
    anchors = truth(TruthKind.ANCHOR)
    density = {"expert": [], "hype": []}
    urgency = {"expert": [], "hype": []}
    for session in BroadcastSession.objects.select_related("room__anchor"):
        style = anchors[session.room.anchor.external_id]["style"]
        density[style].append(spec_density(session.transcript))
        urgency[style].append(
            sum(session.transcript.count(p) for p in vocab.HYPE_PHRASES)
        )

    assert np.mean(density["expert"]) > 2 * np.mean(density["hype"])
    assert np.mean(urgency["hype"]) > 3 * np.mean(urgency["expert"])


def test_audio_statistics_follow_the_persona(simulated):
    anchors = truth(TruthKind.ANCHOR)
    rate = {"expert": [], "hype": []}
    for session in BroadcastSession.objects.select_related("room__anchor"):
        attributes = anchors[session.room.anchor.external_id]
        if not attributes["is_ai"]:
            rate[attributes["style"]].append(session.audio_stats["speech_rate_cpm"])

    assert np.mean(rate["hype"]) > np.mean(rate["expert"]) + 50


def test_some_rooms_are_live_when_the_period_ends(simulated):
    live = BroadcastSession.objects.filter(ended_at__isnull=True)
    rooms = truth(TruthKind.ROOM)

    assert live.count() >= 3
    assert all(session.started_at <= UNTIL for session in live)
    live_rooms = set(live.values_list("room__external_id", flat=True))
    assert live_rooms == {key for key, value in rooms.items() if value["live_at_end"]}
    assert LiveRoom.objects.count() > live.count()


def test_identities_are_well_formed_but_fake(simulated):
    identities = list(ViewerIdentity.objects.all())

    assert len(identities) >= 5
    for identity in identities:
        assert re.fullmatch(r"1[3-9]\d{9}", identity.phone)
        number = identity.id_card_number
        assert len(number) == 18 and id_check_digit(number[:17]) == number[17]
        assert 2 <= len(identity.real_name) <= 3


def test_short_video_histories_reflect_interests(simulated):
    viewers = truth(TruthKind.VIEWER)
    views = Event.objects.filter(kind=EventKind.SHORT_VIDEO_VIEW).values_list(
        "viewer__pseudonym", "short_video__category__code"
    )
    favourite = {
        pseudonym_for(key): max(value["interests"], key=value["interests"].get)
        for key, value in viewers.items()
    }
    watchers = {pseudonym for pseudonym, _ in views}
    on_favourite = sum(favourite[pseudonym] == code for pseudonym, code in views)

    assert 0.2 < len(watchers) / len(viewers) < 0.4
    assert on_favourite / len(views) > 0.3  # twelve categories: chance is ~0.08


def test_product_pictures_are_real_images_coloured_by_category(simulated, media_root):
    products = truth(TruthKind.PRODUCT)
    colours = {}
    for product in Product.objects.select_related("category"):
        image = Image.open(media_root / product.image.name)
        assert image.size == (64, 64)
        labelled = "AIGC" in image.info
        assert labelled == products[product.external_id]["implicit_aigc_label"]
        colours.setdefault(product.category.code, []).append(image.getpixel((2, 2)))

    averages = [np.mean(values, axis=0) for values in colours.values()]
    assert len({tuple(np.round(a, -1)) for a in averages}) > len(averages) // 2
