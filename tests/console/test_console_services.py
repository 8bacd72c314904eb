"""Linking a sign-in account to a viewer, with its history record."""

from __future__ import annotations

import pytest

from console.services import link_viewer_account


def test_link_records_who_and_why(platform, platform_admin, outsider):
    viewer = platform.viewers[0]

    link_viewer_account(
        actor=platform_admin, viewer=viewer, user=outsider, reason="support request"
    )

    viewer.refresh_from_db()
    latest = viewer.history.first()
    assert viewer.user == outsider
    assert latest.history_user == platform_admin
    assert latest.history_change_reason == "support request"


def test_linking_again_to_the_same_account_changes_nothing(platform, outsider):
    viewer = platform.viewers[0]
    link_viewer_account(actor=None, viewer=viewer, user=outsider, reason="first")

    link_viewer_account(actor=None, viewer=viewer, user=outsider, reason="again")

    assert viewer.history.count() == 2  # created, then linked once


def test_a_viewer_linked_elsewhere_is_not_taken_over(platform, outsider, viewer_user):
    with pytest.raises(ValueError, match="already linked"):
        link_viewer_account(
            actor=None, viewer=viewer_user.viewer, user=outsider, reason="mistake"
        )
