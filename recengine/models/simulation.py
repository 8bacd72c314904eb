"""What the simulator knew when it built a platform, kept apart from platform data.

Ground truth is for tests, audits and benchmarks only: no feature builder reads these
tables, so the engine has to discover what the simulator planted.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from recengine.classification import GENERAL


class SimulationRun(models.Model):
    seed = models.BigIntegerField()
    viewers = models.PositiveIntegerField()
    days = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    stats = models.JSONField(default=dict, blank=True)

    DATA_CLASSIFICATION = {
        "id": GENERAL,
        "seed": GENERAL,
        "viewers": GENERAL,
        "days": GENERAL,
        "started_at": GENERAL,
        "finished_at": GENERAL,
        "stats": GENERAL,
    }

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("simulation run")
        verbose_name_plural = _("simulation runs")

    def __str__(self) -> str:
        return f"seed {self.seed}: {self.viewers} viewers x {self.days} days"


class TruthKind(models.TextChoices):
    VIEWER = "viewer", _("viewer")
    ANCHOR = "anchor", _("anchor")
    MERCHANT = "merchant", _("merchant")
    PRODUCT = "product", _("product")
    ROOM = "room", _("live room")


class GroundTruth(models.Model):
    run = models.ForeignKey(
        SimulationRun, on_delete=models.CASCADE, related_name="truth"
    )
    kind = models.CharField(max_length=10, choices=TruthKind.choices)
    external_id = models.CharField(max_length=64)
    attributes = models.JSONField()

    DATA_CLASSIFICATION = {
        "id": GENERAL,
        "run": GENERAL,
        "kind": GENERAL,
        "external_id": GENERAL,
        "attributes": GENERAL,
    }

    class Meta:
        verbose_name = _("ground truth")
        verbose_name_plural = _("ground truth")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "kind", "external_id"], name="one_truth_per_entity"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.external_id}"


class PlatformSnapshot(models.Model):
    """Daily figures of the platform, written by a scheduled task for the dashboard."""

    day = models.DateField(unique=True)
    exposures = models.PositiveBigIntegerField()
    clicks = models.PositiveBigIntegerField()
    orders = models.PositiveBigIntegerField()
    gmv = models.DecimalField(max_digits=16, decimal_places=2)
    computed_at = models.DateTimeField()

    DATA_CLASSIFICATION = {
        "id": GENERAL,
        "day": GENERAL,
        "exposures": GENERAL,
        "clicks": GENERAL,
        "orders": GENERAL,
        "gmv": GENERAL,
        "computed_at": GENERAL,
    }

    class Meta:
        ordering = ["-day"]
        verbose_name = _("platform snapshot")
        verbose_name_plural = _("platform snapshots")

    def __str__(self) -> str:
        return f"{self.day}: {self.exposures} exposures"
