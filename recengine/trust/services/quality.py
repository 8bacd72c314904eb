"""Quality scores of merchants (clause 6.2.1) from what the platform observed.

Per merchant, in [0, 1], a weighted mean of five signals, each in [0, 1]:

- complaints per order in the supervision data (weight 0.30; 10% or more gives 0),
- returns per order in the supervision data (0.20; 33% or more gives 0),
- moderation outcomes: the share of its screened products and room titles that a
  reviewer rejected or that wait at high risk (0.20; 10% or more gives 0),
- "not interested" per exposure of its rooms and products in the event log (0.15;
  5% or more gives 0),
- orders per click in the event log (0.15; 20% or more gives 1),

less 0.1 for each violation of the last 180 days. A signal without data counts as
0.5, so a newcomer is neither boosted nor held back. The score becomes a ranking
multiplier through ``credit.boost_for`` and reaches serving as
``PolicySnapshot.quality_boost``; the content's own quality (ratings, dwell,
complaints per item) is learned with the model and enters ranking as its quality
objective.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from recengine.governance.publishing import publish_policy
from recengine.models import Event, EventKind, Merchant
from recengine.trust import credit
from recengine.trust.models import Clause, MerchantCredit, QualityScore, Violation

logger = logging.getLogger(__name__)

WINDOW = dt.timedelta(days=14)
VIOLATION_WINDOW = dt.timedelta(days=180)
NEUTRAL = 0.5
WEIGHTS = {
    "complaints": 0.30,
    "returns": 0.20,
    "moderation": 0.20,
    "not_interested": 0.15,
    "conversion": 0.15,
}
VIOLATION_PENALTY = 0.1


def _share(numerator: float, denominator: float, zero_at: float) -> float:
    """1 when nothing bad happened, 0 at ``zero_at`` per unit or worse."""
    if denominator <= 0:
        return NEUTRAL
    return max(0.0, 1.0 - numerator / denominator / zero_at)


def _engagement(now: dt.datetime) -> dict[int, dict[str, int]]:
    counts: dict[int, dict[str, int]] = {}
    recent = Event.objects.filter(occurred_at__gte=now - WINDOW, occurred_at__lt=now)
    for path in ("product__merchant", "room__merchant"):
        rows = (
            recent.filter(**{f"{path}__isnull": False})
            .values(path)
            .annotate(
                shown=Count("pk", filter=Q(kind=EventKind.IMPRESSION)),
                clicks=Count("pk", filter=Q(kind=EventKind.CLICK)),
                orders=Count("pk", filter=Q(kind=EventKind.ORDER)),
                rejected=Count("pk", filter=Q(kind=EventKind.NOT_INTERESTED)),
            )
        )
        for row in rows:
            into = counts.setdefault(row[path], dict.fromkeys(row, 0))
            for key in ("shown", "clicks", "orders", "rejected"):
                into[key] += row[key]
    return counts


def _moderation() -> dict[int, dict[str, int]]:
    """Screened and withheld content per merchant, from the current cases."""
    from recengine.moderation.models import (
        OPEN_STATUSES,
        CaseStatus,
        ContentKind,
        ModerationCase,
    )

    withheld = Q(status=CaseStatus.REJECTED) | Q(
        status__in=OPEN_STATUSES, high_risk=True
    )
    counts: dict[int, dict[str, int]] = {}
    cases = ModerationCase.objects.filter(current=True)
    for kind, path in (
        (ContentKind.PRODUCT, "product__merchant"),
        (ContentKind.ROOM_TITLE, "room__merchant"),
    ):
        rows = (
            cases.filter(kind=kind, **{f"{path}__isnull": False})
            .values(path)
            .annotate(screened=Count("pk"), withheld=Count("pk", filter=withheld))
        )
        for row in rows:
            into = counts.setdefault(row[path], {"screened": 0, "withheld": 0})
            into["screened"] += row["screened"]
            into["withheld"] += row["withheld"]
    return counts


def score_merchant(
    supervision,
    events: dict[str, int],
    violations: int,
    moderation: dict[str, int] | None = None,
) -> dict:
    """The components and the score of one merchant (pure; tested by hand)."""
    orders = supervision.orders if supervision else 0
    moderation = moderation or {}
    parts = {
        "complaints": _share(supervision.complaints if orders else 0, orders, 0.10),
        "returns": _share(supervision.returns if orders else 0, orders, 1 / 3),
        "moderation": _share(
            moderation.get("withheld", 0), moderation.get("screened", 0), 0.10
        ),
        "not_interested": _share(
            events.get("rejected", 0), events.get("shown", 0), 0.05
        ),
        "conversion": (
            min(1.0, events["orders"] / events["clicks"] / 0.2)
            if events.get("clicks")
            else NEUTRAL
        ),
    }
    raw = sum(WEIGHTS[name] * value for name, value in parts.items())
    score = max(0.0, raw - VIOLATION_PENALTY * violations)
    return {"score": round(score, 4), "violations": violations, **parts}


@transaction.atomic
def compute_quality_scores(*, actor, now: dt.datetime | None = None) -> int:
    """Recompute every merchant's quality and publish the boosts; returns merchants."""
    now = now or timezone.now()
    engagement = _engagement(now)
    moderation = _moderation()
    supervision = {c.merchant_id: c for c in MerchantCredit.objects.all()}
    violations = dict(
        Violation.objects.filter(occurred_on__gte=(now - VIOLATION_WINDOW).date())
        .values("merchant")
        .annotate(n=Count("pk"))
        .values_list("merchant", "n")
    )

    written = 0
    for merchant in Merchant.objects.values_list("pk", flat=True).iterator():
        parts = score_merchant(
            supervision.get(merchant),
            engagement.get(merchant, {}),
            violations.get(merchant, 0),
            moderation.get(merchant),
        )
        QualityScore.objects.update_or_create(
            merchant_id=merchant,
            defaults={
                "score": parts["score"],
                "boost": credit.boost_for(parts["score"]),
                "components": parts,
                "computed_at": now,
            },
        )
        written += 1
    publish_policy(
        actor=actor,
        reason=f"quality scores of {written} merchants",
        clause=Clause.QUALITY,
    )
    logger.info("quality scores computed", extra={"merchants": written})
    return written
