"""The role groups and their permissions."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import translation

from console import roles


def _perms(group: Group) -> set[str]:
    return {
        f"{perm.content_type.app_label}.{perm.codename}"
        for perm in group.permissions.select_related("content_type")
    }


@pytest.mark.django_db
def test_migrate_created_every_role():
    names = set(Group.objects.values_list("name", flat=True))

    assert {role.name for role in roles.ROLES} <= names


@pytest.mark.django_db
def test_ensure_roles_is_idempotent_and_restores_declared_permissions():
    roles.ensure_roles()
    reviewer = Group.objects.get(name=roles.REVIEWER)
    reviewer.permissions.add(Permission.objects.get(codename="issue_apikey"))

    roles.ensure_roles()

    assert Group.objects.filter(name=roles.REVIEWER).count() == 1
    assert "recengine.issue_apikey" not in _perms(reviewer)


def test_platform_admin_issues_keys_and_reads_everything(role_groups):
    perms = _perms(role_groups[roles.PLATFORM_ADMIN])

    assert "recengine.issue_apikey" in perms
    assert "recengine.activate_modelversion" in perms
    assert {"recengine.view_event", "recengine.view_viewer"} <= perms
    assert "recengine.change_anchor" not in perms


def test_trust_safety_views_and_changes_the_catalogue(role_groups):
    perms = _perms(role_groups[roles.TRUST_SAFETY])

    assert {"recengine.view_anchor", "recengine.change_anchor"} <= perms
    assert {"recengine.view_liveroom", "recengine.change_merchant"} <= perms
    assert "recengine.issue_apikey" not in perms
    assert "recengine.view_viewer" not in perms


def test_compliance_officer_reads_and_runs_audits_only(role_groups):
    perms = _perms(role_groups[roles.COMPLIANCE_OFFICER])

    assert {"recengine.view_event", "recengine.view_apikey"} <= perms
    # Running audits and signing reports is the one thing the role may change.
    changes = {perm for perm in perms if not perm.split(".")[1].startswith("view_")}
    assert changes == {"audits.run_audit"}


def test_reviewer_reads_the_catalogue_and_decides_moderation_cases(role_groups):
    perms = _perms(role_groups[roles.REVIEWER])

    assert "recengine.view_product" in perms
    # Deciding moderation cases (clause 6.1.1) is the one change the role may make.
    changes = {perm for perm in perms if not perm.split(".")[1].startswith("view_")}
    assert changes == {"moderation.review_moderationcase"}
    assert "recengine.view_event" not in perms


def test_viewer_role_holds_no_permission(role_groups):
    assert _perms(role_groups[roles.VIEWER]) == set()


def test_role_labels_are_translated():
    with translation.override("zh-hans"):
        chinese = roles.role_label(roles.COMPLIANCE_OFFICER)
    with translation.override("en"):
        english = roles.role_label(roles.COMPLIANCE_OFFICER)

    assert english == "Compliance officer"
    assert chinese != english
