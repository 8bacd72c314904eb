"""AIGC labels on every console list of rooms and products (clause 6.4.1)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template

from recengine.moderation.access import labels_by_target

register = template.Library()


@register.simple_tag
def aigc_label_map(objects: Iterable[Any], kind: str) -> dict[int, list[str]]:
    """Explicit labels of the listed rooms or products, in one query."""
    ids = [obj.pk for obj in objects]
    if kind == "live_room":
        return labels_by_target(room_ids=ids)[0]
    return labels_by_target(product_ids=ids)[1]


@register.inclusion_tag("console/aigc/_badges.html")
def aigc_badges(label_map: dict[int, list[str]], pk: int) -> dict[str, Any]:
    return {"labels": label_map.get(pk, [])}
