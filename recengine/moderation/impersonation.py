"""Anti-impersonation (clause 6.4.2): the registry of public figures, their consent
records and the check that blocks an AI persona posing as one of them.

An AI persona is an anchor declared as a digital human, one whose rooms carry a
digital-human label, or one whose voice the detector finds synthetic. The simulator
gives no face pictures, so the match is by name and alias; a figure's face
embedding, where recorded, is kept for a matcher that has faces to compare.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from recengine.governance.publishing import publish_policy
from recengine.models import Anchor, BroadcastSession
from recengine.moderation import detect
from recengine.moderation.labelling import open_case, save_governed
from recengine.moderation.models import (
    AigcCase,
    AigcContent,
    AigcLabel,
    ConsentRecord,
    PublicFigure,
    Verdict,
)
from recengine.moderation.validation import ModerationError, clean_text

logger = logging.getLogger(__name__)

CLAUSE = "6.4.2"
STATS_PER_ANCHOR = 10


def _normal(name: str) -> str:
    return "".join(name.split()).lower()


@transaction.atomic
def register_figure(*, actor, code, name, aliases=()) -> PublicFigure:
    code = clean_text(code, _("Registry code"), 20)
    name = clean_text(name, _("Name"), 60)
    names = [clean_text(alias, _("Aliases"), 60) for alias in aliases]
    if PublicFigure.objects.filter(code=code).exists():
        raise ModerationError(
            _("A public figure with code %(code)s exists.") % {"code": code}
        )

    figure = PublicFigure(
        code=code, name=name, aliases=names, created_at=timezone.now()
    )
    save_governed(figure, actor, "registered", CLAUSE)
    return figure


@transaction.atomic
def record_consent(
    *, actor, figure: PublicFigure, anchor: Anchor, evidence, expires_at=None
) -> ConsentRecord:
    """The figure agreed that this anchor account may use their likeness."""
    text = clean_text(evidence, _("Evidence"), 300)
    now = timezone.now()
    if expires_at is not None and expires_at <= now:
        raise ModerationError(
            _("A consent that has already expired cannot be recorded.")
        )

    consent = ConsentRecord(
        figure=figure,
        anchor=anchor,
        evidence=text,
        granted_at=now,
        expires_at=expires_at,
        recorded_by=actor,
    )
    save_governed(consent, actor, "consent recorded", CLAUSE)
    return consent


def ai_personas(anchors=None) -> set[int]:
    """Anchors that are AI personas by declaration, label or detection."""
    queryset = Anchor.objects.all() if anchors is None else anchors
    declared = set(queryset.filter(is_digital_human=True).values_list("pk", flat=True))
    labelled = set(
        AigcLabel.objects.filter(
            active=True, content=AigcContent.DIGITAL_HUMAN, room__anchor__in=queryset
        ).values_list("room__anchor_id", flat=True)
    )
    return declared | labelled | _synthetic_voices(queryset)


def _synthetic_voices(anchors) -> set[int]:
    stats: dict[int, list[dict]] = {}
    rows = (
        BroadcastSession.objects.filter(room__anchor__in=anchors)
        .order_by("-started_at")
        .values_list("room__anchor_id", "audio_stats")
    )
    for anchor, audio in rows.iterator(chunk_size=2000):
        bucket = stats.setdefault(anchor, [])
        if len(bucket) < STATS_PER_ANCHOR and audio:
            bucket.append(audio)
    return {anchor for anchor, rows in stats.items() if detect.synthetic_voice(rows)}


def _consented(figure: PublicFigure, anchor: int, now: dt.datetime) -> bool:
    return figure.consents.filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now), anchor_id=anchor
    ).exists()


def matching_figure(name: str, figures: list[PublicFigure]) -> PublicFigure | None:
    normal = _normal(name)
    for figure in figures:
        for candidate in [figure.name, *figure.aliases]:
            if candidate and _normal(candidate) in normal:
                return figure
    return None


@transaction.atomic
def check_impersonation(*, actor, anchors=None) -> list[AigcCase]:
    """Block and escalate every AI persona named after a registered figure who has
    not consented; returns the cases (new or already open)."""
    figures = list(PublicFigure.objects.prefetch_related("consents"))
    if not figures:
        return []
    personas = ai_personas(anchors)
    now, cases = timezone.now(), []
    for anchor in Anchor.objects.filter(pk__in=personas).order_by("pk"):
        figure = matching_figure(anchor.name, figures)
        if figure is None or _consented(figure, anchor.pk, now):
            continue
        cases.append(
            open_case(
                actor=actor,
                verdict=Verdict.IMPERSONATION,
                detail=f"AI persona named like public figure {figure.code} "
                "without a consent record.",
                anchor=anchor,
            )
        )
    if cases:
        publish_policy(actor=actor, reason="impersonation check", clause=CLAUSE)
    logger.info("impersonation check", extra={"cases": len(cases)})
    return cases
