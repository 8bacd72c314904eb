"""Persona scores (clause 5.2.2) on written examples and on a simulated platform."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import spearmanr
from sklearn.metrics import roc_auc_score

from recengine.features import persona
from recengine.features.datasets import load_catalogue
from recengine.features.persona import AnchorInputs
from recengine.models import Anchor, GroundTruth, TruthKind

EXPERT_TALK = (
    "这款面霜的烟酰胺浓度是5%，净含量50毫升。和上一代相比，配方里加了玻尿酸。"
    "适用肤质是干皮和混合皮，保质期三年，成分表在详情页第二张图。"
)
HYPE_TALK = "家人们冲！手慢无！三二一上链接！库存不多了！错过等一年！赶紧拍！闭眼入！"
MUMBLED_TALK = "呃，这个这个面霜…嗯，那个就是说，然后然后…呃，那个…"
ANSWERING_TALK = (
    "看到有家人问敏感肌能用吗，我来回答一下，可以用。"
    "评论区有人问保质期多久，三年。弹幕里问孕期可以吗，建议先问医生。"
)


def inputs(talk: str, danmaku=(), audio=(), minutes=0.0, visits=0.0) -> AnchorInputs:
    return AnchorInputs([talk], list(danmaku), list(audio), minutes, visits)


def test_specific_talk_is_more_professional_than_hype():
    expert = persona.professionalism(inputs(EXPERT_TALK))
    hype = persona.professionalism(inputs(HYPE_TALK))

    assert expert > 0.8
    assert hype < 0.2


def test_fillers_and_unfinished_sentences_lower_clarity():
    clear = persona.clarity(inputs(EXPERT_TALK))
    mumbled = persona.clarity(inputs(MUMBLED_TALK))

    assert clear > mumbled + 0.3


def test_audio_and_confused_viewers_lower_clarity():
    calm = {"speech_rate_cpm": 220.0, "pause_ratio": 0.25, "filler_ratio": 0.0}
    rushed = {"speech_rate_cpm": 370.0, "pause_ratio": 0.06, "filler_ratio": 0.08}
    understood = inputs(EXPERT_TALK, ["讲得好清楚"] * 5, [calm])
    lost = inputs(EXPERT_TALK, ["听不清", "说慢点", "没听懂，再讲一遍"], [rushed])

    assert persona.clarity(understood) > persona.clarity(lost) + 0.3


def test_answering_viewer_questions_raises_interactivity():
    questions = ["敏感肌能用吗", "保质期多久", "孕妇能不能用"]
    answering = inputs(ANSWERING_TALK, questions, minutes=60, visits=20)
    ignoring = inputs(EXPERT_TALK, questions, minutes=60, visits=20)

    assert persona.answered_share([ANSWERING_TALK], questions) == pytest.approx(2 / 3)
    assert persona.answered_share([EXPERT_TALK], questions) == 0.0
    assert persona.interactivity(answering) > persona.interactivity(ignoring) + 0.4


def test_scores_stay_in_the_unit_interval_and_default_to_the_middle():
    empty = AnchorInputs([], [], [])
    extreme = inputs(HYPE_TALK * 50, ["冲冲冲"] * 500, minutes=1, visits=1)

    for measure in (persona.professionalism, persona.clarity, persona.interactivity):
        assert measure(empty) == 0.5
        assert 0.0 <= measure(extreme) <= 1.0


@pytest.fixture
def scored(simulated_platform, db):
    catalogue = load_catalogue(simulated_platform.end)
    scores = persona.score_anchors(catalogue.rooms)
    external = dict(Anchor.objects.values_list("id", "external_id"))
    truth = {
        row.external_id: row.attributes
        for row in GroundTruth.objects.filter(kind=TruthKind.ANCHOR)
    }
    planted = [truth[external[anchor]] for anchor in scores.index]
    return scores, planted


def test_professionalism_separates_expert_from_hype_anchors(scored):
    scores, planted = scored
    expert = np.array([anchor["style"] == "expert" for anchor in planted])

    assert 5 <= expert.sum() <= len(expert) - 5
    assert roc_auc_score(expert, scores["professionalism"]) > 0.9


def test_clarity_and_interactivity_follow_the_planted_persona(scored):
    scores, planted = scored
    clarity = spearmanr(scores["clarity"], [a["clarity"] for a in planted])
    interactive = spearmanr(
        scores["interactivity"], [a["interactivity"] for a in planted]
    )

    assert clarity.statistic > 0.5
    assert interactive.statistic > 0.5


def test_every_room_carries_its_anchors_scores(simulated_platform, db):
    rooms = load_catalogue(simulated_platform.end).rooms
    scores = persona.score_anchors(rooms)
    per_room = persona.room_personas(rooms, scores)

    assert per_room.shape == (len(rooms), 3)
    first = scores.loc[rooms.anchors[0]].to_numpy(dtype=np.float32)
    np.testing.assert_allclose(per_room[0], first)
