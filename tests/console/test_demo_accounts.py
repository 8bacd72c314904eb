"""``manage.py demo_accounts``: one working account per role, idempotent."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command

from console import roles


def _run() -> dict[str, tuple[str, str]]:
    out = StringIO()
    call_command("demo_accounts", stdout=out, stderr=StringIO())
    rows = {}
    for line in out.getvalue().splitlines()[1:]:
        username, role, password, *_ = line.split()
        rows[username] = (role, password)
    return rows


def test_prints_one_account_per_role_with_a_working_password(platform, viewer_user):
    rows = _run()

    assert {role for role, _ in rows.values()} == {role.name for role in roles.ROLES}
    for username, (role, password) in rows.items():
        user = authenticate(username=username, password=password)
        assert user is not None, username
        assert list(user.groups.values_list("name", flat=True)) == [role]


def test_admin_is_a_superuser_and_platform_admin(platform):
    _run()

    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert admin.has_perm("recengine.issue_apikey")


def test_viewer_account_is_linked_to_a_viewer_with_interests(platform, viewer_user):
    tagged = platform.viewers[1]
    tagged.interests.create(
        tag=viewer_user.viewer.interests.first().tag,
        weight=0.5,
        source="live",
        updated_at=platform.now,
    )

    _run()

    account = get_user_model().objects.get(username="viewer")
    assert account.viewer == tagged
    history = tagged.history.first()
    assert history.history_change_reason == "demo account linked"


def test_running_again_resets_passwords_without_duplicates(platform):
    first = _run()
    second = _run()

    assert get_user_model().objects.filter(username__in=first).count() == len(first)
    for username in first:
        assert first[username][1] != second[username][1]
        assert authenticate(username=username, password=first[username][1]) is None
        assert authenticate(username=username, password=second[username][1])
    assert get_user_model().objects.get(username="viewer").viewer is not None


@pytest.mark.django_db
def test_without_viewers_the_viewer_account_still_exists():
    rows = _run()

    assert rows["viewer"][0] == roles.VIEWER
    assert not hasattr(get_user_model().objects.get(username="viewer"), "viewer")
