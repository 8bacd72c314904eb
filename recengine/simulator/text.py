"""Chinese catalogue text, anchor speech and danmaku written from the ground truth.

Personas show in the words: experts name specs, ingredients and sizes and compare;
hype anchors repeat urgency with little information; unclear speech is broken by
fillers; interactive anchors answer questions from the danmaku. Dishonest merchants
write absolute claims into titles and descriptions.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from recengine.simulator import vocab


def pick(rng: np.random.Generator, items: Sequence[str]) -> str:
    return items[int(rng.integers(len(items)))]


def code_of(category: int) -> str:
    return vocab.CATEGORY_CODES[category]


def anchor_name(
    rng: np.random.Generator, expert: bool, impersonates: int, index: int
) -> str:
    if impersonates >= 0:
        figure = vocab.PUBLIC_FIGURES[impersonates][1]
        return figure + pick(rng, ["", "official", "本人", "工作室"])
    given = pick(rng, vocab.NAME_CHARS) + pick(rng, vocab.NAME_CHARS)
    suffixes = vocab.EXPERT_SUFFIXES if expert else vocab.HYPE_SUFFIXES
    # The index keeps names unique without reading like a serial number.
    return f"{pick(rng, vocab.ANCHOR_PREFIXES)}{given}{pick(rng, suffixes)}{index % 97}"


def anchor_bio(
    rng: np.random.Generator, expert: bool, category: int
) -> tuple[str, str]:
    noun = pick(rng, vocab.PRODUCT_NOUNS[code_of(category)])
    if expert:
        years = int(rng.integers(3, 15))
        bio = f"从业{years}年，专注{noun}选品和讲解，只讲真实参数。"
        return bio, f"{noun}相关职业资格证书，行业从业{years}年"
    return f"每晚直播，{pick(rng, vocab.HYPE_PHRASES)}，宠粉福利不停！", ""


def merchant_name(rng: np.random.Generator, index: int) -> str:
    place, word = pick(rng, vocab.MERCHANT_PLACES), pick(rng, vocab.MERCHANT_WORDS)
    return f"{place}{word}{pick(rng, vocab.MERCHANT_TYPES)}{index:03d}"


def product_text(
    rng: np.random.Generator, category: int, claims: bool, price: float
) -> tuple[str, str]:
    code = code_of(category)
    noun = pick(rng, vocab.PRODUCT_NOUNS[code])
    spec, other = pick(rng, vocab.SPEC_TERMS[code]), pick(rng, vocab.SPEC_TERMS[code])
    if claims:
        first, second = (
            pick(rng, vocab.ABSOLUTE_CLAIMS),
            pick(rng, vocab.ABSOLUTE_CLAIMS),
        )
        title = f"{first}{noun}｜{second}品质 限时特惠"
        description = (
            f"本店{noun}{first}，{second}，{pick(rng, vocab.ABSOLUTE_CLAIMS)}。"
            f"{spec}业内{pick(rng, vocab.ABSOLUTE_CLAIMS)}，买到就是赚到。"
        )
        return title, description
    title = f"【{pick(rng, vocab.HONEST_SELLING_POINTS)}】{noun} {spec}清晰标注"
    description = (
        f"{noun}，{spec}与{other}详见详情页。到手价{price:.1f}元，支持七天无理由退货。"
    )
    return title, description


def room_title(rng: np.random.Generator, expert: bool, category: int) -> str:
    code = code_of(category)
    noun = pick(rng, vocab.PRODUCT_NOUNS[code])
    if expert:
        spec = pick(rng, vocab.SPEC_TERMS[code])
        return f"{noun}{spec}深度讲解｜{pick(rng, vocab.COMPARISON_PHRASES)}"
    first, second = pick(rng, vocab.HYPE_PHRASES), pick(rng, vocab.HYPE_PHRASES)
    return f"{first}！{noun}{second}"


def transcript(
    rng: np.random.Generator,
    *,
    category: int,
    expert: bool,
    clarity: float,
    interactivity: float,
    ai: bool,
) -> str:
    code = code_of(category)
    length = 6 if ai else int(rng.integers(10, 18))
    sentences = []
    for _ in range(length):
        if interactivity > 0.6 and rng.random() < interactivity * 0.35:
            sentences.append(_answer(rng, code))
        elif expert:
            sentences.append(_explain(rng, code))
        else:
            sentences.append(_shout(rng, code))
    if ai:
        # Synthetic personas loop through the same script.
        sentences = sentences * 2
    if clarity < 0.45:
        sentences = [_mumble(rng, sentence) for sentence in sentences]
    return "".join(sentences)


def _explain(rng: np.random.Generator, code: str) -> str:
    noun = pick(rng, vocab.PRODUCT_NOUNS[code])
    spec, other = pick(rng, vocab.SPEC_TERMS[code]), pick(rng, vocab.SPEC_TERMS[code])
    value = int(rng.integers(2, 99))
    return (
        f"这款{noun}的{spec}是{value}，{other}也标得很清楚，"
        f"{pick(rng, vocab.COMPARISON_PHRASES)}，差别主要在{spec}。"
    )


def _shout(rng: np.random.Generator, code: str) -> str:
    noun = pick(rng, vocab.PRODUCT_NOUNS[code])
    first, second = pick(rng, vocab.HYPE_PHRASES), pick(rng, vocab.HYPE_PHRASES)
    return f"{first}！{noun}{second}！真的太划算了！"


def _answer(rng: np.random.Generator, code: str) -> str:
    question = pick(rng, vocab.VIEWER_QUESTIONS[code])
    spec = pick(rng, vocab.SPEC_TERMS[code])
    return f"看到有家人问{question}，我来回答一下，看{spec}就知道，放心。"


def _mumble(rng: np.random.Generator, sentence: str) -> str:
    cut = max(4, int(len(sentence) * (0.5 + 0.5 * rng.random())))
    return f"{pick(rng, vocab.FILLERS)}，{sentence[:cut]}{pick(rng, vocab.FILLERS)}…"


def audio_stats(
    rng: np.random.Generator, *, expert: bool, clarity: float, ai: bool
) -> dict[str, float]:
    """Signal statistics an audio front end would report for one broadcast."""
    hype = 0.0 if expert else 1.0
    if ai:
        speech_rate, pitch = 250.0 + rng.normal(0, 3), 0.05 + rng.normal(0, 0.01)
    else:
        speech_rate = 230.0 + 110.0 * hype - 20.0 * clarity + rng.normal(0, 15)
        pitch = 0.3 + 0.3 * hype + rng.normal(0, 0.05)
    return {
        "speech_rate_cpm": round(float(speech_rate), 1),
        "pause_ratio": round(float(np.clip(0.1 + 0.15 * clarity, 0, 1)), 3),
        "loudness_lufs": round(float(-20.0 + 8.0 * hype + rng.normal(0, 1.5)), 1),
        "pitch_variability": round(float(max(pitch, 0.0)), 3),
        "filler_ratio": round(float(max(0.0, 0.12 * (1 - clarity))), 3),
    }


def danmaku(
    rng: np.random.Generator, *, category: int, expert: bool, clarity: float
) -> str:
    draw = rng.random()
    if draw < 0.35:
        return pick(rng, vocab.VIEWER_QUESTIONS[code_of(category)])
    if clarity < 0.45 and draw < 0.6:
        return pick(rng, vocab.UNCLEAR_DANMAKU)
    if expert and draw < 0.75:
        return pick(rng, vocab.EXPERT_DANMAKU)
    if not expert and draw < 0.75:
        return pick(rng, vocab.HYPE_DANMAKU)
    return pick(rng, vocab.PRAISE_DANMAKU)
