"""History records of governed models: who, when, why (STYLE: write paths)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from simple_history.models import HistoricalRecords


def person_only(request=None, **kwargs):
    """The person behind a change; services calling with an API key are not people,
    so their changes carry the key in the change reason instead."""
    user = getattr(request, "user", None)
    return user if isinstance(user, get_user_model()) else None


def governed_history(**kwargs) -> HistoricalRecords:
    return HistoricalRecords(get_user=person_only, **kwargs)
