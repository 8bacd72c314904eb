"""Model versions and ranking configuration (clause 8.2.2, 5.4.2).

A model version moves candidate -> active -> superseded -> retired. Only the one
active version serves; a superseded one may come back by rollback; a retired one
never serves again. Ranking weights and re-rank settings are versioned the same
way, so every exposure names the configuration that ranked it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from recengine.classification import GENERAL, PERSONAL
from recengine.history import governed_history


class ModelStatus(models.TextChoices):
    CANDIDATE = "candidate", _("candidate")
    ACTIVE = "active", _("active")
    SUPERSEDED = "superseded", _("superseded")
    RETIRED = "retired", _("retired")


class ModelVersion(models.Model):
    version = models.CharField(max_length=40, unique=True)
    status = models.CharField(
        max_length=12, choices=ModelStatus.choices, default=ModelStatus.CANDIDATE
    )
    created_at = models.DateTimeField()
    window_start = models.DateTimeField(help_text=_("First event used for training"))
    window_end = models.DateTimeField(help_text=_("End of the training window"))
    artifact = models.CharField(max_length=200, help_text=_("Path under DATA_DIR"))
    artifact_sha256 = models.CharField(max_length=64)
    evaluation = models.JSONField(default=dict, blank=True)
    training_seconds = models.FloatField(null=True, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    history = governed_history()

    DATA_CLASSIFICATION = {
        "id": GENERAL,
        "version": GENERAL,
        "status": GENERAL,
        "created_at": GENERAL,
        "window_start": GENERAL,
        "window_end": GENERAL,
        "artifact": GENERAL,
        "artifact_sha256": GENERAL,
        "evaluation": GENERAL,
        "training_seconds": GENERAL,
        "activated_at": GENERAL,
        "activated_by": PERSONAL,
    }

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("model version")
        verbose_name_plural = _("model versions")
        permissions = [
            ("activate_modelversion", _("Can activate and roll back models"))
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["status"],
                condition=Q(status="active"),
                name="one_active_model",
            )
        ]

    def __str__(self) -> str:
        return f"{self.version} ({self.status})"


class RankingConfig(models.Model):
    """Objective weights and re-rank settings; the newest row is in force."""

    version = models.PositiveIntegerField(unique=True)
    weights = models.JSONField()
    rerank = models.JSONField()
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.CharField(max_length=300)

    history = governed_history()

    DATA_CLASSIFICATION = {
        "id": GENERAL,
        "version": GENERAL,
        "weights": GENERAL,
        "rerank": GENERAL,
        "created_at": GENERAL,
        "created_by": PERSONAL,
        "reason": GENERAL,
    }

    class Meta:
        ordering = ["-version"]
        verbose_name = _("ranking configuration")
        verbose_name_plural = _("ranking configurations")

    def __str__(self) -> str:
        return f"ranking v{self.version}"
