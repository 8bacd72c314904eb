"""Obligation levels of the standard's wording.

The standard marks how binding a clause is by its modal words: 必须 and 严禁 bind
absolutely (a prohibition is a "must not"), 应, 需 and 须 state a requirement, 宜 a
recommendation and 鼓励 or 可 a permission. Several of those characters also occur
inside ordinary words (应用 "apply", 响应 "response", 需求 "demand", 可控
"controllable"), so those words are removed before the modal words are looked for.
"""

from __future__ import annotations

from enum import StrEnum


class Obligation(StrEnum):
    """Levels as stored; ``audits.models.ObligationLevel`` holds their labels."""

    MUST = "must"
    SHALL = "shall"
    SHOULD = "should"
    MAY = "may"


# Strongest first: a clause takes the strongest level its wording uses.
KEYWORDS: tuple[tuple[Obligation, tuple[str, ...]], ...] = (
    (Obligation.MUST, ("必须", "严禁")),
    (Obligation.SHALL, ("应", "需", "须")),
    (Obligation.SHOULD, ("宜",)),
    (Obligation.MAY, ("鼓励", "可")),
)

# Ordinary words that contain a modal character without carrying its force.
NON_MODAL_WORDS = (
    "应用",
    "响应",
    "效应",
    "适应",
    "供应",
    "对应",
    "反应",
    "需求",
    "必须",  # removed only after 必须 itself was matched, so 须 is not counted twice
    "可扩展",
    "可信",
    "可控",
    "可能",
    "可形成",
    "可参照",
)


def modal_words(text: str) -> list[str]:
    """The modal words of ``text``, strongest first, each listed once."""
    found = ["必须"] if "必须" in text else []
    plain = text
    for word in NON_MODAL_WORDS:
        plain = plain.replace(word, "")

    for _level, words in KEYWORDS:
        found += [word for word in words if word != "必须" and word in plain]
    return found


def obligation_of(text: str) -> Obligation | None:
    """The strongest obligation the wording of ``text`` expresses, if any."""
    words = set(modal_words(text))
    for level, keywords in KEYWORDS:
        if words.intersection(keywords):
            return level
    return None
