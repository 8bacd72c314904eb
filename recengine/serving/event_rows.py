"""Fast construction of unsaved ``Event`` rows for the high-volume write paths.

``Model.__init__`` routes every value through field descriptors and sends init
signals; at millions of exposures and replayed events that is most of the cost of
building a row. ``Event`` has no init-signal receivers and no custom ``__init__``,
so an instance whose ``__dict__`` holds every attribute and a fresh ``ModelState``
is the same object ``Event(...)`` would build. A test keeps the two equal.
"""

from __future__ import annotations

from typing import Any

from django.db.models.base import ModelState

from recengine.models import Event

_FIELDS = Event._meta.concrete_fields
_DEFAULTS = {
    field.attname: None if field.primary_key else field.get_default()
    for field in _FIELDS
}


def new_event(**values: Any) -> Event:
    """An unsaved event; keys are attribute names (``viewer_id``, not ``viewer``)."""
    unknown = values.keys() - _DEFAULTS.keys()
    if unknown:
        raise TypeError(f"Event has no field(s) {sorted(unknown)}")
    event = Event.__new__(Event)
    event.__dict__.update(_DEFAULTS)
    event.__dict__.update(values)
    event._state = ModelState()
    return event
