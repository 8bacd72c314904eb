"""Checks on the free text staff and platforms write into moderation and labels.

Markup is refused rather than stored: a statement of reasons is published to the
people affected, and nothing in it should ever be read as HTML.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

_MARKUP = re.compile(r"<\s*[a-zA-Z/!?]|javascript:", re.IGNORECASE)


REASON_CHARS = 100  # simple-history's change-reason column


def with_clause(reason: str, clause: str) -> str:
    """A history reason that always ends with its clause, the reason cut to fit."""
    suffix = f" (clause {clause})"
    room = REASON_CHARS - len(suffix)
    text = reason if len(reason) <= room else reason[: room - 1] + "…"
    return text + suffix


class ModerationError(ValueError):
    """A moderation or labelling request that cannot be honoured; nothing changed."""


def clean_text(value: object, label, max_length: int, *, required=True) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ModerationError(_("%(field)s must be text.") % {"field": label})
    value = value.strip()
    if required and not value:
        raise ModerationError(_("%(field)s is required.") % {"field": label})
    if len(value) > max_length:
        raise ModerationError(
            _("%(field)s is longer than %(max)d characters.")
            % {"field": label, "max": max_length}
        )
    if _MARKUP.search(value):
        raise ModerationError(
            _("%(field)s must not contain HTML or script.") % {"field": label}
        )
    return value
