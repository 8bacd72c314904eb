"""Labelled examples for the moderation screen, written by the simulator's own text
generators: the same words the catalogue, the anchors and the danmaku use, with a
known answer for each example (clause 6.1.1, "machine learning screens everything").

Violations are the ones the simulator plants on the platform (absolute claims of
dishonest merchants) and the neighbouring ones a live room sees: efficacy promises,
prohibited goods offered in the danmaku, invented credentials. Deterministic for a
seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from recengine.simulator import text, vocab

# Promises of effect that the Advertising Law forbids for food, cosmetics and health
# products even without a superlative.
EFFICACY_CLAIMS = [
    "三天见效",
    "一周瘦十斤",
    "吃了不生病",
    "降血压降血糖",
    "专治失眠",
    "涂了马上白",
    "孩子吃了长高",
    "保证不过敏",
]
PROHIBITED_OFFERS = [
    "私聊出高仿大牌",
    "加微信买电子烟",
    "有处方药要的扣1",
    "象牙手串私下交易",
    "A货一比一",
    "野生动物制品有货",
]
INVENTED_CREDENTIALS = [
    "国家级认证专家",
    "卫健委特聘顾问",
    "世界级美妆大师",
    "全网第一测评师",
    "中科院特聘研究员",
]
KINDS = ("product", "room_title", "credentials", "transcript", "danmaku")


@dataclass(frozen=True)
class Example:
    kind: str
    text: str
    violation: bool


def _claim(rng: np.random.Generator) -> str:
    pool = vocab.ABSOLUTE_CLAIMS if rng.random() < 0.5 else EFFICACY_CLAIMS
    return text.pick(rng, pool)


def _category(rng: np.random.Generator) -> int:
    return int(rng.integers(len(vocab.CATEGORY_CODES)))


def _product(rng: np.random.Generator, violation: bool) -> str:
    category = _category(rng)
    price = float(rng.integers(9, 999))
    claims = violation and rng.random() < 0.6
    title, description = text.product_text(rng, category, claims, price)
    if violation and not claims:
        description += f"{_claim(rng)}，{text.pick(rng, EFFICACY_CLAIMS)}。"
    return f"{title}\n{description}"


def _room_title(rng: np.random.Generator, violation: bool) -> str:
    category, expert = _category(rng), bool(rng.random() < 0.5)
    title = text.room_title(rng, expert, category)
    if violation:
        return f"{_claim(rng)}！{title}"
    return title


def _credentials(rng: np.random.Generator, violation: bool) -> str:
    expert = bool(rng.random() < 0.6)
    bio, credentials = text.anchor_bio(rng, expert, _category(rng))
    if violation:
        credentials = f"{text.pick(rng, INVENTED_CREDENTIALS)}，{credentials}"
    return f"{bio}\n{credentials}"


def _transcript(rng: np.random.Generator, violation: bool) -> str:
    spoken = text.transcript(
        rng,
        category=_category(rng),
        expert=bool(rng.random() < 0.5),
        clarity=float(rng.random()),
        interactivity=float(rng.random()),
        ai=False,
    )
    if not violation:
        return spoken
    cut = int(rng.integers(len(spoken) // 3, len(spoken) // 3 * 2 + 1))
    pledge = f"家人们，这个{_claim(rng)}，{text.pick(rng, EFFICACY_CLAIMS)}！"
    return spoken[:cut] + pledge + spoken[cut:]


def _danmaku(rng: np.random.Generator, violation: bool) -> str:
    if violation:
        return text.pick(rng, PROHIBITED_OFFERS)
    return text.danmaku(
        rng,
        category=_category(rng),
        expert=bool(rng.random() < 0.5),
        clarity=float(rng.random()),
    )


WRITERS = {
    "product": _product,
    "room_title": _room_title,
    "credentials": _credentials,
    "transcript": _transcript,
    "danmaku": _danmaku,
}


def labelled_examples(
    seed: int, per_kind: int = 400, violation_share: float = 0.3
) -> list[Example]:
    """``per_kind`` examples of each content kind, about ``violation_share`` of them
    violations, in a seeded order."""
    rng = np.random.default_rng(seed)
    examples = []
    for kind in KINDS:
        for _ in range(per_kind):
            violation = bool(rng.random() < violation_share)
            examples.append(Example(kind, WRITERS[kind](rng, violation), violation))
    order = rng.permutation(len(examples))
    return [examples[index] for index in order]
