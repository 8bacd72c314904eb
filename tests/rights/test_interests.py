"""Interest tags derived from behaviour, and what a deletion does to them."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from recengine.models import Event, EventKind, InterestTag, TagSuppression
from recengine.services import rights
from recengine.services.interests import derive_interests


def _codes(viewer) -> list[str]:
    return list(
        viewer.interests.order_by("-weight").values_list("tag__code", flat=True)
    )


def test_the_command_derives_tags_with_source_and_example(platform):
    out = StringIO()

    call_command("derive_interests", f"--until={platform.now.isoformat()}", stdout=out)

    viewer = platform.viewers[0]
    assert _codes(viewer) == ["skincare", "snacks"]
    skincare = viewer.interests.get(tag__code="skincare")
    # An order of the face cream (weight 5) outweighs the click on the room (1).
    assert skincare.source == "product"
    assert skincare.example == "保湿面霜 50ml"
    assert round(sum(viewer.interests.values_list("weight", flat=True)), 3) == 1.0
    assert "2" in out.getvalue()
    assert skincare.history.get().history_change_reason.endswith("(clause 6.3.2)")


def test_a_bad_until_is_refused(db):
    with pytest.raises(CommandError):
        call_command("derive_interests", "--until=yesterday")


def test_a_deleted_tag_returns_only_from_new_behaviour(platform):
    viewer = platform.viewers[0]
    derive_interests(actor=None, viewer=viewer, now=platform.now)
    skincare = viewer.interests.get(tag__code="skincare")

    rights.delete_tag(
        actor=None, viewer=viewer, interest_id=skincare.pk, now=platform.now
    )
    derive_interests(actor=None, viewer=viewer, now=platform.now)
    assert _codes(viewer) == ["snacks"]

    Event.objects.create(
        event_id="after-deletion",
        kind=EventKind.CLICK,
        occurred_at=platform.now + dt.timedelta(minutes=5),
        viewer=viewer,
        product=platform.products[0],
    )
    derive_interests(
        actor=None, viewer=viewer, now=platform.now + dt.timedelta(minutes=10)
    )
    assert "skincare" in _codes(viewer)
    assert TagSuppression.objects.filter(viewer=viewer).count() == 1


def test_sensitive_tags_are_never_derived(platform):
    viewer = platform.viewers[0]
    religious = InterestTag.objects.get(code="religious-belief")

    derive_interests(actor=None, viewer=viewer, now=platform.now)

    assert not viewer.interests.filter(tag=religious).exists()
    assert not rights.banned_tag_holdings().exists()
