"""Blacklist entries, re-registration cases, merchant credit, violations, appeals,
quality scores and the policy versions their changes publish."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from recengine.classification import GENERAL, PERSONAL
from recengine.history import governed_history
from recengine.models import Anchor, LiveRoom, Merchant, Product


class Clause(models.TextChoices):
    QUALITY = "6.2.1", _("6.2.1 Traffic towards quality content and honest merchants")
    CREDIT = "6.2.2", _("6.2.2 Credit-based traffic regulation")
    BLACKLIST = "6.2.3", _("6.2.3 Blacklist of recommended content")


class PolicyHead(models.Model):
    """One row: the newest published policy version, locked while publishing so that
    versions are committed in the order of their numbers."""

    version = models.PositiveIntegerField(default=0)

    DATA_CLASSIFICATION = {"id": GENERAL, "version": GENERAL}

    class Meta:
        verbose_name = _("policy head")
        verbose_name_plural = _("policy head")

    def __str__(self) -> str:
        return f"policy v{self.version}"


class PolicyVersion(models.Model):
    """A published policy version: who published it, why and under which clause."""

    version = models.PositiveIntegerField(unique=True)
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.CharField(max_length=500)
    clause = models.CharField(max_length=16)

    DATA_CLASSIFICATION = {
        "id": GENERAL,
        "version": GENERAL,
        "published_at": GENERAL,
        "published_by": PERSONAL,
        "reason": GENERAL,
        "clause": GENERAL,
    }

    class Meta:
        ordering = ["-version"]
        verbose_name = _("policy version")
        verbose_name_plural = _("policy versions")

    def __str__(self) -> str:
        return f"v{self.version} ({self.clause})"


class TargetKind(models.TextChoices):
    ANCHOR = "anchor", _("Anchor")
    MERCHANT = "merchant", _("Merchant")
    PRODUCT = "product", _("Product")
    LIVE_ROOM = "live_room", _("Live room")
    KEYWORD = "keyword", _("Keyword / pattern")


class EntryState(models.TextChoices):
    ACTIVE = "active", _("Active")
    LIFT_REQUESTED = "lift_requested", _("Lift requested")
    LIFTED = "lifted", _("Lifted")


class BlacklistEntry(models.Model):
    """One blacklisted target (clause 6.2.3); exactly one target field is set."""

    kind = models.CharField(max_length=12, choices=TargetKind.choices)
    anchor = models.ForeignKey(
        Anchor, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    merchant = models.ForeignKey(
        Merchant, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    room = models.ForeignKey(
        LiveRoom, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    pattern = models.CharField(max_length=200, blank=True)
    is_regex = models.BooleanField(default=False)
    reason = models.CharField(max_length=500)
    clause = models.CharField(
        max_length=16, choices=Clause.choices, default=Clause.BLACKLIST
    )
    evidence = models.TextField(blank=True)
    starts_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(
        max_length=16, choices=EntryState.choices, default=EntryState.ACTIVE
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField()
    lift_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    lift_reason = models.CharField(max_length=500, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    lifted_at = models.DateTimeField(null=True, blank=True)
    # Keyword entries: rooms and products the pattern matched when last compiled.
    matched_rooms = models.JSONField(default=list, blank=True)
    matched_products = models.JSONField(default=list, blank=True)
    compiled_at = models.DateTimeField(null=True, blank=True)

    history = governed_history(
        excluded_fields=["matched_rooms", "matched_products", "compiled_at"]
    )

    DATA_CLASSIFICATION = {
        "id": GENERAL,
        "kind": GENERAL,
        "anchor": GENERAL,
        "merchant": GENERAL,
        "product": GENERAL,
        "room": GENERAL,
        "pattern": GENERAL,
        "is_regex": GENERAL,
        "reason": GENERAL,
        "clause": GENERAL,
        "evidence": GENERAL,
        "starts_at": GENERAL,
        "expires_at": GENERAL,
        "state": GENERAL,
        "created_by": PERSONAL,
        "created_at": GENERAL,
        "lift_requested_by": PERSONAL,
        "lift_reason": GENERAL,
        "lifted_by": PERSONAL,
        "lifted_at": GENERAL,
        "matched_rooms": GENERAL,
        "matched_products": GENERAL,
        "compiled_at": GENERAL,
    }

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("blacklist entry")
        verbose_name_plural = _("blacklist entries")
        permissions = [
            ("govern_trust", _("Can blacklist, lift, set credit and decide appeals"))
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__isnull=True)
                | Q(expires_at__gt=models.F("starts_at")),
                name="blacklist_expires_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.target_label}"

    @property
    def target(self):
        return {
            TargetKind.ANCHOR: self.anchor,
            TargetKind.MERCHANT: self.merchant,
            TargetKind.PRODUCT: self.product,
            TargetKind.LIVE_ROOM: self.room,
        }.get(self.kind)

    @property
    def target_label(self) -> str:
        if self.kind == TargetKind.KEYWORD:
            return self.pattern
        target = self.target
        return f"{target} ({target.external_id})" if target is not None else ""


class CaseState(models.TextChoices):
    OPEN = "open", _("Open")
    CONFIRMED = "confirmed", _("Confirmed, blacklisted")
    DISMISSED = "dismissed", _("Dismissed")


class MatchedOn(models.TextChoices):
    LEGAL_IDENTITY = "legal_identity", _("Same legal identity")
    PAYMENT_ACCOUNT = "payment_account", _("Same payment account")
    DEVICE = "device_fingerprint", _("Same device fingerprint")


class ReregistrationCase(models.Model):
    """A new account that shares an identity trait with a blacklisted one."""

    entry = models.ForeignKey(
        BlacklistEntry, on_delete=models.PROTECT, related_name="cases"
    )
    anchor = models.ForeignKey(
        Anchor, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    merchant = models.ForeignKey(
        Merchant, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    matched_on = models.CharField(max_length=20, choices=MatchedOn.choices)
    state = models.CharField(
        max_length=12, choices=CaseState.choices, default=CaseState.OPEN
    )
    detected_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=500, blank=True)

    history = governed_history()

    DATA_CLASSIFICATION = {
        "id": GENERAL,
        "entry": GENERAL,
        "anchor": GENERAL,
        "merchant": GENERAL,
        "matched_on": GENERAL,
        "state": GENERAL,
        "detected_at": GENERAL,
        "decided_by": PERSONAL,
        "decided_at": GENERAL,
        "decision_note": GENERAL,
    }

    class Meta:
        ordering = ["-detected_at", "-pk"]
        verbose_name = _("re-registration case")
        verbose_name_plural = _("re-registration cases")
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "anchor", "merchant"], name="one_case_per_suspect"
            )
        ]

    def __str__(self) -> str:
        return f"case {self.pk}: {self.suspect}"

    @property
    def suspect(self):
        return self.anchor if self.anchor_id else self.merchant


class CreditTier(models.TextChoices):
    A = "A", _("A: trustworthy")
    B = "B", _("B: good")
    C = "C", _("C: watch")
    D = "D", _("D: poor")
    RESTRICTED = "restricted", _("Restricted: not recommended")


class MerchantCredit(models.Model):
    """A merchant's credit from supervision data and the exposure it earns."""

    merchant = models.OneToOneField(
        Merchant, on_delete=models.PROTECT, related_name="credit"
    )
    score = models.FloatField()
    tier = models.CharField(max_length=12, choices=CreditTier.choices)
    restricted = models.BooleanField(
        default=False, help_text=_("Stopped from recommendation whatever the score")
    )
    orders = models.PositiveIntegerField(default=0)
    complaints = models.PositiveIntegerField(default=0)
    returns = models.PositiveIntegerField(default=0)
    source = models.CharField(max_length=120, blank=True)
    updated_at = models.DateTimeField()

    history = governed_history()

    DATA_CLASSIFICATION = {
        "id": GENERAL,
        "merchant": GENERAL,
        "score": GENERAL,
        "tier": GENERAL,
        "restricted": GENERAL,
        "orders": GENERAL,
        "complaints": GENERAL,
        "returns": GENERAL,
        "source": GENERAL,
        "updated_at": GENERAL,
    }

    class Meta:
        ordering = ["score", "merchant_id"]
        verbose_name = _("merchant credit")
        verbose_name_plural = _("merchant credit")
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=0, score__lte=100), name="credit_score_0_100"
            )
        ]

    def __str__(self) -> str:
        return f"{self.merchant_id}: {self.score:.0f} ({self.tier})"


