"""Credit score -> tier -> exposure multiplier and cap (clause 6.2.2), and quality
score -> boost (clause 6.2.1). Plain functions, no database.

| score (0-100) | tier       | multiplier | cap (items of the merchant per list) |
| ------------- | ---------- | ---------- | ------------------------------------ |
| >= 85         | A          | 1.00       | 3                                    |
| 70 - 85       | B          | 0.85       | 3                                    |
| 55 - 70       | C          | 0.60       | 2                                    |
| 40 - 55       | D          | 0.30       | 1                                    |
| < 40          | restricted | 0.00       | 0 (not recommended)                  |

Both columns only rise with the score, so a merchant with lower credit never earns
more exposure than one with higher credit; a test draws random scores to hold the
mapping to that. A merchant without a credit record is treated as tier A: supervision
data lowers exposure, its absence does not.
"""

from __future__ import annotations

from dataclasses import dataclass

from recengine.trust.models import CreditTier


@dataclass(frozen=True)
class TierRule:
    tier: str
    floor: float
    multiplier: float
    cap: int


# Highest tier first; a score belongs to the first tier whose floor it reaches.
TIERS: tuple[TierRule, ...] = (
    TierRule(CreditTier.A, 85.0, 1.00, 3),
    TierRule(CreditTier.B, 70.0, 0.85, 3),
    TierRule(CreditTier.C, 55.0, 0.60, 2),
    TierRule(CreditTier.D, 40.0, 0.30, 1),
    TierRule(CreditTier.RESTRICTED, 0.0, 0.00, 0),
)
RULES = {rule.tier: rule for rule in TIERS}

# Quality boost: at most +20% of score for the best merchants, none below the median.
MAX_BOOST = 0.2
BOOST_FROM = 0.5


def tier_for(score: float) -> str:
    if not 0.0 <= score <= 100.0:
        raise ValueError("a credit score lies between 0 and 100")
    return next(rule.tier for rule in TIERS if score >= rule.floor)


def exposure(tier: str, *, restricted: bool = False) -> tuple[float, int]:
    """Multiplier and per-list cap of a tier; a manual restriction zeroes both."""
    if restricted:
        return 0.0, 0
    rule = RULES[tier]
    return rule.multiplier, rule.cap


def boost_for(quality: float) -> float:
    """Quality in [0, 1] -> ranking multiplier in [1, 1 + MAX_BOOST]."""
    quality = min(1.0, max(0.0, quality))
    lift = max(0.0, quality - BOOST_FROM) / (1.0 - BOOST_FROM)
    return round(1.0 + MAX_BOOST * lift, 4)
