"""What a viewer did with their rights (clause 6.3): deleted tags and data exports.

A deleted tag leaves a ``TagSuppression``: the events behind the tag up to the
moment of deletion no longer count for that viewer, neither when their tags are
derived again nor when the engine is trained, and serving ignores the tag's items
as personal signals until a model trained after the deletion is in service.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from recengine.classification import GENERAL, PERSONAL
from recengine.history import governed_history
from recengine.models.platform import InterestTag, Viewer


class TagSuppression(models.Model):
    viewer = models.ForeignKey(
        Viewer, on_delete=models.CASCADE, related_name="tag_suppressions"
    )
    tag = models.ForeignKey(InterestTag, on_delete=models.PROTECT, related_name="+")
    suppressed_at = models.DateTimeField(
        help_text=_("Events before this moment no longer count for the tag")
    )

    history = governed_history()

    DATA_CLASSIFICATION = {
        "id": PERSONAL,
        "viewer": PERSONAL,
        "tag": PERSONAL,
        "suppressed_at": PERSONAL,
    }

    class Meta:
        verbose_name = _("deleted interest tag")
        verbose_name_plural = _("deleted interest tags")
        constraints = [
            models.UniqueConstraint(
                fields=["viewer", "tag"], name="one_suppression_per_tag"
            )
        ]
        indexes = [models.Index(fields=["suppressed_at"])]

    def __str__(self) -> str:
        return f"{self.viewer_id} forgot {self.tag_id}"


class DataExport(models.Model):
    """One download of "my data" (PIPL Art. 45), kept as the record of the request."""

    viewer = models.ForeignKey(
        Viewer, on_delete=models.CASCADE, related_name="data_exports"
    )
    exported_at = models.DateTimeField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sha256 = models.CharField(max_length=64)

    DATA_CLASSIFICATION = {
        "id": PERSONAL,
        "viewer": PERSONAL,
        "exported_at": PERSONAL,
        "requested_by": PERSONAL,
        "sha256": GENERAL,
    }

    class Meta:
        ordering = ["-exported_at"]
        verbose_name = _("data export")
        verbose_name_plural = _("data exports")

    def __str__(self) -> str:
        return f"export of {self.viewer_id} at {self.exported_at:%Y-%m-%d %H:%M}"
