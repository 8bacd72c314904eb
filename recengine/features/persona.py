"""Anchor persona features of clause 5.2.2: professionalism, clarity, interactivity.

Each score is in [0, 1] and is computed per anchor from what the anchor said (the
transcripts of their broadcasts), what viewers wrote (danmaku) and the audio
statistics, by fixed, documented measures: no score is fitted to labels, so an
anchor's score does not depend on who else is on the platform. Sentences are the
pieces of a transcript between 。！？!?；; or an ellipsis.

Professionalism = sigmoid((information - hype) / 8 + praise), where

- information: per 100 characters of transcript, figures (a digit run counts 1, a
  figure with a unit such as 毫升 or mAh counts 2), specification, ingredient and
  material words, and comparison words, each occurrence counting 1;
- hype: per 100 characters, urgency and hype terms (家人们, 手慢无, 上链接 ...)
  counting 1 each, and exclamation marks counting 0.5;
- praise: 1 when at least a fifth of the danmaku praises the anchor's expertise
  (专业, 学到, 讲得细), scaled linearly below that share.

Clarity = weighted mean of sub-scores in [0, 1] (weights in brackets):

- [2] fluency: 1 - 4 x filler words per sentence (呃, 嗯, 那个, 就是说 ...), floored
  at 0, times 1 - the share of unfinished sentences (ending in an ellipsis);
- [1] sentence length: 1 for a mean of 12-40 characters, falling linearly to 0 at 0
  and at 80 characters;
- [1] concreteness: the share of sentences that state a figure or a spec term;
- [1] repetition: 1 - the share of sentences repeating an earlier one verbatim;
- [1] speech rate (audio): 1 up to 260 characters per minute, 0 from 380;
- [1] pauses (audio): pause ratio mapped linearly from 0.05 (0) to 0.25 (1);
- [1] audible fillers (audio, when reported): 1 - 10 x filler ratio;
- [1] understanding: 1 - 3 x the share of danmaku saying the viewer did not follow
  (听不清, 没听懂, 再讲一遍, 说慢点).

Interactivity = weighted mean of:

- [3] addressing: share of transcript sentences that answer or address viewers
  (有人问, 家人问, 回答, 评论区, 弹幕, @ ...), divided by 0.2 and capped at 1;
- [2] answered questions: share of the distinct questions in the danmaku that the
  anchor's transcripts repeat (an anchor answering reads the question out);
- [3] danmaku per visit: comments / room visits, divided by 0.25 and capped at 1;
- [1] danmaku volume: 1 - exp(-comments per minute on air).

A part whose inputs are missing (no audio, no danmaku, no visits) drops out and the
remaining weights are renormalised; an anchor with no input at all scores 0.5.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from recengine.features.catalogue import RoomTable


def _terms(*lines: str) -> tuple[str, ...]:
    return tuple(word for line in lines for word in line.split())


SPEC_TERMS = _terms(
    "成分 配料 配方 含量 浓度 参数 规格 型号 尺寸 尺码 材质 面料 工艺 容量 功率 电池",
    "毫安 处理器 刷新率 克重 纯度 产地 保质期 净含量 热量 添加剂 认证 证书 检测",
    "批准文号 适用 适宜 适配 标准 等级 版本 出版社 作者 原料 蛋白 纤维 透气 缓震",
    "回弹 承重 不锈钢 纯棉 羊毛 真丝 玻尿酸 烟酰胺 维生素 重量 版型 肩宽 月龄 鞋码",
    "圈口 页数 装帧 用量 安装 pH值 DHA 含金量 防水等级 续航",
)
COMPARISON_TERMS = _terms(
    "相比 对比 比较 区别 差别 同价位 上一代 横向 优于 不如 更适合"
)
HYPE_TERMS = _terms(
    "家人们 手慢无 秒杀 上链接 库存 最后 错过 赶紧 快抢 拼手速 闭眼入 划算 宠粉",
    "限时 限量 爆款 全网最低 史上最低 清仓 捡漏 太值了 等一年 冲冲冲 买它 三二一",
    "抢到 福利",
)
FILLER_TERMS = _terms("呃 嗯 那个 就是说 然后然后 这个这个 怎么说呢")
ADDRESS_TERMS = _terms("有人问 家人问 宝宝问 朋友问 回答 评论区 弹幕 看到有 @ 问到")
EXPERT_PRAISE = _terms("专业 学到 讲得细 讲得很细 懂行 干货 讲得好清楚")
CONFUSION = _terms("听不清 没听懂 再讲一遍 说慢点 什么意思 讲快了")
QUESTION_WORDS = re.compile(
    r"[吗呢？?]|多少|多久|几|哪|怎么|为什么|什么|能不能|会不会|有没有|是不是"
)
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;…])")
_FIGURE = re.compile(r"\d+(?:\.\d+)?")
_UNITS = (
    "毫升|ml|升|千克|kg|毫克|mg|克|g|斤|毫安时|毫安|mah|瓦|w|厘米|cm|毫米|mm|米|英寸|寸|"
    "%|度|小时|分钟|天|个月|岁|码|元|块"
)
_FIGURE_WITH_UNIT = re.compile(rf"\d+(?:\.\d+)?\s*(?:{_UNITS})", re.IGNORECASE)
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)

CLARITY_WEIGHTS = {
    "fluency": 2.0,
    "sentence_length": 1.0,
    "concreteness": 1.0,
    "repetition": 1.0,
    "speech_rate": 1.0,
    "pauses": 1.0,
    "audible_fillers": 1.0,
    "understanding": 1.0,
}
INTERACTIVITY_WEIGHTS = {
    "addressing": 3.0,
    "answered_questions": 2.0,
    "danmaku_per_visit": 3.0,
    "danmaku_volume": 1.0,
}


@dataclass
class AnchorInputs:
    transcripts: list[str]
    danmaku: list[str]
    audio: list[dict]
    minutes_on_air: float = 0.0
    visits: float = 0.0


def sentences(text: str) -> list[str]:
    parts = (part.strip() for part in _SENTENCE_END.split(text))
    return [part for part in parts if len(_NOT_WORD.sub("", part)) > 0]


def count_terms(text: str, terms: Sequence[str]) -> int:
    lowered = text.lower()
    return sum(lowered.count(term.lower()) for term in terms)


def _sigmoid(value: float) -> float:
    return 1.0 / (1.0 + math.exp(-value))


def _clip(value: float) -> float:
    return min(max(value, 0.0), 1.0)


def _combine(parts: dict[str, float | None], weights: dict[str, float]) -> float:
    known = {name: value for name, value in parts.items() if value is not None}
    if not known:
        return 0.5
    total = sum(weights[name] for name in known)
    return sum(weights[name] * value for name, value in known.items()) / total


def _audio_mean(audio: list[dict], key: str) -> float | None:
    values = [
        float(stats[key])
        for stats in audio
        if isinstance(stats.get(key), int | float) and not isinstance(stats[key], bool)
    ]
    return float(np.mean(values)) if values else None


def _share(items: Sequence[str], terms: Sequence[str]) -> float | None:
    if not items:
        return None
    return sum(1 for item in items if count_terms(item, terms) > 0) / len(items)


def professionalism(inputs: AnchorInputs) -> float:
    text = "".join(inputs.transcripts)
    if not text:
        return 0.5
    per_100 = 100.0 / len(text)
    figures = len(_FIGURE.findall(text)) + len(_FIGURE_WITH_UNIT.findall(text))
    terms = count_terms(text, SPEC_TERMS) + count_terms(text, COMPARISON_TERMS)
    information = (figures + terms) * per_100
    exclamations = text.count("！") + text.count("!")
    hype = (count_terms(text, HYPE_TERMS) + 0.5 * exclamations) * per_100
    praise = _share(inputs.danmaku, EXPERT_PRAISE) or 0.0
    return _sigmoid((information - hype) / 8.0 + min(praise / 0.2, 1.0))


def clarity_parts(inputs: AnchorInputs) -> dict[str, float | None]:
    said = [s for transcript in inputs.transcripts for s in sentences(transcript)]
    parts: dict[str, float | None] = dict.fromkeys(CLARITY_WEIGHTS)
    if said:
        fillers = sum(count_terms(s, FILLER_TERMS) for s in said) / len(said)
        unfinished = sum(s.endswith("…") for s in said) / len(said)
        parts["fluency"] = _clip(1.0 - 4.0 * fillers) * (1.0 - unfinished)
        length = float(np.mean([len(s) for s in said]))
        parts["sentence_length"] = _clip(min(length / 12.0, (80.0 - length) / 40.0))
        concrete = [_FIGURE.search(s) or count_terms(s, SPEC_TERMS) for s in said]
        parts["concreteness"] = sum(map(bool, concrete)) / len(said)
        parts["repetition"] = len(set(said)) / len(said)
    rate = _audio_mean(inputs.audio, "speech_rate_cpm")
    pauses = _audio_mean(inputs.audio, "pause_ratio")
    fillers = _audio_mean(inputs.audio, "filler_ratio")
    parts["speech_rate"] = None if rate is None else _clip((380.0 - rate) / 120.0)
    parts["pauses"] = None if pauses is None else _clip((pauses - 0.05) / 0.20)
    parts["audible_fillers"] = None if fillers is None else _clip(1.0 - 10 * fillers)
    confused = _share(inputs.danmaku, CONFUSION)
    parts["understanding"] = None if confused is None else _clip(1 - 3 * confused)
    return parts


def clarity(inputs: AnchorInputs) -> float:
    return _combine(clarity_parts(inputs), CLARITY_WEIGHTS)


def _normalised(text: str) -> str:
    return _NOT_WORD.sub("", text)


def answered_share(transcripts: Sequence[str], danmaku: Sequence[str]) -> float | None:
    questions = {
        _normalised(c) for c in danmaku if QUESTION_WORDS.search(c) and len(c) >= 3
    }
    questions.discard("")
    if not questions or not transcripts:
        return None
    spoken = _normalised("".join(transcripts))
    return sum(1 for question in questions if question in spoken) / len(questions)


def interactivity_parts(inputs: AnchorInputs) -> dict[str, float | None]:
    said = [s for transcript in inputs.transcripts for s in sentences(transcript)]
    comments = len(inputs.danmaku)
    parts: dict[str, float | None] = dict.fromkeys(INTERACTIVITY_WEIGHTS)
    if said:
        addressing = sum(1 for s in said if count_terms(s, ADDRESS_TERMS)) / len(said)
        parts["addressing"] = _clip(addressing / 0.2)
    parts["answered_questions"] = answered_share(inputs.transcripts, inputs.danmaku)
    if inputs.visits > 0:
        parts["danmaku_per_visit"] = _clip(comments / inputs.visits / 0.25)
    if inputs.minutes_on_air > 0:
        parts["danmaku_volume"] = 1.0 - math.exp(-comments / inputs.minutes_on_air)
    return parts


def interactivity(inputs: AnchorInputs) -> float:
    return _combine(interactivity_parts(inputs), INTERACTIVITY_WEIGHTS)


PERSONA_COLUMNS = ["professionalism", "clarity", "interactivity"]


def anchor_inputs(rooms: RoomTable) -> dict[int, AnchorInputs]:
    """Everything an anchor's rooms collected, gathered per anchor."""
    gathered: dict[int, AnchorInputs] = defaultdict(lambda: AnchorInputs([], [], []))
    for index, anchor in enumerate(rooms.anchors):
        inputs = gathered[int(anchor)]
        inputs.transcripts += rooms.transcripts[index]
        inputs.danmaku += rooms.danmaku[index]
        inputs.audio += rooms.audio[index]
        inputs.minutes_on_air += float(rooms.minutes_on_air[index])
        inputs.visits += float(rooms.visits[index])
    return dict(gathered)


def score_anchors(rooms: RoomTable) -> pd.DataFrame:
    """One row per anchor (index: anchor key) with the three persona scores."""
    rows = {
        anchor: (professionalism(inputs), clarity(inputs), interactivity(inputs))
        for anchor, inputs in anchor_inputs(rooms).items()
    }
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=PERSONA_COLUMNS)
    frame.index.name = "anchor"
    return frame.sort_index()


def room_personas(rooms: RoomTable, scores: pd.DataFrame | None = None) -> np.ndarray:
    """The persona scores of each room's anchor, (n_rooms, 3) float32."""
    scores = score_anchors(rooms) if scores is None else scores
    aligned = scores.reindex(rooms.anchors).fillna(0.5)
    return aligned.to_numpy(dtype=np.float32)
