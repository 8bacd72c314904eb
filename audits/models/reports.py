"""Audit reports: versions, sign-off bound to a hash, frozen files, access log.

A report's ``document`` is everything it says, as canonical JSON; ``content_sha256``
is the hash of that document. A sign-off records the hash it approved, so any
later change to the document makes the sign-off visibly stale. A final report is
frozen: its rendered files are stored with their SHA-256, and a correction is a
new version that supersedes it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from audits.models.runs import AuditRun
from recengine.classification import GENERAL, IMPORTANT, PERSONAL
from recengine.history import governed_history


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    FINAL = "final", _("Final")
    SUPERSEDED = "superseded", _("Superseded")


class Report(models.Model):
    run = models.ForeignKey(AuditRun, on_delete=models.PROTECT, related_name="reports")
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    previous = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="correction",
        verbose_name=_("corrects"),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ReportStatus.choices,
        default=ReportStatus.DRAFT,
    )
    document = models.JSONField(_("report document"))
    content_sha256 = models.CharField(_("SHA-256 of the document"), max_length=64)
    generated_at = models.DateTimeField(_("generated at"))
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("prepared by"),
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("signed by"),
    )
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    signed_sha256 = models.CharField(_("signed SHA-256"), max_length=64, blank=True)
    files = models.JSONField(_("frozen files"), default=dict, blank=True)
    correction_reason = models.TextField(_("correction reason"), blank=True)

    history = governed_history()

    DATA_CLASSIFICATION = {
        "id": GENERAL,
        "run": GENERAL,
        "version": GENERAL,
        "previous": GENERAL,
        "status": GENERAL,
        "document": IMPORTANT,
        "content_sha256": GENERAL,
        "generated_at": GENERAL,
        "prepared_by": PERSONAL,
        "signed_by": PERSONAL,
        "signed_at": GENERAL,
        "signed_sha256": GENERAL,
        "files": GENERAL,
        "correction_reason": GENERAL,
    }

    class Meta:
        ordering = ["-generated_at", "-id"]
        verbose_name = _("audit report")
        verbose_name_plural = _("audit reports")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "version"], name="one_report_version_per_run"
            )
        ]

    def __str__(self) -> str:
        return f"report {self.pk} v{self.version} ({self.status})"

    @property
    def signature_valid(self) -> bool:
        return bool(self.signed_sha256) and self.signed_sha256 == self.content_sha256


class AccessAction(models.TextChoices):
    VIEW = "view", _("View")
    DOWNLOAD = "download", _("Download")


class ReportAccess(models.Model):
    """Every view and download of a report (who, when, which file)."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="access")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(_("action"), max_length=8, choices=AccessAction.choices)
    file_format = models.CharField(_("format"), max_length=8, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    at = models.DateTimeField(_("at"))

    DATA_CLASSIFICATION = {
        "id": GENERAL,
        "report": GENERAL,
        "user": PERSONAL,
        "action": GENERAL,
        "file_format": GENERAL,
        "language": GENERAL,
        "at": GENERAL,
    }

    class Meta:
        ordering = ["-at"]
        verbose_name = _("report access")
        verbose_name_plural = _("report access")

    def __str__(self) -> str:
        return f"{self.action} of report {self.report_id}"
