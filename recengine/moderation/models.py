"""Moderation cases, their statements of reasons and appeals (clause 6.1), and AIGC
labels, verification cases and the public-figure registry (clause 6.4).

Decisions are append-only rows: a case's current state lives on the case (with its
history), the reasons for every change of it live in ``Decision``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from recengine.classification import GENERAL, IMPORTANT, PERSONAL
from recengine.history import governed_history
from recengine.models import Anchor, BroadcastSession, LiveRoom, Product


class ContentKind(models.TextChoices):
    """The content elements clause 6.1.2 names."""

    PRODUCT = "product", _("Product information")
    ROOM_TITLE = "room_title", _("Live room title")
    CREDENTIALS = "credentials", _("Anchor credentials")
    TRANSCRIPT = "transcript", _("Transcript of the anchor's talk")
    DANMAKU = "danmaku", _("Danmaku")


class Queue(models.TextChoices):
    NONE = "none", _("No human review")
    HIGH_RISK = "high_risk", _("High risk")
    UNCERTAIN = "uncertain", _("Uncertain")
    HIGH_TRAFFIC = "high_traffic", _("High traffic or GMV")
    AIGC = "aigc", _("AI-synthesised content")
    APPEAL = "appeal", _("Appeals")


class CaseStatus(models.TextChoices):
    AUTO_APPROVED = "auto_approved", _("Approved by the machine screen")
    PENDING = "pending", _("Pending review")
    ESCALATED = "escalated", _("Escalated")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


OPEN_STATUSES = (CaseStatus.PENDING, CaseStatus.ESCALATED)


class Outcome(models.TextChoices):
    AUTO_APPROVE = "auto_approve", _("Approved automatically")
    ROUTE = "route", _("Routed to human review")
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")
    ESCALATE = "escalate", _("Escalate")


class ScreenModel(models.Model):
    """A trained text classifier of the machine screen with its held-out figures."""

    version = models.CharField(max_length=40, unique=True)
    trained_at = models.DateTimeField()
    artifact = models.BinaryField(help_text=_("joblib dump of the fitted classifier"))
    artifact_sha256 = models.CharField(max_length=64)
    train_examples = models.PositiveIntegerField()
    test_examples = models.PositiveIntegerField()
    precision = models.FloatField()
    recall = models.FloatField()
    threshold = models.FloatField(help_text=_("Probability from which an item counts"))
    # The whole screen: classifier or rule, on the same held-out examples.
    screen_precision = models.FloatField()
    screen_recall = models.FloatField()
    seed = models.BigIntegerField()
    is_active = models.BooleanField(default=False)

    history = governed_history(excluded_fields=["artifact"])

    DATA_CLASSIFICATION = {
        "id": GENERAL,
        "version": GENERAL,
        "trained_at": GENERAL,
        "artifact": GENERAL,
        "artifact_sha256": GENERAL,
        "train_examples": GENERAL,
        "test_examples": GENERAL,
        "precision": GENERAL,
        "recall": GENERAL,
        "threshold": GENERAL,
        "screen_precision": GENERAL,
        "screen_recall": GENERAL,
        "seed": GENERAL,
        "is_active": GENERAL,
    }

    class Meta:
        ordering = ["-trained_at"]
        verbose_name = _("screen model")
        verbose_name_plural = _("screen models")

    def __str__(self) -> str:
        return self.version


class ModerationCase(models.Model):
    """One screened content element: its risk, its route and its current decision."""

    kind = models.CharField(max_length=12, choices=ContentKind.choices)
    room = models.ForeignKey(
        LiveRoom, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    anchor = models.ForeignKey(
        Anchor, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    session = models.ForeignKey(
        BroadcastSession,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    content_hash = models.CharField(max_length=64)
    excerpt = models.TextField(help_text=_("The screened text, personal data blanked"))
    risk_score = models.FloatField()
    model_probability = models.FloatField(null=True, blank=True)
    rule_hits = models.JSONField(default=list, blank=True)
    high_risk = models.BooleanField(default=False)
    ai_synthesised = models.BooleanField(default=False)
    screen_version = models.CharField(max_length=40, blank=True)
    # False once the same element was screened again with changed content.
    current = models.BooleanField(default=True)
    queue = models.CharField(max_length=12, choices=Queue.choices, default=Queue.NONE)
    priority = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=16, choices=CaseStatus.choices)
    screened_at = models.DateTimeField()
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    history = governed_history()

    DATA_CLASSIFICATION = {
        "id": GENERAL,
        "kind": GENERAL,
        "room": GENERAL,
        "product": GENERAL,
        "anchor": GENERAL,
        "session": GENERAL,
        "content_hash": GENERAL,
        # Danmaku are what viewers typed; phone numbers and the like are blanked.
        "excerpt": PERSONAL,
        "risk_score": GENERAL,
        "model_probability": GENERAL,
        "rule_hits": GENERAL,
        "high_risk": GENERAL,
        "ai_synthesised": GENERAL,
        "screen_version": GENERAL,
        "current": GENERAL,
        "queue": GENERAL,
        "priority": GENERAL,
        "status": GENERAL,
        "screened_at": GENERAL,
        "claimed_by": PERSONAL,
        "claimed_at": GENERAL,
        "decided_at": GENERAL,
    }

    class Meta:
        verbose_name = _("moderation case")
        verbose_name_plural = _("moderation cases")
        permissions = [("review_moderationcase", "Can claim and decide cases")]
        indexes = [
            models.Index(fields=["status", "queue", "priority"]),
            models.Index(fields=["kind", "content_hash"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def target(self) -> models.Model | None:
        return self.product or self.room or self.anchor


class Decision(models.Model):
    """A statement of reasons (ground, facts, automated or not, redress), EU DSA Art.
    17 in shape; append-only, with no personal data of the people affected."""

    case = models.ForeignKey(
        ModerationCase, on_delete=models.CASCADE, related_name="decisions"
    )
    outcome = models.CharField(max_length=14, choices=Outcome.choices)
    queue = models.CharField(max_length=12, choices=Queue.choices)
    ground = models.CharField(max_length=300)
    facts = models.TextField()
    automated = models.BooleanField()
    redress = models.CharField(max_length=300)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField()
    review_seconds = models.FloatField(null=True, blank=True)
    batch = models.UUIDField(null=True, blank=True, db_index=True)
    appeal = models.ForeignKey(
        "Appeal", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    DATA_CLASSIFICATION = {
        "id": GENERAL,
        "case": GENERAL,
        "outcome": GENERAL,
        "queue": GENERAL,
        "ground": GENERAL,
        "facts": GENERAL,
        "automated": GENERAL,
        "redress": GENERAL,
        "decided_by": PERSONAL,
        "decided_at": GENERAL,
        "review_seconds": GENERAL,
        "batch": GENERAL,
        "appeal": GENERAL,
    }

    class Meta:
        ordering = ["decided_at", "pk"]
        verbose_name = _("moderation decision")
        verbose_name_plural = _("moderation decisions")

    def __str__(self) -> str:
        return f"{self.outcome} on case {self.case_id}"


class AppealStatus(models.TextChoices):
    OPEN = "open", _("Open")
    UPHELD = "upheld", _("Decision upheld")
    OVERTURNED = "overturned", _("Decision overturned")


class Appeal(models.Model):
    """A request to reconsider a decision; a different reviewer decides it."""

    case = models.ForeignKey(
        ModerationCase, on_delete=models.CASCADE, related_name="appeals"
    )
    statement = models.TextField()
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    filed_at = models.DateTimeField()
    original_decider = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        max_length=12, choices=AppealStatus.choices, default=AppealStatus.OPEN
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    history = governed_history()

    DATA_CLASSIFICATION = {
        "id": GENERAL,
        "case": GENERAL,
        "statement": GENERAL,
        "filed_by": PERSONAL,
        "filed_at": GENERAL,
        "original_decider": PERSONAL,
        "status": GENERAL,
        "decided_by": PERSONAL,
        "decided_at": GENERAL,
    }

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")

    def __str__(self) -> str:
        return f"appeal {self.pk} on case {self.case_id}"


# -- AIGC labels (clause 6.4) ----------------------------------------------------


class AigcContent(models.TextChoices):
    DIGITAL_HUMAN = "digital_human", _("Digital-human anchor")
    VIRTUAL_BACKGROUND = "virtual_background", _("Virtual background")
    GENERATED_IMAGE = "generated_image", _("Generated image")


class LabelTier(models.TextChoices):
    VERIFIED = "verified", _("Verified metadata")
    DECLARED = "declared", _("Declared by the uploader")
    DETECTED = "detected", _("Detected only")


class AigcLabel(models.Model):
    """Explicit and implicit label of one AI-generated element of a room or product.

    ``metadata`` is the implicit label in the shape of GB 45438-2025 (label class,
    producer, content id, propagator, propagation id); ``signature`` is an HMAC over
    the content hash and that block with the platform's key.
    """

    content = models.CharField(max_length=20, choices=AigcContent.choices)
    room = models.ForeignKey(
        LiveRoom, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    tier = models.CharField(max_length=10, choices=LabelTier.choices)
    explicit = models.CharField(max_length=20)
    content_hash = models.CharField(max_length=64)
    metadata = models.JSONField()
    signature = models.CharField(max_length=64)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField()
    active = models.BooleanField(default=True)

    history = governed_history()

    DATA_CLASSIFICATION = {
        "id": GENERAL,
        "content": GENERAL,
        "room": GENERAL,
        "product": GENERAL,
        "tier": GENERAL,
        "explicit": GENERAL,
        "content_hash": GENERAL,
        "metadata": GENERAL,
        "signature": GENERAL,
        "declared_by": PERSONAL,
        "created_at": GENERAL,
        "active": GENERAL,
    }

    class Meta:
        verbose_name = _("AIGC label")
        verbose_name_plural = _("AIGC labels")
        permissions = [("declare_aigclabel", "Can declare AI-generated content")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(room__isnull=False)
                | models.Q(product__isnull=False),
                name="aigc_label_has_target",
            )
        ]

    def __str__(self) -> str:
        return f"{self.explicit} ({self.tier})"


class Verdict(models.TextChoices):
    TAMPERED = "tampered", _("Tampered: the signature does not match")
    STRIPPED = "stripped", _("Stripped: AI content without its label")
    FORGED = "forged", _("Forged: unknown producer")
    IMPERSONATION = "impersonation", _("Impersonation of a public figure")


class AigcCaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class AigcCase(models.Model):
    """A verification verdict or an impersonation finding, and what it restricts."""

    verdict = models.CharField(max_length=14, choices=Verdict.choices)
    room = models.ForeignKey(
        LiveRoom, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    anchor = models.ForeignKey(
        Anchor, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    label = models.ForeignKey(
        AigcLabel, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    detail = models.TextField()
    status = models.CharField(
        max_length=8, choices=AigcCaseStatus.choices, default=AigcCaseStatus.OPEN
    )
    restricted = models.BooleanField(default=False)
    escalated = models.BooleanField(default=False)
    opened_at = models.DateTimeField()

    history = governed_history()

    DATA_CLASSIFICATION = {
        "id": GENERAL,
        "verdict": GENERAL,
        "room": GENERAL,
        "product": GENERAL,
        "anchor": GENERAL,
        "label": GENERAL,
        "detail": GENERAL,
        "status": GENERAL,
        "restricted": GENERAL,
        "escalated": GENERAL,
        "opened_at": GENERAL,
    }

    class Meta:
        verbose_name = _("AIGC case")
        verbose_name_plural = _("AIGC cases")
        permissions = [("enforce_aigccase", "Can verify labels and restrict content")]

    def __str__(self) -> str:
        return f"{self.verdict} #{self.pk}"


class PublicFigure(models.Model):
    """A person whom no AI persona may imitate without a consent record (6.4.2)."""

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=60)
    aliases = models.JSONField(default=list, blank=True)
    face_embedding = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField()

    history = governed_history()

    DATA_CLASSIFICATION = {
        "id": GENERAL,
        "code": GENERAL,
        "name": PERSONAL,
        "aliases": PERSONAL,
        # Biometric data of an identified person (PIPL Art. 28).
        "face_embedding": IMPORTANT,
        "created_at": GENERAL,
    }

    class Meta:
        ordering = ["code"]
        verbose_name = _("public figure")
        verbose_name_plural = _("public figures")

    def __str__(self) -> str:
        return self.name


class ConsentRecord(models.Model):
    """A public figure's consent for one anchor account to use their likeness."""

    figure = models.ForeignKey(
        PublicFigure, on_delete=models.CASCADE, related_name="consents"
    )
    anchor = models.ForeignKey(Anchor, on_delete=models.CASCADE, related_name="+")
    evidence = models.CharField(max_length=300)
    granted_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    history = governed_history()

    DATA_CLASSIFICATION = {
        "id": GENERAL,
        "figure": GENERAL,
        "anchor": GENERAL,
        "evidence": GENERAL,
        "granted_at": GENERAL,
        "expires_at": GENERAL,
        "recorded_by": PERSONAL,
    }

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")

    def __str__(self) -> str:
        return f"consent of {self.figure_id} for {self.anchor_id}"
