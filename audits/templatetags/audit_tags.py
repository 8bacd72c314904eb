"""Template helpers of the audit report and console pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def lookup(mapping: dict | None, key: Any) -> Any:
    """``mapping[key]`` or empty, for keys held in variables."""
    if not mapping:
        return ""
    return mapping.get(key, mapping.get(str(key), ""))


@register.filter
def measure(value: float | None) -> str:
    """A measured value at a precision a reader can compare with a threshold."""
    if value is None:
        return "—"
    if float(value).is_integer():
        return f"{int(value)}"
    return f"{value:.4f}"
