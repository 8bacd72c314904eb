"""History records of governed models: who, when, why (STYLE: write paths)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from simple_history.models import HistoricalRecords


def person(actor):
    """``actor`` if it is a person; a service behind an API key is not one."""
    return actor if isinstance(actor, get_user_model()) else None


def person_only(request=None, **kwargs):
    """The person behind a change; services calling with an API key are not people,
    so their changes carry the key in the change reason instead."""
    return person(getattr(request, "user", None))


def governed_history(**kwargs) -> HistoricalRecords:
    return HistoricalRecords(get_user=person_only, **kwargs)


# simple-history keeps at most this many characters of a change reason.
REASON_LENGTH = 100


def stamp(instance, *, actor, reason: str) -> None:
    """Who and why for the next history record of ``instance``.

    A person is the record's user; a service behind an API key is not a person, so
    its key's prefix goes at the end of the reason instead, where it survives the
    length limit.
    """
    key = getattr(actor, "api_key", None)
    note = f" [api key {key.prefix}]" if key is not None else ""
    instance._history_user = person(actor)
    instance._change_reason = reason[: REASON_LENGTH - len(note)] + note
