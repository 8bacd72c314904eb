"""Every state change of moderation (clause 6.1): training the screen, screening,
claiming, deciding (alone or in bulk) and appeals.

Each is one function, atomic, with a keyword-only ``actor`` (``None`` for the machine
screen), writing its history reason with the clause and publishing a new policy
version, so serving stops or resumes showing the content at once.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from recengine.governance.publishing import publish_policy
from recengine.moderation import content, screen
from recengine.moderation.classifier import (
    RiskClassifier,
    held_out_split,
    precision_recall,
)
from recengine.moderation.models import (
    Decision,
    ModerationCase,
    Outcome,
    Queue,
    ScreenModel,
)
from recengine.moderation.validation import with_clause
from recengine.simulator.labelled import labelled_examples

logger = logging.getLogger(__name__)

CLAUSE_SCREEN = "6.1.1"
TEST_SHARE = 0.25
MACHINE_GROUND = "T/CMBN 6.1.1 machine screen; Advertising Law Art. 9, 17, 28"
DEFAULT_REDRESS = (
    "An appeal can be filed against this decision; a different reviewer decides it."
)


def _reason(text: str, clause: str) -> str:
    return with_clause(text, clause)


def _save(case: ModerationCase, actor, reason: str, clause: str) -> None:
    case._history_user = actor
    case._change_reason = _reason(reason, clause)
    case.save()


# -- the screen model -------------------------------------------------------------


@transaction.atomic
def train_screen(*, actor, seed: int = 2026, per_kind: int = 400) -> ScreenModel:
    """Fit the classifier on the simulator's labelled examples, measure it on a
    held-out quarter and make it the active screen."""
    examples = labelled_examples(seed, per_kind)
    train, test = held_out_split(len(examples), TEST_SHARE, seed)
    kinds = [example.kind for example in examples]
    texts = [example.text for example in examples]
    truth = [example.violation for example in examples]

    classifier = RiskClassifier(random_state=seed).fit(
        [kinds[i] for i in train], [texts[i] for i in train], [truth[i] for i in train]
    )
    probabilities = classifier.predict_proba(
        [kinds[i] for i in test], [texts[i] for i in test]
    )
    test_truth = [truth[i] for i in test]
    model_scores = precision_recall(
        test_truth, probabilities >= screen.DECISION_THRESHOLD
    )
    screened = screen.screen(
        [content.Element(kinds[i], texts[i]) for i in test], classifier
    )
    screen_scores = precision_recall(
        test_truth, [item.risk >= screen.DECISION_THRESHOLD for item in screened]
    )

    artifact, digest = screen.dump(classifier)
    now = timezone.now()
    for previous in ScreenModel.objects.filter(is_active=True):
        previous.is_active = False
        previous._history_user = actor
        previous._change_reason = _reason("replaced by a newer screen", CLAUSE_SCREEN)
        previous.save()
    model = ScreenModel(
        version=f"screen-{now:%Y%m%d%H%M%S}-{digest[:8]}",
        trained_at=now,
        artifact=artifact,
        artifact_sha256=digest,
        train_examples=len(train),
        test_examples=len(test),
        precision=model_scores.precision,
        recall=model_scores.recall,
        threshold=screen.DECISION_THRESHOLD,
        screen_precision=screen_scores.precision,
        screen_recall=screen_scores.recall,
        seed=seed,
        is_active=True,
    )
    model._history_user = actor
    model._change_reason = _reason("trained and activated", CLAUSE_SCREEN)
    model.save()
    logger.info(
        "screen model trained",
        extra={"version": model.version, "precision": model.precision},
    )
    return model


def active_screen() -> ScreenModel | None:
    return ScreenModel.objects.filter(is_active=True).order_by("-trained_at").first()


# -- screening --------------------------------------------------------------------


@dataclass(frozen=True)
class ScreenReport:
    screened: int
    unchanged: int
    routed: dict[str, int]


def _known_hashes() -> dict[tuple, tuple[int, str]]:
    rows = ModerationCase.objects.filter(current=True).values_list(
        "pk", "kind", "room_id", "product_id", "anchor_id", "session_id", "content_hash"
    )
    return {tuple(row[1:6]): (row[0], row[6]) for row in rows.iterator(chunk_size=5000)}


@transaction.atomic
def screen_catalogue(
    *, actor, reason: str = "machine screen", now: dt.datetime | None = None
) -> ScreenReport:
    """Screen every element that is new or changed since it was last screened."""
    now = now or timezone.now()
    model = active_screen()
    classifier = screen.load(model) if model is not None else None
    known = _known_hashes()

    fresh, replaced = [], []
    for element in content.gather(now):
        previous = known.get(element.key)
        if previous is not None and previous[1] == element.content_hash:
            continue
        fresh.append(element)
        if previous is not None:
            replaced.append(previous[0])

    # ``now`` places the traffic and danmaku windows; the records carry the moment
    # the screen actually ran, from which review times are measured.
    results = screen.screen(fresh, classifier)
    _supersede(replaced, actor)
    screened_at = timezone.now()
    cases = _create_cases(results, model, screened_at, actor, reason)
    _record_machine_decisions(cases, results, screened_at)

    routed: dict[str, int] = {}
    for item in results:
        queue = str(item.route.queue)
        routed[queue] = routed.get(queue, 0) + 1
    if results:
        publish_policy(actor=actor, reason=reason, clause=CLAUSE_SCREEN)
    logger.info("content screened", extra={"screened": len(results), "routed": routed})
    return ScreenReport(len(results), len(known) - len(replaced), routed)


def _supersede(pks: list[int], actor) -> None:
    for case in ModerationCase.objects.filter(pk__in=pks):
        case.current = False
        _save(case, actor, "content changed, screened again", CLAUSE_SCREEN)


def _create_cases(results, model, now, actor, reason) -> list[ModerationCase]:
    cases = [
        ModerationCase(
            kind=item.element.kind,
            room_id=item.element.room_id,
            product_id=item.element.product_id,
            anchor_id=item.element.anchor_id,
            session_id=item.element.session_id,
            content_hash=item.element.content_hash,
            excerpt=content.excerpt(item.element.text),
            risk_score=item.risk,
            model_probability=item.probability,
            rule_hits=item.hits,
            high_risk=item.route.high_risk,
            ai_synthesised=item.element.ai_synthesised,
            screen_version=model.version if model is not None else "",
            queue=item.route.queue,
            priority=item.route.priority,
            status=item.route.status,
            screened_at=now,
            decided_at=now if item.route.queue == Queue.NONE else None,
        )
        for item in results
    ]
    return bulk_create_with_history(
        cases,
        ModerationCase,
        batch_size=1000,
        default_user=actor,
        default_change_reason=_reason(reason, CLAUSE_SCREEN),
    )


def _machine_facts(item: screen.Screened) -> str:
    parts = [f"risk score {item.risk:.2f}"]
    if item.probability is not None:
        parts.append(f"classifier probability {item.probability:.2f}")
    parts.append("rule hits: " + (", ".join(item.hits) if item.hits else "none"))
    if item.element.ai_synthesised:
        parts.append("AI-synthesised content")
    if item.element.hot:
        parts.append("high-traffic or high-GMV room")
    return "; ".join(parts)


def _record_machine_decisions(cases, results, now) -> None:
    decisions = []
    for case, item in zip(cases, results, strict=True):
        routed = item.route.queue != Queue.NONE
        decisions.append(
            Decision(
                case=case,
                outcome=Outcome.ROUTE if routed else Outcome.AUTO_APPROVE,
                queue=item.route.queue,
                ground=MACHINE_GROUND,
                facts=_machine_facts(item),
                automated=True,
                redress=DEFAULT_REDRESS,
                decided_at=now,
            )
        )
    Decision.objects.bulk_create(decisions, batch_size=1000)
