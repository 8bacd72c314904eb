"""The append-only event log of viewer behaviour and served exposures."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from recengine.classification import GENERAL, PERSONAL
from recengine.models.platform import Anchor, LiveRoom, Product, ShortVideo, Viewer


class EventKind(models.IntegerChoices):
    IMPRESSION = 1, _("impression")
    CLICK = 2, _("click")
    DWELL = 3, _("dwell")
    LIKE = 4, _("like")
    COMMENT = 5, _("comment / danmaku")
    FOLLOW = 6, _("follow")
    ADD_TO_CART = 7, _("add to cart")
    ORDER = 8, _("order")
    GIFT = 9, _("gift")
    NOT_INTERESTED = 10, _("not interested")
    SHORT_VIDEO_VIEW = 11, _("short-video view")


class Scene(models.TextChoices):
    LIVE_FEED = "live_feed", _("Live feed")
    PRODUCT_FEED = "product_feed", _("Product feed")


class AppendOnlyError(RuntimeError):
    """Raised on any attempt to change or remove a logged event."""


class EventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("events are append-only")

    def delete(self):
        raise AppendOnlyError("events are append-only")


class Event(models.Model):
    """One viewer action or one served exposure; never updated, never deleted.

    ``event_id`` is the platform's idempotency key, so a retried batch adds nothing
    twice. Exposures carry the strategy, model and policy versions that served them,
    so an audit can reconstruct why anything was shown.
    """

    event_id = models.CharField(max_length=64, unique=True)
    kind = models.PositiveSmallIntegerField(choices=EventKind.choices)
    occurred_at = models.DateTimeField()
    viewer = models.ForeignKey(Viewer, on_delete=models.PROTECT, db_index=False)
    room = models.ForeignKey(
        LiveRoom, null=True, blank=True, on_delete=models.PROTECT, db_index=False
    )
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.PROTECT, db_index=False
    )
    anchor = models.ForeignKey(
        Anchor, null=True, blank=True, on_delete=models.PROTECT, db_index=False
    )
    short_video = models.ForeignKey(
        ShortVideo, null=True, blank=True, on_delete=models.PROTECT, db_index=False
    )
    scene = models.CharField(max_length=16, choices=Scene.choices, blank=True)
    position = models.PositiveSmallIntegerField(null=True, blank=True)
    strategy = models.CharField(max_length=24, blank=True)
    model_version = models.CharField(max_length=40, blank=True)
    policy_version = models.PositiveIntegerField(null=True, blank=True)
    request_id = models.CharField(max_length=40, blank=True)
    dwell_seconds = models.FloatField(null=True, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    # Units bought in an order; ``amount`` is what they cost together.
    quantity = models.PositiveIntegerField(null=True, blank=True)
    text = models.CharField(max_length=500, blank=True)

    objects = EventQuerySet.as_manager()

    DATA_CLASSIFICATION = {
        "id": GENERAL,
        "event_id": GENERAL,
        "kind": PERSONAL,
        "occurred_at": PERSONAL,
        "viewer": PERSONAL,
        "room": PERSONAL,
        "product": PERSONAL,
        "anchor": PERSONAL,
        "short_video": PERSONAL,
        "scene": GENERAL,
        "position": GENERAL,
        "strategy": GENERAL,
        "model_version": GENERAL,
        "policy_version": GENERAL,
        "request_id": GENERAL,
        "dwell_seconds": PERSONAL,
        "amount": PERSONAL,
        "quantity": PERSONAL,
        "text": PERSONAL,
    }

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [
            models.Index(fields=["occurred_at"], name="event_time"),
            models.Index(fields=["kind", "occurred_at"], name="event_kind_time"),
            models.Index(fields=["viewer", "occurred_at"], name="event_viewer_time"),
            models.Index(fields=["room", "occurred_at"], name="event_room_time"),
            models.Index(fields=["product", "occurred_at"], name="event_product_time"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gte=0),
                name="event_amount_gte_0",
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__isnull=True) | models.Q(quantity__gte=1),
                name="event_quantity_gte_1",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.event_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("events are append-only")