class ViolationKind(models.TextChoices):
    COUNTERFEIT = "counterfeit", _("Counterfeit or shoddy goods")
    FALSE_ADVERTISING = "false_advertising", _("False advertising")
    COMPLAINT = "complaint", _("Upheld consumer complaint")
    OTHER = "other", _("Other dishonest conduct")


class Violation(models.Model):
    merchant = models.ForeignKey(
        Merchant, on_delete=models.PROTECT, related_name="violations"
    )
    kind = models.CharField(max_length=20, choices=ViolationKind.choices)
    occurred_on = models.DateField()
    description = models.TextField()
    source = models.CharField(max_length=120, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField()

    history = governed_history()

    DATA_CLASSIFICATION = {
        "id": GENERAL,
        "merchant": GENERAL,
        "kind": GENERAL,
        "occurred_on": GENERAL,
        "description": GENERAL,
        "source": GENERAL,
        "recorded_by": PERSONAL,
        "recorded_at": GENERAL,
    }

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        verbose_name = _("violation")
        verbose_name_plural = _("violations")

    def __str__(self) -> str:
        return f"{self.merchant_id}: {self.kind} {self.occurred_on}"


class AppealState(models.TextChoices):
    PENDING = "pending", _("Pending")
    UPHELD = "upheld", _("Upheld")
    REJECTED = "rejected", _("Rejected")


class MerchantAppeal(models.Model):
    """A merchant contests its credit or restriction; staff decide and record why."""

    merchant = models.ForeignKey(
        Merchant, on_delete=models.PROTECT, related_name="appeals"
    )
    statement = models.TextField()
    requested_score = models.FloatField(null=True, blank=True)
    state = models.CharField(
        max_length=10, choices=AppealState.choices, default=AppealState.PENDING
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    filed_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.CharField(max_length=500, blank=True)

    history = governed_history()

    DATA_CLASSIFICATION = {
        "id": GENERAL,
        "merchant": GENERAL,
        "statement": GENERAL,
        "requested_score": GENERAL,
        "state": GENERAL,
        "filed_by": PERSONAL,
        "filed_at": GENERAL,
        "decided_by": PERSONAL,
        "decided_at": GENERAL,
        "decision_reason": GENERAL,
    }

    class Meta:
        ordering = ["-filed_at", "-pk"]
        verbose_name = _("merchant appeal")
        verbose_name_plural = _("merchant appeals")

    def __str__(self) -> str:
        return f"appeal {self.pk} of {self.merchant_id}"


class QualityScore(models.Model):
    """A merchant's quality in [0, 1] and the boost it earns (clause 6.2.1).

    Derived data, recomputed whole by ``compute_quality_scores``; the run that
    wrote it is recorded as a policy version.
    """

    merchant = models.OneToOneField(
        Merchant, on_delete=models.CASCADE, related_name="quality"
    )
    score = models.FloatField()
    boost = models.FloatField()
    components = models.JSONField(default=dict)
    computed_at = models.DateTimeField()

    DATA_CLASSIFICATION = {
        "id": GENERAL,
        "merchant": GENERAL,
        "score": GENERAL,
        "boost": GENERAL,
        "components": GENERAL,
        "computed_at": GENERAL,
    }

    class Meta:
        ordering = ["-score"]
        verbose_name = _("quality score")
        verbose_name_plural = _("quality scores")

    def __str__(self) -> str:
        return f"{self.merchant_id}: {self.score:.2f}"
