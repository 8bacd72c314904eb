"""The periodic jobs, called as the worker calls them."""

from __future__ import annotations

import pytest

from recengine.governance.publishing import current_version
from recengine.models import Anchor
from recengine.trust import tasks
from recengine.trust.models import QualityScore, ReregistrationCase
from recengine.trust.services import NewEntry, add_blacklist_entry

pytestmark = pytest.mark.django_db


def test_the_sweep_finds_an_account_registered_after_the_entry(
    platform, trust_safety_user
):
    platform.anchors[1].legal_identity_hash = "L" * 64
    platform.anchors[1].save()
    add_blacklist_entry(
        actor=trust_safety_user,
        new=NewEntry(kind="anchor", target=platform.anchors[1], reason="fraud"),
    )
    assert tasks.detect_reregistrations() == 0

    Anchor.objects.create(
        external_id="a-back",
        name="数字人小智2",
        legal_identity_hash="L" * 64,
        created_at=platform.now,
    )

    assert tasks.detect_reregistrations() == 1
    assert ReregistrationCase.objects.get().anchor.external_id == "a-back"


def test_refresh_and_quality_jobs(platform):
    assert tasks.refresh_policy() is None
    assert tasks.compute_quality_scores() == 2
    assert QualityScore.objects.count() == 2
    assert current_version() == 1
