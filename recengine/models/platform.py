"""Platform entities: viewers, anchors, merchants, products, live rooms, videos.

Viewers are known only by a keyed pseudonym; real identity, where a platform sends
it, lives apart in ``ViewerIdentity`` and never reaches a feature (clause 7.2).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from recengine.classification import GENERAL, IMPORTANT, PERSONAL, SENSITIVE
from recengine.history import governed_history


class Region(models.TextChoices):
    """Coarse regions: fine enough for fairness groups, too coarse to locate anyone."""

    NORTH = "north", _("North China")
    NORTHEAST = "northeast", _("Northeast China")
    EAST = "east", _("East China")
    SOUTH = "south", _("South China")
    CENTRAL = "central", _("Central China")
    WEST = "west", _("West China")


class SpendingLevel(models.TextChoices):
    LOW = "low", _("Low spending")
    MEDIUM = "medium", _("Medium spending")
    HIGH = "high", _("High spending")


class Category(models.Model):
    code = models.SlugField(max_length=40, unique=True)
    name_zh = models.CharField(max_length=40)
    name_en = models.CharField(max_length=60)

    DATA_CLASSIFICATION = {
        "id": GENERAL,
        "code": GENERAL,
        "name_zh": GENERAL,
        "name_en": GENERAL,
    }

    class Meta:
        ordering = ["code"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name_zh


class Viewer(models.Model):
    pseudonym = models.CharField(
        max_length=64, unique=True, help_text=_("HMAC-SHA256 of the platform user id")
    )
    region = models.CharField(max_length=12, choices=Region.choices)
    spending_level = models.CharField(max_length=8, choices=SpendingLevel.choices)
    personalization_enabled = models.BooleanField(default=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="viewer",
    )
    created_at = models.DateTimeField()

    history = governed_history(excluded_fields=["created_at"])

    DATA_CLASSIFICATION = {
        "id": PERSONAL,
        "pseudonym": PERSONAL,
        "region": PERSONAL,
        "spending_level": PERSONAL,
        "personalization_enabled": PERSONAL,
        "user": PERSONAL,
        "created_at": GENERAL,
    }

    class Meta:
        verbose_name = _("viewer")
        verbose_name_plural = _("viewers")

    def __str__(self) -> str:
        return f"viewer {self.pseudonym[:10]}"


class ViewerIdentity(models.Model):
    """Real identity a platform may hold: kept apart, never used as a feature."""

    viewer = models.OneToOneField(
        Viewer, on_delete=models.CASCADE, related_name="identity"
    )
    real_name = models.CharField(max_length=60, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    id_card_number = models.CharField(max_length=18, blank=True)
    address = models.CharField(max_length=200, blank=True)

    DATA_CLASSIFICATION = {
        "id": PERSONAL,
        "viewer": PERSONAL,
        "real_name": SENSITIVE,
        "phone": SENSITIVE,
        "id_card_number": SENSITIVE,
        "address": SENSITIVE,
    }

    class Meta:
        verbose_name = _("viewer identity")
        verbose_name_plural = _("viewer identities")

    def __str__(self) -> str:
        return f"identity of {self.viewer_id}"


class Anchor(models.Model):
    external_id = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=80)
    specialty = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    bio = models.TextField(blank=True)
    credentials = models.TextField(
        blank=True, help_text=_("Declared professional qualifications")
    )
    is_digital_human = models.BooleanField(default=False)
    legal_identity_hash = models.CharField(max_length=64, blank=True, db_index=True)
    device_fingerprint_hash = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField()

    history = governed_history()

    DATA_CLASSIFICATION = {
        "id": GENERAL,
        "external_id": GENERAL,
        "name": GENERAL,
        "specialty": GENERAL,
        "bio": GENERAL,
        "credentials": IMPORTANT,
        "is_digital_human": GENERAL,
        "legal_identity_hash": PERSONAL,
        "device_fingerprint_hash": PERSONAL,
        "created_at": GENERAL,
    }

    class Meta:
        verbose_name = _("anchor")
        verbose_name_plural = _("anchors")

    def __str__(self) -> str:
        return self.name


class AnchorPersona(models.Model):
    """Personalised IP marketing features of an anchor (clause 5.2.2), measured from
    transcripts, danmaku and audio at training time by ``features.persona``."""

    anchor = models.OneToOneField(
        Anchor, on_delete=models.CASCADE, related_name="persona"
    )
    professionalism = models.FloatField()
    clarity = models.FloatField()
    interactivity = models.FloatField()
    model_version = models.CharField(max_length=40)
    computed_at = models.DateTimeField()

    DATA_CLASSIFICATION = {
        "id": GENERAL,
        "anchor": GENERAL,
        "professionalism": GENERAL,
        "clarity": GENERAL,
        "interactivity": GENERAL,
        "model_version": GENERAL,
        "computed_at": GENERAL,
    }

    class Meta:
        verbose_name = _("anchor persona")
        verbose_name_plural = _("anchor personas")
        constraints = [
            models.CheckConstraint(
                condition=Q(professionalism__gte=0, professionalism__lte=1)
                & Q(clarity__gte=0, clarity__lte=1)
                & Q(interactivity__gte=0, interactivity__lte=1),
                name="persona_scores_in_unit_interval",
            )
        ]

    def __str__(self) -> str:
        return f"persona of {self.anchor_id}"


class Merchant(models.Model):
    external_id = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=80)
    legal_identity_hash = models.CharField(max_length=64, blank=True, db_index=True)
    payment_account_hash = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField()

    history = governed_history()

    DATA_CLASSIFICATION = {
        "id": GENERAL,
        "external_id": GENERAL,
        "name": GENERAL,
        "legal_identity_hash": IMPORTANT,
        "payment_account_hash": IMPORTANT,
        "created_at": GENERAL,
    }

    class Meta:
        verbose_name = _("merchant")
        verbose_name_plural = _("merchants")

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    external_id = models.CharField(max_length=64, unique=True)
    merchant = models.ForeignKey(
        Merchant, on_delete=models.PROTECT, related_name="products"
    )
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    price = models.DecimalField(max_digits=10, decimal_places=2)
    image = models.ImageField(upload_to="products/", blank=True)
    created_at = models.DateTimeField()

    history = governed_history()

    DATA_CLASSIFICATION = {
        "id": GENERAL,
        "external_id": GENERAL,
        "merchant": GENERAL,
        "category": GENERAL,
        "title": GENERAL,
        "description": GENERAL,
        "price": GENERAL,
        "image": GENERAL,
        "created_at": GENERAL,
    }

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            models.CheckConstraint(
                condition=Q(price__gte=0), name="product_price_gte_0"
            )
        ]

    def __str__(self) -> str:
        return self.title


class LiveRoom(models.Model):
    external_id = models.CharField(max_length=64, unique=True)
    anchor = models.ForeignKey(Anchor, on_delete=models.PROTECT, related_name="rooms")
    merchant = models.ForeignKey(
        Merchant, null=True, blank=True, on_delete=models.PROTECT, related_name="rooms"
    )
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(max_length=200)
    virtual_background = models.BooleanField(default=False)
    products = models.ManyToManyField(Product, blank=True, related_name="rooms")
    created_at = models.DateTimeField()

    history = governed_history(m2m_fields=[])

    DATA_CLASSIFICATION = {
        "id": GENERAL,
        "external_id": GENERAL,
        "anchor": GENERAL,
        "merchant": GENERAL,
        "category": GENERAL,
        "title": GENERAL,
        "virtual_background": GENERAL,
        "created_at": GENERAL,
    }

    class Meta:
        verbose_name = _("live room")
        verbose_name_plural = _("live rooms")

    def __str__(self) -> str:
        return self.title


class BroadcastSession(models.Model):
    """One broadcast of a live room; live while ``ended_at`` is empty."""

    external_id = models.CharField(max_length=64, unique=True)
    room = models.ForeignKey(
        LiveRoom, on_delete=models.PROTECT, related_name="sessions"
    )
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    transcript = models.TextField(blank=True)
    audio_stats = models.JSONField(
        default=dict, blank=True, help_text=_("Speech rate, pauses and loudness")
    )

    DATA_CLASSIFICATION = {
        "id": GENERAL,
        "external_id": GENERAL,
        "room": GENERAL,
        "started_at": GENERAL,
        "ended_at": GENERAL,
        "transcript": GENERAL,
        "audio_stats": GENERAL,
    }

    class Meta:
        verbose_name = _("broadcast session")
        verbose_name_plural = _("broadcast sessions")
        indexes = [models.Index(fields=["room", "started_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True)
                | Q(ended_at__gte=models.F("started_at")),
                name="session_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["room"],
                condition=Q(ended_at__isnull=True),
                name="one_live_session_per_room",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.room_id}@{self.started_at:%Y-%m-%d %H:%M}"

    @property
    def is_live(self) -> bool:
        return self.ended_at is None


class ShortVideo(models.Model):
    external_id = models.CharField(max_length=64, unique=True)
    anchor = models.ForeignKey(
        Anchor, null=True, blank=True, on_delete=models.PROTECT, related_name="videos"
    )
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.PROTECT, related_name="videos"
    )
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    duration_seconds = models.PositiveIntegerField()
    created_at = models.DateTimeField()

    DATA_CLASSIFICATION = {
        "id": GENERAL,
        "external_id": GENERAL,
        "anchor": GENERAL,
        "product": GENERAL,
        "category": GENERAL,
        "title": GENERAL,
        "duration_seconds": GENERAL,
        "created_at": GENERAL,
    }

    class Meta:
        verbose_name = _("short video")
        verbose_name_plural = _("short videos")

    def __str__(self) -> str:
        return self.title


class InterestTag(models.Model):
    """The tag vocabulary; sensitive tags exist only so that nobody may hold them."""

    code = models.SlugField(max_length=60, unique=True)
    name_zh = models.CharField(max_length=40)
    name_en = models.CharField(max_length=60)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="tags"
    )
    is_sensitive = models.BooleanField(
        default=False, help_text=_("Sensitive attribute: never assigned to a viewer")
    )

    history = governed_history()

    DATA_CLASSIFICATION = {
        "id": GENERAL,
        "code": GENERAL,
        "name_zh": GENERAL,
        "name_en": GENERAL,
        "category": GENERAL,
        "is_sensitive": GENERAL,
    }

    class Meta:
        ordering = ["code"]
        verbose_name = _("interest tag")
        verbose_name_plural = _("interest tags")

    def __str__(self) -> str:
        return self.name_zh


class InterestSource(models.TextChoices):
    LIVE = "live", _("Live rooms")
    PRODUCT = "product", _("Products")
    SHORT_VIDEO = "short_video", _("Short videos")


class ViewerInterest(models.Model):
    """A tag the engine holds for a viewer, with its weight and where it came from."""

    viewer = models.ForeignKey(
        Viewer, on_delete=models.CASCADE, related_name="interests"
    )
    tag = models.ForeignKey(InterestTag, on_delete=models.PROTECT, related_name="+")
    weight = models.FloatField()
    source = models.CharField(max_length=12, choices=InterestSource.choices)
    example = models.CharField(
        max_length=200, blank=True, help_text=_("A behaviour behind the tag")
    )
    updated_at = models.DateTimeField()

    history = governed_history(excluded_fields=["updated_at"])

    DATA_CLASSIFICATION = {
        "id": PERSONAL,
        "viewer": PERSONAL,
        "tag": PERSONAL,
        "weight": PERSONAL,
        "source": PERSONAL,
        "example": PERSONAL,
        "updated_at": PERSONAL,
    }

    class Meta:
        verbose_name = _("viewer interest")
        verbose_name_plural = _("viewer interests")
        constraints = [
            models.UniqueConstraint(
                fields=["viewer", "tag"], name="one_weight_per_tag"
            ),
            models.CheckConstraint(
                condition=Q(weight__gte=0), name="interest_weight_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.viewer_id}:{self.tag_id}={self.weight:.2f}"
