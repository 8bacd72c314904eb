"""What reviewers do to cases (clause 6.1.1): claim, decide with a statement of
reasons, decide many at once, and settle appeals with a second pair of eyes.

Every function is atomic with a keyword-only ``actor``, writes the case's history
with the clause, appends one ``Decision`` per case and publishes a policy version.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from recengine.governance.publishing import publish_policy
from recengine.moderation.models import (
    OPEN_STATUSES,
    Appeal,
    AppealStatus,
    CaseStatus,
    Decision,
    ModerationCase,
    Outcome,
    Queue,
)
from recengine.moderation.validation import ModerationError, clean_text, with_clause

logger = logging.getLogger(__name__)

CLAUSE = "6.1.1"
MAX_BULK = 500
DEFAULT_REDRESS = (
    "An appeal can be filed against this decision; a different reviewer decides it."
)
STATUS_AFTER = {
    Outcome.APPROVE: CaseStatus.APPROVED,
    Outcome.REJECT: CaseStatus.REJECTED,
    Outcome.ESCALATE: CaseStatus.ESCALATED,
}


@dataclass(frozen=True)
class Statement:
    """The statement of reasons of a human decision."""

    outcome: str
    ground: str
    facts: str
    redress: str

    @classmethod
    def checked(cls, outcome: str, ground: object, facts: object, redress: object = ""):
        if outcome not in STATUS_AFTER:
            raise ModerationError(
                _("The decision must be approve, reject or escalate.")
            )
        return cls(
            outcome=outcome,
            ground=clean_text(ground, _("Ground"), 300),
            facts=clean_text(facts, _("Facts"), 4000),
            redress=clean_text(redress, _("Redress"), 300, required=False)
            or DEFAULT_REDRESS,
        )


def _clause(case: ModerationCase) -> str:
    # AI-synthesised content has its own review process (clause 6.1.2).
    return "6.1.2" if case.queue == Queue.AIGC else CLAUSE


def _save(case: ModerationCase, actor, reason: str) -> None:
    case._history_user = actor
    case._change_reason = with_clause(reason, _clause(case))
    case.save()


def _locked(pk: int) -> ModerationCase:
    case = ModerationCase.objects.select_for_update().filter(pk=pk).first()
    if case is None:
        raise ModerationError(_("There is no case %(pk)s.") % {"pk": pk})
    return case


def _check_decidable(case: ModerationCase, actor) -> None:
    if not case.current:
        raise ModerationError(
            _("Case %(pk)s was replaced by a newer screening.") % {"pk": case.pk}
        )
    if case.status not in OPEN_STATUSES:
        raise ModerationError(_("Case %(pk)s is already decided.") % {"pk": case.pk})
    if case.claimed_by_id not in (None, actor.pk):
        raise ModerationError(
            _("Case %(pk)s is claimed by another reviewer.") % {"pk": case.pk}
        )


@transaction.atomic
def claim_case(*, actor, case: ModerationCase) -> ModerationCase:
    """Take an open case so that no other reviewer works on it at the same time."""
    locked = _locked(case.pk)
    _check_decidable(locked, actor)

    locked.claimed_by = actor
    locked.claimed_at = timezone.now()
    _save(locked, actor, "claimed")
    return locked


def _apply(case, statement: Statement, actor, now, batch=None, appeal=None):
    # Appeals are a queue of their own: review time runs from the filing.
    started = appeal.filed_at if appeal is not None else case.screened_at
    decision = Decision.objects.create(
        case=case,
        outcome=statement.outcome,
        queue=Queue.APPEAL if appeal is not None else case.queue,
        ground=statement.ground,
        facts=statement.facts,
        automated=False,
        redress=statement.redress,
        decided_by=actor,
        decided_at=now,
        review_seconds=(now - started).total_seconds(),
        batch=batch,
        appeal=appeal,
    )
    case.status = STATUS_AFTER[statement.outcome]
    case.decided_at = now
    case.claimed_by, case.claimed_at = None, None
    if statement.outcome == Outcome.ESCALATE:
        case.priority = min(100, case.priority + 20)
    _save(case, actor, f"{statement.outcome}: {statement.ground}")
    return decision


@transaction.atomic
def decide_case(
    *, actor, case: ModerationCase, outcome: str, ground, facts, redress=""
) -> Decision:
    """Approve, reject or escalate one case with its statement of reasons."""
    statement = Statement.checked(outcome, ground, facts, redress)
    locked = _locked(case.pk)
    _check_decidable(locked, actor)

    decision = _apply(locked, statement, actor, timezone.now())
    publish_policy(
        actor=actor, reason=f"case {locked.pk} {outcome}", clause=_clause(locked)
    )
    logger.info("case decided", extra={"case": locked.pk, "outcome": outcome})
    return decision


@transaction.atomic
def decide_bulk(
    *, actor, case_ids: Sequence[int], outcome: str, ground, facts, redress=""
) -> list[Decision]:
    """One shared statement of reasons over many cases, one decision row per case;
    all of them or, if any case cannot be decided, none."""
    statement = Statement.checked(outcome, ground, facts, redress)
    ids = list(dict.fromkeys(case_ids))
    if not ids:
        raise ModerationError(_("Choose at least one case."))
    if len(ids) > MAX_BULK:
        raise ModerationError(
            _("At most %(max)d cases can be decided at once.") % {"max": MAX_BULK}
        )

    cases = [_locked(pk) for pk in sorted(ids)]
    for case in cases:
        _check_decidable(case, actor)

    batch, now = uuid.uuid4(), timezone.now()
    decisions = [_apply(case, statement, actor, now, batch) for case in cases]
    publish_policy(
        actor=actor, reason=f"{len(cases)} cases {outcome} in bulk", clause=CLAUSE
    )
    logger.info("cases decided in bulk", extra={"batch": str(batch), "n": len(cases)})
    return decisions


def _last_human_decision(case: ModerationCase) -> Decision | None:
    return (
        case.decisions.filter(automated=False)
        .exclude(outcome=Outcome.ESCALATE)
        .order_by("-decided_at", "-pk")
        .first()
    )


@transaction.atomic
def file_appeal(*, actor, case: ModerationCase, statement) -> Appeal:
    """Record an appeal against the decision a reviewer took on ``case``."""
    text = clean_text(statement, _("Appeal statement"), 4000)
    locked = _locked(case.pk)
    decision = _last_human_decision(locked)
    if decision is None or locked.status not in (
        CaseStatus.APPROVED,
        CaseStatus.REJECTED,
    ):
        raise ModerationError(_("Only a decision taken by a reviewer can be appealed."))
    if locked.appeals.filter(status=AppealStatus.OPEN).exists():
        raise ModerationError(_("This case already has an open appeal."))

    appeal = Appeal(
        case=locked,
        statement=text,
        filed_by=actor,
        filed_at=timezone.now(),
        original_decider=decision.decided_by,
    )
    appeal._history_user = actor
    appeal._change_reason = with_clause("appeal filed", CLAUSE)
    appeal.save()
    return appeal


@transaction.atomic
def decide_appeal(
    *, actor, appeal: Appeal, uphold: bool, ground, facts, redress=""
) -> Decision:
    """Uphold or overturn the appealed decision; never by the reviewer who took it."""
    locked = Appeal.objects.select_for_update().get(pk=appeal.pk)
    if locked.status != AppealStatus.OPEN:
        raise ModerationError(_("This appeal is already decided."))
    if locked.original_decider_id == actor.pk:
        raise ModerationError(_("An appeal must be decided by a different reviewer."))
    case = _locked(locked.case_id)
    keep = CaseStatus.APPROVED if case.status == CaseStatus.APPROVED else None
    if uphold:
        outcome = Outcome.APPROVE if keep else Outcome.REJECT
    else:
        outcome = Outcome.REJECT if keep else Outcome.APPROVE
    statement = Statement.checked(outcome, ground, facts, redress)

    now = timezone.now()
    decision = _apply(case, statement, actor, now, appeal=locked)
    locked.status = AppealStatus.UPHELD if uphold else AppealStatus.OVERTURNED
    locked.decided_by, locked.decided_at = actor, now
    locked._history_user = actor
    locked._change_reason = with_clause(f"appeal {locked.status}", CLAUSE)
    locked.save()
    publish_policy(actor=actor, reason=f"appeal on case {case.pk}", clause=CLAUSE)
    return decision
