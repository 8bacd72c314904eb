"""The seeded tag vocabulary starts its history with a creation record (8.2.2)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from audits.checks.platform_metrics import _unrecorded
from recengine.models import InterestTag
from recengine.taxonomy import SEEDED_REASON, record_seeded_tags

pytestmark = pytest.mark.django_db


def test_every_tag_seeded_by_the_migrations_has_a_creation_record():
    tags = InterestTag.objects.count()
    created = InterestTag.history.filter(history_type="+")

    assert tags > 0
    assert created.count() == tags
    assert set(created.values_list("history_change_reason", flat=True)) == {
        SEEDED_REASON
    }
    assert _unrecorded(InterestTag) == (tags, [])


def test_recording_again_writes_nothing_new():
    written = record_seeded_tags(
        InterestTag, InterestTag.history.model, when=timezone.now()
    )

    assert written == 0
