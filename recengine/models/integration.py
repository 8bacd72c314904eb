"""Scoped API keys with which an adopting platform's services call the API."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from recengine.classification import GENERAL, IMPORTANT, PERSONAL
from recengine.history import governed_history


class ApiScope(models.TextChoices):
    CATALOGUE_WRITE = "catalogue:write", _("Upsert catalogue")
    EVENTS_WRITE = "events:write", _("Push event batches")
    RECOMMENDATIONS_READ = "recommendations:read", _("Read recommendations")
    TRUST_READ = "trust:read", _("Read blacklist, credit and appeals")
    TRUST_WRITE = "trust:write", _("Change blacklist, credit and appeals")


class ApiKey(models.Model):
    """Only a SHA-256 of the secret is stored; the secret is shown once at issue."""

    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64)
    scopes = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    last_used_at = models.DateTimeField(null=True, blank=True)

    history = governed_history(excluded_fields=["last_used_at"])

    DATA_CLASSIFICATION = {
        "id": GENERAL,
        "name": GENERAL,
        "prefix": GENERAL,
        "key_hash": IMPORTANT,
        "scopes": GENERAL,
        "created_by": PERSONAL,
        "created_at": GENERAL,
        "revoked_at": GENERAL,
        "revoked_by": PERSONAL,
        "last_used_at": GENERAL,
    }

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        permissions = [("issue_apikey", _("Can issue and revoke API keys"))]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def allows(self, scope: str) -> bool:
        return self.is_active and scope in self.scopes
