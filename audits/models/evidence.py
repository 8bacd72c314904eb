"""Evidence a compliance officer keeps: attestations, applicability, remediation.

These live across runs, keyed by the stable ids of the catalogue (clause number,
attestation id, check id), so that a new catalogue version keeps what was attested
and what is still being remedied.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from audits.models.runs import Finding
from recengine.classification import GENERAL, IMPORTANT, PERSONAL
from recengine.history import governed_history


class AppendOnlyEvidence(RuntimeError):
    """Evidence revisions are never changed or deleted; a new revision supersedes."""


class EvidenceRevision(models.Model):
    """One revision of the evidence for an attestation item: a file or a link."""

    attestation_id = models.CharField(_("attestation id"), max_length=60)
    clause_number = models.CharField(_("clause"), max_length=20)
    revision = models.PositiveIntegerField(_("revision"))
    file = models.FileField(_("file"), upload_to="audit-evidence/", blank=True)
    link = models.URLField(_("link"), blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    note = models.TextField(_("note"), blank=True)
    effective_from = models.DateField(_("effective from"))
    expires_on = models.DateField(_("expires on"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owner"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    DATA_CLASSIFICATION = {
        "id": GENERAL,
        "attestation_id": GENERAL,
        "clause_number": GENERAL,
        "revision": GENERAL,
        "file": IMPORTANT,
        "link": GENERAL,
        "sha256": GENERAL,
        "note": GENERAL,
        "effective_from": GENERAL,
        "expires_on": GENERAL,
        "owner": PERSONAL,
        "recorded_by": PERSONAL,
        "recorded_at": GENERAL,
    }

    class Meta:
        ordering = ["attestation_id", "-revision"]
        verbose_name = _("evidence revision")
        verbose_name_plural = _("evidence revisions")
        constraints = [
            models.UniqueConstraint(
                fields=["attestation_id", "revision"], name="one_evidence_revision"
            )
        ]

    def __str__(self) -> str:
        return f"{self.attestation_id} r{self.revision}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyEvidence("evidence revisions are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyEvidence("evidence revisions are append-only")


class Applicability(models.Model):
    """The standing statement of applicability of one clause; each run copies it."""

    clause_number = models.CharField(_("clause"), max_length=20, unique=True)
    applicable = models.BooleanField(_("applicable"), default=True)
    justification = models.TextField(_("justification"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("updated by"),
    )
    updated_at = models.DateTimeField(_("updated at"))

    history = governed_history()

    DATA_CLASSIFICATION = {
        "id": GENERAL,
        "clause_number": GENERAL,
        "applicable": GENERAL,
        "justification": GENERAL,
        "updated_by": PERSONAL,
        "updated_at": GENERAL,
    }

    class Meta:
        ordering = ["clause_number"]
        verbose_name = _("statement of applicability")
        verbose_name_plural = _("statements of applicability")

    def __str__(self) -> str:
        state = "applicable" if self.applicable else "not applicable"
        return f"{self.clause_number}: {state}"


class RemediationStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    CLOSED = "closed", _("Closed")


class RemediationItem(models.Model):
    """Work to correct a finding; reported in every audit until it is closed."""

    finding = models.ForeignKey(
        Finding, on_delete=models.PROTECT, related_name="remediation"
    )
    check_id = models.CharField(_("check id"), max_length=60)
    clause_number = models.CharField(_("clause"), max_length=20)
    action = models.TextField(_("action"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owner"),
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=RemediationStatus.choices,
        default=RemediationStatus.OPEN,
    )
    response = models.TextField(_("management response"), blank=True)
    created_at = models.DateTimeField(_("created at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    history = governed_history()

    DATA_CLASSIFICATION = {
        "id": GENERAL,
        "finding": GENERAL,
        "check_id": GENERAL,
        "clause_number": GENERAL,
        "action": GENERAL,
        "owner": PERSONAL,
        "due_date": GENERAL,
        "status": GENERAL,
        "response": GENERAL,
        "created_at": GENERAL,
        "closed_at": GENERAL,
    }

    class Meta:
        ordering = ["status", "due_date", "id"]
        verbose_name = _("remediation item")
        verbose_name_plural = _("remediation items")

    def __str__(self) -> str:
        return f"{self.check_id}: {self.action[:40]}"
