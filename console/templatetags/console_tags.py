"""Template helpers shared by the console and the portal."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language

from console.access import has_role, is_staff_member, role_names, viewer_for
from console.roles import TRUST_SAFETY, role_label

register = template.Library()


@register.simple_tag(takes_context=True)
def navigation(context: dict[str, Any]) -> dict[str, Any]:
    """What the signed-in user may reach, for the navigation bar."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"signed_in": False}
    return {
        "signed_in": True,
        "staff": is_staff_member(user),
        "viewer": viewer_for(user) is not None,
        "catalogue": user.has_perm("recengine.view_anchor"),
        "apikeys": is_staff_member(user) and user.has_perm("recengine.issue_apikey"),
        "admin": user.is_superuser,
        "trust": user.has_perm("trust.view_blacklistentry"),
        "moderation": user.has_perm("moderation.view_moderationcase"),
        "aigc": user.has_perm("moderation.view_aigclabel"),
        "tags": user.is_superuser or has_role(user, TRUST_SAFETY),
        "audits": is_staff_member(user) and user.has_perm("audits.view_auditrun"),
        "roles": sorted(role_label(name) for name in role_names(user)),
    }


@register.filter
def localized_name(entity: Any) -> str:
    """The Chinese or English name of a category or tag, by the active language."""
    if entity is None:
        return ""
    language = get_language() or ""
    if language.startswith("en") and getattr(entity, "name_en", ""):
        return entity.name_en
    return getattr(entity, "name_zh", "") or str(entity)


@register.filter
def percent(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "—"
    return f"{value * 100:.{digits}f}%"


@register.simple_tag(takes_context=True)
def page_url(context: dict[str, Any], number: int) -> str:
    """The current list's URL with another page number, keeping search and filters."""
    query = context["request"].GET.copy()
    query["page"] = number
    return "?" + query.urlencode()
