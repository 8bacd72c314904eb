"""A viewer's interest tags, derived from their behaviour (clause 6.3.2).

Each engaged item stands for one tag of the vocabulary (its category, narrowed by
its title: ``recengine.taxonomy.tag_code_for``). A tag's weight is its share of
the viewer's positive interest, every event counted as the interest model counts
it: its kind's weight, halved every ``HALF_LIFE_DAYS`` of age, short-video views at
the cross-domain weight. Events behind a tag the viewer deleted, up to the moment
of deletion, do not count (``TagSuppression``), so a deleted tag comes back only
from new behaviour. Sensitive tags are never derived.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction

from recengine.learning.interest import KIND_WEIGHTS, InterestModel
from recengine.models import (
    Event,
    InterestSource,
    InterestTag,
    TagSuppression,
    Viewer,
    ViewerInterest,
)
from recengine.taxonomy import tag_code_for

logger = logging.getLogger(__name__)

WINDOW_DAYS = 14
HALF_LIFE_DAYS = InterestModel().long_half_life_days
CROSS_DOMAIN_WEIGHT = InterestModel().cross_domain_weight
# Tags below this share of the viewer's interest are noise, not an interest.
MIN_SHARE = 0.05
MAX_TAGS = 12
DERIVED = "interest tags derived from behaviour (clause 6.3.2)"

SOURCES = (
    ("room", InterestSource.LIVE),
    ("product", InterestSource.PRODUCT),
    ("short_video", InterestSource.SHORT_VIDEO),
)


@dataclass
class _Tally:
    weight: float = 0.0
    by_source: dict[str, float] | None = None
    example: str = ""
    example_weight: float = 0.0

    def add(self, source: str, weight: float, title: str) -> None:
        self.weight += weight
        self.by_source = self.by_source or defaultdict(float)
        self.by_source[source] += weight
        if weight > self.example_weight:
            self.example, self.example_weight = title, weight


def tally(viewer: Viewer, now: dt.datetime, days: int = WINDOW_DAYS) -> dict:
    """Tag code -> tally of the viewer's events in the ``days`` before ``now``."""
    deleted = dict(
        TagSuppression.objects.filter(viewer=viewer).values_list(
            "tag__code", "suppressed_at"
        )
    )
    events = Event.objects.filter(
        viewer=viewer,
        occurred_at__gte=now - dt.timedelta(days=days),
        occurred_at__lt=now,
        kind__in=[kind for kind, weight in KIND_WEIGHTS.items() if weight > 0],
    )
    tallies: dict[str, _Tally] = defaultdict(_Tally)
    for column, source in SOURCES:
        rows = events.filter(**{f"{column}__isnull": False}).values_list(
            "kind", "occurred_at", f"{column}__title", f"{column}__category__code"
        )
        for kind, at, title, category in rows.iterator(5000):
            code = tag_code_for(category, title or "")
            if code is None or (code in deleted and at < deleted[code]):
                continue
            tallies[code].add(source, _weight(kind, at, now, column), title or "")
    return tallies


def _weight(kind: int, at: dt.datetime, now: dt.datetime, column: str) -> float:
    age_days = max((now - at).total_seconds(), 0.0) / 86_400.0
    domain = CROSS_DOMAIN_WEIGHT if column == "short_video" else 1.0
    return KIND_WEIGHTS[kind] * 0.5 ** (age_days / HALF_LIFE_DAYS) * domain


@transaction.atomic
def derive_interests(
    *, actor, viewer: Viewer, now: dt.datetime, days: int = WINDOW_DAYS
) -> list[ViewerInterest]:
    """Replace the viewer's tags with what their recent behaviour says."""
    tallies = tally(viewer, now, days)
    total = sum(t.weight for t in tallies.values())
    shares = {
        code: t.weight / total
        for code, t in tallies.items()
        if total > 0 and t.weight / total >= MIN_SHARE
    }
    kept = sorted(shares, key=shares.get, reverse=True)[:MAX_TAGS]
    tags = InterestTag.objects.filter(code__in=kept, is_sensitive=False).in_bulk(
        field_name="code"
    )
    current = {i.tag.code: i for i in viewer.interests.select_related("tag")}

    for code, interest in current.items():
        if code not in tags:
            _record(interest, actor)
            interest.delete()
    out = []
    for code in kept:
        if code not in tags:
            continue
        interest = current.get(code) or ViewerInterest(viewer=viewer, tag=tags[code])
        interest.weight = round(shares[code], 4)
        interest.source = max(tallies[code].by_source, key=tallies[code].by_source.get)
        interest.example = tallies[code].example[:200]
        interest.updated_at = now
        _record(interest, actor)
        interest.save()
        out.append(interest)
    logger.info("interest tags derived", extra={"viewer": viewer.pk, "tags": len(out)})
    return out


def _record(interest: ViewerInterest, actor) -> None:
    interest._change_reason = DERIVED
    if actor is not None:
        interest._history_user = actor


def derive_all_interests(*, actor, now: dt.datetime, days: int = WINDOW_DAYS) -> int:
    """Derive the tags of every viewer who did something in the window."""
    active = Event.objects.filter(
        occurred_at__gte=now - dt.timedelta(days=days),
        occurred_at__lt=now,
        kind__in=[kind for kind, weight in KIND_WEIGHTS.items() if weight > 0],
    ).values("viewer")
    count = 0
    for viewer in Viewer.objects.filter(pk__in=active).order_by("pk").iterator():
        derive_interests(actor=actor, viewer=viewer, now=now, days=days)
        count += 1
    return count
