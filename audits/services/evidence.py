"""Attestation evidence, the statement of applicability and remediation items.

Evidence is append-only: a new revision supersedes the last one, nothing is
edited. The statement of applicability and remediation items are governed rows
whose every change carries a history reason.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.models import (
    Applicability,
    EvidenceRevision,
    Finding,
    RemediationItem,
    RemediationStatus,
)

logger = logging.getLogger(__name__)


class EvidenceError(ValueError):
    """Evidence that cannot be recorded as given; the message says why."""


@transaction.atomic
def add_evidence(
    *,
    actor,
    attestation_id: str,
    clause_number: str,
    owner,
    effective_from: dt.date,
    expires_on: dt.date,
    upload: UploadedFile | None = None,
    link: str = "",
    note: str = "",
) -> EvidenceRevision:
    """Record the next revision of an attestation's evidence (clause 8.2.1)."""
    if bool(upload) == bool(link):
        raise EvidenceError(_("Give either a file or a link."))
    if expires_on <= effective_from:
        raise EvidenceError(_("The expiry must come after the effective date."))

    latest = EvidenceRevision.objects.select_for_update().filter(
        attestation_id=attestation_id
    )
    number = (latest.aggregate(top=Max("revision"))["top"] or 0) + 1
    revision = EvidenceRevision(
        attestation_id=attestation_id,
        clause_number=clause_number,
        revision=number,
        link=link,
        note=note,
        effective_from=effective_from,
        expires_on=expires_on,
        owner=owner,
        recorded_by=actor,
        recorded_at=timezone.now(),
        sha256=_sha256(upload) if upload else hashlib.sha256(link.encode()).hexdigest(),
    )
    if upload:
        revision.file.save(upload.name, upload, save=False)
    revision.save()
    logger.info(
        "Recorded evidence %s r%s",
        attestation_id,
        number,
        extra={"evidence_id": revision.pk},
    )
    return revision


def _sha256(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


@dataclass(frozen=True)
class EvidenceState:
    status: str  # "valid", "expired" or "missing"
    revision: EvidenceRevision | None


def evidence_state(attestation_id: str, on: dt.date) -> EvidenceState:
    """The latest revision in effect on ``on`` and whether it still holds."""
    latest = (
        EvidenceRevision.objects.filter(
            attestation_id=attestation_id, effective_from__lte=on
        )
        .order_by("-revision")
        .first()
    )
    if latest is None:
        return EvidenceState("missing", None)
    if latest.expires_on <= on:
        return EvidenceState("expired", latest)
    return EvidenceState("valid", latest)


@transaction.atomic
def set_applicability(
    *, actor, clause_number: str, applicable: bool, justification: str
) -> Applicability:
    """Declare a clause applicable or not, with the justification (clause 8.2.1)."""
    if not justification.strip():
        raise EvidenceError(_("A justification is required."))
    statement = Applicability.objects.filter(clause_number=clause_number).first()
    statement = statement or Applicability(clause_number=clause_number)
    statement.applicable = applicable
    statement.justification = justification.strip()
    statement.updated_by = actor
    statement.updated_at = timezone.now()
    statement._history_user = actor
    statement._change_reason = "clause 8.2.1: statement of applicability"
    statement.save()
    return statement


@transaction.atomic
def open_remediation(
    *, actor, finding: Finding, action: str, owner, due_date: dt.date
) -> RemediationItem:
    """Open a remediation item for a failed or unassessed finding (clause 8.2.3)."""
    if finding.status not in ("fail", "not_assessed"):
        raise EvidenceError(_("Only a failed or unassessed finding needs remediation."))
    item = RemediationItem(
        finding=finding,
        check_id=finding.check_item.check_id,
        clause_number=finding.clause.number,
        action=action.strip(),
        owner=owner,
        due_date=due_date,
        created_at=timezone.now(),
    )
    item._history_user = actor
    item._change_reason = "clause 8.2.3: remediation opened"
    item.save()
    return item


@transaction.atomic
def update_remediation(
    *, actor, item: RemediationItem, status: str, response: str = ""
) -> RemediationItem:
    """Move a remediation item on and record the management response."""
    if status not in RemediationStatus.values:
        raise EvidenceError(_("Unknown status %(status)s.") % {"status": status})
    item = RemediationItem.objects.select_for_update().get(pk=item.pk)
    if item.status == RemediationStatus.CLOSED:
        raise EvidenceError(_("A closed item stays closed; open a new one."))
    item.status = status
    item.response = response.strip() or item.response
    item.closed_at = timezone.now() if status == RemediationStatus.CLOSED else None
    item._history_user = actor
    item._change_reason = f"clause 8.2.3: remediation {status}"
    item.save()
    return item
