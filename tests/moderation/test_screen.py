"""The machine screen: a classifier measured on held-out examples, rules for absolute
claims, and the route every screened element takes (clause 6.1.1)."""

from __future__ import annotations

import pytest

from recengine.moderation.classifier import (
    RiskClassifier,
    held_out_split,
    precision_recall,
)
from recengine.moderation.models import (
    CaseStatus,
    ContentKind,
    Decision,
    ModerationCase,
    Outcome,
    Queue,
    ScreenModel,
)
from recengine.moderation.rules import rule_hits
from recengine.moderation.screen import route
from recengine.moderation.services import screen_catalogue, train_screen
from recengine.simulator.labelled import labelled_examples

# Floors the screen must clear on examples it never saw; measured 1.00 / 0.92 for
# the classifier at seed 2026, so a regression of a few points still passes.
PRECISION_FLOOR = 0.90
RECALL_FLOOR = 0.85


def test_labelled_examples_are_deterministic_and_mixed():
    first, again = labelled_examples(5, 50), labelled_examples(5, 50)

    assert first == again
    assert {example.kind for example in first} == {k.value for k in ContentKind}
    share = sum(example.violation for example in first) / len(first)
    assert 0.2 < share < 0.4


def test_classifier_precision_and_recall_on_held_out_examples():
    examples = labelled_examples(2026, 400)
    train, test = held_out_split(len(examples), 0.25, 2026)
    assert not set(train) & set(test)

    pick = lambda rows, attr: [getattr(examples[i], attr) for i in rows]  # noqa: E731
    classifier = RiskClassifier(random_state=2026).fit(
        pick(train, "kind"), pick(train, "text"), pick(train, "violation")
    )
    flagged = classifier.predict_proba(pick(test, "kind"), pick(test, "text")) >= 0.5
    scores = precision_recall(pick(test, "violation"), flagged)

    assert scores.precision >= PRECISION_FLOOR
    assert scores.recall >= RECALL_FLOOR


def test_a_trained_screen_stores_its_held_out_figures(db):
    model = train_screen(actor=None, seed=2026)

    stored = ScreenModel.objects.get(is_active=True)
    assert stored == model
    assert stored.test_examples == 500
    assert stored.precision >= PRECISION_FLOOR and stored.recall >= RECALL_FLOOR
    # Rules add certainty where the classifier hesitates.
    assert stored.screen_recall >= stored.recall
    assert stored.history.first().history_change_reason.endswith("(clause 6.1.1)")


@pytest.mark.parametrize(
    ("text", "phrases"),
    [
        ("全网第一面霜，最佳品质", {"全网第一", "最佳"}),
        ("国家级认证，100%有效，根治痘痘", {"国家级", "100%有效", "根治"}),
        ("这是销量第一的款", {"销量第一"}),
        ("品质第一，服务至上", {"第一"}),
        ("私聊出高仿大牌", {"高仿"}),
    ],
)
def test_rules_catch_absolute_claims_and_prohibited_goods(text, phrases):
    assert {hit.phrase for hit in rule_hits(text)} == phrases


@pytest.mark.parametrize(
    "text", ["第一次用这款面霜", "最近很火的坚果礼盒", "第一天到货，支持七天无理由退货"]
)
def test_rules_leave_ordinary_words_alone(text):
    assert rule_hits(text) == []


@pytest.mark.parametrize(
    ("risk", "flags", "queue", "status", "high"),
    [
        (0.9, {}, Queue.HIGH_RISK, CaseStatus.PENDING, True),
        (0.1, {"rule_hit": True}, Queue.HIGH_RISK, CaseStatus.PENDING, True),
        (0.5, {}, Queue.UNCERTAIN, CaseStatus.PENDING, False),
        (0.1, {"hot": True}, Queue.HIGH_TRAFFIC, CaseStatus.PENDING, False),
        (0.1, {"ai": True}, Queue.AIGC, CaseStatus.PENDING, False),
        (0.95, {"ai": True}, Queue.AIGC, CaseStatus.PENDING, True),
        (0.1, {}, Queue.NONE, CaseStatus.AUTO_APPROVED, False),
    ],
)
def test_route(risk, flags, queue, status, high):
    options = {"rule_hit": False, "ai": False, "hot": False} | flags
    chosen = route(risk, **options)

    assert (chosen.queue, chosen.status, chosen.high_risk) == (queue, status, high)


def test_every_element_is_screened_with_a_decision_record(screened):
    platform = screened.platform
    products = ModerationCase.objects.filter(kind=ContentKind.PRODUCT)
    rooms = ModerationCase.objects.filter(kind=ContentKind.ROOM_TITLE)

    assert products.count() == len(platform.products) + 1
    assert rooms.count() == len(platform.rooms) + 1
    for case in ModerationCase.objects.all():
        record = case.decisions.get()
        assert record.automated
        assert record.ground and record.facts and record.redress
        assert f"risk score {case.risk_score:.2f}" in record.facts


def test_absolute_claims_go_to_the_high_risk_queue(screened):
    case = screened.case_of(product=screened.claim_product)
    room = screened.case_of(room=screened.claim_room, kind=ContentKind.ROOM_TITLE)

    assert (case.queue, case.status, case.high_risk) == (
        Queue.HIGH_RISK,
        CaseStatus.PENDING,
        True,
    )
    assert "absolute_claim:全网第一" in case.rule_hits
    assert room.high_risk and room.queue == Queue.HIGH_RISK


def test_digital_human_rooms_go_to_the_aigc_queue(screened):
    digital_room = screened.platform.rooms[1]

    case = screened.case_of(room=digital_room, kind=ContentKind.ROOM_TITLE)

    assert case.ai_synthesised
    assert case.queue == Queue.AIGC


def test_a_high_traffic_room_goes_to_people_whatever_its_risk(
    screened, settings, platform
):
    settings.MODERATION_HIGH_TRAFFIC_EXPOSURES = 2  # room r-1 had 2 today
    room = platform.rooms[0]
    room.title = "护肤直播间 晚场"
    room.save()

    screen_catalogue(actor=None, now=platform.now)

    case = screened.case_of(room=room, kind=ContentKind.ROOM_TITLE)
    assert case.queue in (Queue.HIGH_TRAFFIC, Queue.UNCERTAIN, Queue.HIGH_RISK)
    assert case.status == CaseStatus.PENDING
    assert "high-traffic or high-GMV room" in case.decisions.get().facts


def test_screening_again_skips_unchanged_content(screened, platform):
    before = ModerationCase.objects.count()

    report = screen_catalogue(actor=None, now=platform.now)

    assert report.screened == 0
    assert ModerationCase.objects.count() == before


def test_changed_content_is_screened_again_and_replaces_the_old_case(
    screened, platform
):
    product = screened.claim_product
    product.title, product.description = "保湿面霜 50ml", "成分与浓度详见详情页。"
    product.save()

    screen_catalogue(actor=None, now=platform.now)

    cases = ModerationCase.objects.filter(product=product).order_by("pk")
    assert [case.current for case in cases] == [False, True]
    assert not cases.last().rule_hits
    assert (
        Decision.objects.filter(case=cases.last(), outcome=Outcome.ROUTE).count()
        + (
            Decision.objects.filter(
                case=cases.last(), outcome=Outcome.AUTO_APPROVE
            ).count()
        )
        == 1
    )
