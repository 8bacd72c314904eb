"""Rules of the machine screen: wording the Advertising Law bans outright and goods
that may not be sold in a live room at all (clause 6.1.2).

A rule hit is certain where the classifier is a probability, so any hit makes the
item high risk whatever the model says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# 广告法 Art. 9(3): "national-level", "highest", "best" and the like; Art. 17 and 28:
# efficacy guarantees for health products. Phrases, not single characters, so that
# "最近" or "第一次" do not count as claims.
ABSOLUTE_CLAIMS = (
    "最佳",
    "最好",
    "最强",
    "最低价",
    "最高级",
    "第一品牌",
    "全网第一",
    "销量第一",
    "行业第一",
    "国家级",
    "世界级",
    "顶级",
    "极品",
    "独家",
    "100%有效",
    "根治",
    "无任何副作用",
    "永不反弹",
    "包治百病",
    "药到病除",
)
# "第一" alone is a claim unless it starts an ordinal or a time ("第一次", "第一天").
_FIRST = re.compile(r"第一(?![次天步个件批期名单])")

PROHIBITED_GOODS = (
    "仿冒",
    "高仿",
    "A货",
    "假货",
    "处方药",
    "管制刀具",
    "野生动物制品",
    "象牙",
    "电子烟",
    "烟草",
    "枪支",
    "迷药",
)


@dataclass(frozen=True)
class RuleHit:
    rule: str  # "absolute_claim" or "prohibited_goods"
    phrase: str

    def as_text(self) -> str:
        return f"{self.rule}:{self.phrase}"


def rule_hits(text: str) -> list[RuleHit]:
    """Every banned phrase in ``text``, each once, in a stable order."""
    hits = [RuleHit("absolute_claim", p) for p in ABSOLUTE_CLAIMS if p in text]
    covered = any("第一" in hit.phrase for hit in hits)
    if not covered and _FIRST.search(text):
        hits.append(RuleHit("absolute_claim", "第一"))
    hits += [RuleHit("prohibited_goods", p) for p in PROHIBITED_GOODS if p in text]
    return hits
