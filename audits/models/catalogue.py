"""The clause catalogue as loaded into the database (clause 8.2.1).

A ``CatalogueVersion`` is immutable once loaded: its clauses, checks and
attestations are written in the same transaction and never changed afterwards,
so a report that names a catalogue version can always be re-read against it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from recengine.classification import GENERAL, PERSONAL


class CatalogueVersion(models.Model):
    version = models.CharField(_("version"), max_length=20, unique=True)
    standard_code = models.CharField(_("standard"), max_length=40)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    source_name = models.CharField(_("file name"), max_length=200)
    loaded_at = models.DateTimeField(_("loaded at"))
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("loaded by"),
    )

    DATA_CLASSIFICATION = {
        "id": GENERAL,
        "version": GENERAL,
        "standard_code": GENERAL,
        "sha256": GENERAL,
        "source_name": GENERAL,
        "loaded_at": GENERAL,
        "loaded_by": PERSONAL,
    }

    class Meta:
        ordering = ["-loaded_at"]
        verbose_name = _("catalogue version")
        verbose_name_plural = _("catalogue versions")

    def __str__(self) -> str:
        return f"{self.standard_code} catalogue {self.version}"


class ClauseKind(models.TextChoices):
    HEADING = "heading", _("Heading")
    CLAUSE = "clause", _("Clause")
    TABLE_ROW = "table_row", _("Table row")


class ObligationLevel(models.TextChoices):
    MUST = "must", _("must")
    SHALL = "shall", _("shall")
    SHOULD = "should", _("should")
    MAY = "may", _("may")


class Clause(models.Model):
    catalogue = models.ForeignKey(
        CatalogueVersion, on_delete=models.CASCADE, related_name="clauses"
    )
    number = models.CharField(_("number"), max_length=20)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
        verbose_name=_("parent clause"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ClauseKind.choices)
    position = models.PositiveSmallIntegerField(_("position"))
    title_zh = models.CharField(_("title (Chinese)"), max_length=100, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    text_zh = models.TextField(_("original text"), blank=True)
    summary_en = models.TextField(_("English summary"), blank=True)
    obligation = models.CharField(
        _("obligation"), max_length=6, choices=ObligationLevel.choices, blank=True
    )

    DATA_CLASSIFICATION = {
        "id": GENERAL,
        "catalogue": GENERAL,
        "number": GENERAL,
        "parent": GENERAL,
        "kind": GENERAL,
        "position": GENERAL,
        "title_zh": GENERAL,
        "title_en": GENERAL,
        "text_zh": GENERAL,
        "summary_en": GENERAL,
        "obligation": GENERAL,
    }

    class Meta:
        ordering = ["catalogue", "position"]
        verbose_name = _("clause")
        verbose_name_plural = _("clauses")
        constraints = [
            models.UniqueConstraint(
                fields=["catalogue", "number"], name="clause_number_per_catalogue"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title_zh}".strip()


class Severity(models.TextChoices):
    CRITICAL = "critical", _("Critical")
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")
    INFO = "info", _("Information")


class Check(models.Model):
    """One automated assessment of a clause: a metric compared with a threshold."""

    catalogue = models.ForeignKey(
        CatalogueVersion, on_delete=models.CASCADE, related_name="checks"
    )
    clause = models.ForeignKey(Clause, on_delete=models.CASCADE, related_name="checks")
    check_id = models.CharField(_("check id"), max_length=60)
    title_zh = models.CharField(_("title (Chinese)"), max_length=100)
    title_en = models.CharField(_("title (English)"), max_length=200)
    metric = models.CharField(_("metric"), max_length=80)
    grouping = models.CharField(_("grouping"), max_length=30)
    comparator = models.CharField(_("comparator"), max_length=8)
    threshold = models.FloatField(_("threshold"), null=True, blank=True)
    threshold_high = models.FloatField(_("upper threshold"), null=True, blank=True)
    window_days = models.PositiveSmallIntegerField(_("window (days)"))
    min_sample = models.PositiveIntegerField(_("minimum sample"))
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    evidence = models.JSONField(_("expected evidence"), default=list)
    params = models.JSONField(_("parameters"), default=dict, blank=True)

    DATA_CLASSIFICATION = {
        "id": GENERAL,
        "catalogue": GENERAL,
        "clause": GENERAL,
        "check_id": GENERAL,
        "title_zh": GENERAL,
        "title_en": GENERAL,
        "metric": GENERAL,
        "grouping": GENERAL,
        "comparator": GENERAL,
        "threshold": GENERAL,
        "threshold_high": GENERAL,
        "window_days": GENERAL,
        "min_sample": GENERAL,
        "severity": GENERAL,
        "evidence": GENERAL,
        "params": GENERAL,
    }

    class Meta:
        ordering = ["catalogue", "clause__position", "id"]
        verbose_name = _("check")
        verbose_name_plural = _("checks")
        constraints = [
            models.UniqueConstraint(
                fields=["catalogue", "check_id"], name="check_id_per_catalogue"
            )
        ]

    def __str__(self) -> str:
        return self.check_id


class Attestation(models.Model):
    """Evidence a compliance officer attaches where no check can decide."""

    catalogue = models.ForeignKey(
        CatalogueVersion, on_delete=models.CASCADE, related_name="attestations"
    )
    clause = models.ForeignKey(
        Clause, on_delete=models.CASCADE, related_name="attestations"
    )
    attestation_id = models.CharField(_("attestation id"), max_length=60)
    evidence_zh = models.TextField(_("evidence required (Chinese)"))
    evidence_en = models.TextField(_("evidence required (English)"))

    DATA_CLASSIFICATION = {
        "id": GENERAL,
        "catalogue": GENERAL,
        "clause": GENERAL,
        "attestation_id": GENERAL,
        "evidence_zh": GENERAL,
        "evidence_en": GENERAL,
    }

    class Meta:
        ordering = ["catalogue", "clause__position", "id"]
        verbose_name = _("attestation item")
        verbose_name_plural = _("attestation items")
        constraints = [
            models.UniqueConstraint(
                fields=["catalogue", "attestation_id"],
                name="attestation_id_per_catalogue",
            )
        ]

    def __str__(self) -> str:
        return self.attestation_id
