"""Audit runs, their findings and per-clause conclusions (clause 8.2.1).

A run freezes the catalogue version and the statement of applicability at its
start. Findings and conclusions are written in one transaction at the end of the
run, so a run is either complete or has nothing: a worker killed half way leaves
a run that the next delivery of the task simply computes again.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from audits.models.catalogue import CatalogueVersion, Check, Clause, Severity
from recengine.classification import GENERAL, IMPORTANT, PERSONAL
from recengine.history import governed_history


class AuditKind(models.TextChoices):
    FULL = "full", _("Full compliance audit")
    FAIRNESS = "fairness", _("Fairness report")
    ECOSYSTEM = "ecosystem", _("Ecosystem report")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class AuditRun(models.Model):
    kind = models.CharField(_("kind"), max_length=10, choices=AuditKind.choices)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end (inclusive)"))
    catalogue = models.ForeignKey(
        CatalogueVersion,
        on_delete=models.PROTECT,
        related_name="runs",
        verbose_name=_("catalogue version"),
    )
    status = models.CharField(
        _("status"), max_length=8, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    applicability = models.JSONField(_("statement of applicability"), default=dict)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    series = models.JSONField(_("chart series"), default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"))
    schedule = models.CharField(_("schedule"), max_length=200, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    history = governed_history()

    DATA_CLASSIFICATION = {
        "id": GENERAL,
        "kind": GENERAL,
        "period_start": GENERAL,
        "period_end": GENERAL,
        "catalogue": GENERAL,
        "status": GENERAL,
        "applicability": GENERAL,
        "parameters": GENERAL,
        "series": GENERAL,
        "requested_by": PERSONAL,
        "requested_at": GENERAL,
        "schedule": GENERAL,
        "finished_at": GENERAL,
        "error": GENERAL,
    }

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("audit run")
        verbose_name_plural = _("audit runs")
        permissions = [("run_audit", _("Can start audits and sign off reports"))]

    def __str__(self) -> str:
        return f"audit {self.pk} {self.period_start}..{self.period_end}"


class RunProgress(models.Model):
    """How far a run has come: written often, so kept apart from the governed row."""

    run = models.OneToOneField(
        AuditRun, on_delete=models.CASCADE, related_name="progress"
    )
    percent = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    stage = models.CharField(_("stage"), max_length=80, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    updated_at = models.DateTimeField(_("updated at"), null=True, blank=True)

    DATA_CLASSIFICATION = {
        "id": GENERAL,
        "run": GENERAL,
        "percent": GENERAL,
        "stage": GENERAL,
        "started_at": GENERAL,
        "attempts": GENERAL,
        "updated_at": GENERAL,
    }

    class Meta:
        verbose_name = _("run progress")
        verbose_name_plural = _("run progress")

    def __str__(self) -> str:
        return f"run {self.run_id}: {self.percent}%"


class FindingStatus(models.TextChoices):
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")
    NOT_ASSESSED = "not_assessed", _("Not assessed")
    REPORTED = "reported", _("Reported")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class Finding(models.Model):
    """The result of one check in one run: measured value against its threshold."""

    run = models.ForeignKey(AuditRun, on_delete=models.CASCADE, related_name="findings")
    check_item = models.ForeignKey(
        Check,
        on_delete=models.PROTECT,
        related_name="findings",
        verbose_name=_("check"),
    )
    clause = models.ForeignKey(Clause, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=FindingStatus.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    measured = models.FloatField(_("measured value"), null=True, blank=True)
    sample = models.PositiveIntegerField(_("sample size"), default=0)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    evidence = models.JSONField(_("evidence"), default=dict)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    DATA_CLASSIFICATION = {
        "id": GENERAL,
        "run": GENERAL,
        "check_item": GENERAL,
        "clause": GENERAL,
        "status": GENERAL,
        "reason": GENERAL,
        "measured": GENERAL,
        "sample": GENERAL,
        "severity": GENERAL,
        "evidence": IMPORTANT,
        "detail": GENERAL,
    }

    class Meta:
        ordering = ["run", "clause__position", "id"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "check_item"], name="one_finding_per_check_and_run"
            )
        ]

    def __str__(self) -> str:
        return f"{self.check_item.check_id}: {self.status}"


class Conclusion(models.TextChoices):
    COMPLIANT = "compliant", _("Compliant")
    WITH_COMMENTS = "with_comments", _("Compliant with comments")
    NON_COMPLIANT = "non_compliant", _("Non-compliant")
    NOT_ASSESSED = "not_assessed", _("Not assessed")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class ClauseResult(models.Model):
    run = models.ForeignKey(
        AuditRun, on_delete=models.CASCADE, related_name="clause_results"
    )
    clause = models.ForeignKey(Clause, on_delete=models.PROTECT, related_name="+")
    conclusion = models.CharField(
        _("conclusion"), max_length=16, choices=Conclusion.choices
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    DATA_CLASSIFICATION = {
        "id": GENERAL,
        "run": GENERAL,
        "clause": GENERAL,
        "conclusion": GENERAL,
        "reason": GENERAL,
    }

    class Meta:
        ordering = ["run", "clause__position"]
        verbose_name = _("clause conclusion")
        verbose_name_plural = _("clause conclusions")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "clause"], name="one_conclusion_per_clause_and_run"
            )
        ]

    def __str__(self) -> str:
        return f"{self.clause_id}: {self.conclusion}"
