"""The staff and viewer roles, each a Django group with the permissions it needs.

This module is the single definition of the roles: after every migrate the groups are
brought back to exactly what is declared here, so a permission granted by hand in the
admin does not survive silently (clause 4.3: who may change what is part of the record).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from fnmatch import fnmatchcase

from django.contrib.auth.models import Group, Permission
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

# Platform entities the staff browse in the catalogue pages.
CATALOGUE_MODELS = (
    "anchor",
    "merchant",
    "product",
    "liveroom",
    "broadcastsession",
    "category",
    "shortvideo",
    "interesttag",
)


def _catalogue(action: str) -> tuple[str, ...]:
    return tuple(f"recengine.{action}_{model}" for model in CATALOGUE_MODELS)


@dataclass(frozen=True)
class Role:
    """A role: group name, translated label and permission patterns.

    A pattern is ``app_label.codename`` and may use shell wildcards, so that
    "view everything" keeps covering models added later.
    """

    name: str
    label: Promise
    permissions: tuple[str, ...]
    staff: bool = True


# Moderation (clause 6.1) and AIGC labels (6.4): reviewers work the queues; trust
# & safety also declare labels, enforce verdicts and keep the public-figure registry.
_MODERATION_REVIEW = (
    "moderation.view_moderationcase",
    "moderation.view_decision",
    "moderation.view_appeal",
    "moderation.view_screenmodel",
    "moderation.view_aigclabel",
    "moderation.view_aigccase",
    "moderation.review_moderationcase",
)
_MODERATION_STAFF = (
    "moderation.view_*",
    "moderation.review_moderationcase",
    "moderation.declare_aigclabel",
    "moderation.enforce_aigccase",
    "moderation.add_publicfigure",
    "moderation.add_consentrecord",
)

TRUST_SAFETY = "trust_safety"
REVIEWER = "reviewer"
COMPLIANCE_OFFICER = "compliance_officer"
PLATFORM_ADMIN = "platform_admin"
VIEWER = "viewer"

ROLES: tuple[Role, ...] = (
    Role(
        TRUST_SAFETY,
        _("Trust & safety"),
        _catalogue("view") + _catalogue("change") + ("trust.*",) + _MODERATION_STAFF,
    ),
    # Reviewers and compliance officers read the blacklist and credit, never change.
    Role(
        REVIEWER,
        _("Content reviewer"),
        _catalogue("view") + ("trust.view_*",) + _MODERATION_REVIEW,
    ),
    Role(
        COMPLIANCE_OFFICER,
        _("Compliance officer"),
        (
            "recengine.view_*",
            "audits.view_*",
            "trust.view_*",
            "moderation.view_*",
            # Starting audits, evidence, remediation and sign-off (clause 8.2).
            "audits.run_audit",
        ),
    ),
    Role(
        PLATFORM_ADMIN,
        _("Platform administrator"),
        (
            "recengine.view_*",
            "audits.view_*",
            "recengine.issue_apikey",
            # Promoting and rolling back models and ranking weights (clause 5.4.2).
            "recengine.activate_modelversion",
            "recengine.add_rankingconfig",
        ),
    ),
    Role(VIEWER, _("Viewer"), (), staff=False),
)

ROLES_BY_NAME = {role.name: role for role in ROLES}
STAFF_ROLE_NAMES = frozenset(role.name for role in ROLES if role.staff)


def role_label(name: str) -> str:
    role = ROLES_BY_NAME.get(name)
    return str(role.label) if role else name


def matching_permissions(
    patterns: tuple[str, ...], using: str = "default"
) -> list[Permission]:
    """Permissions whose ``app_label.codename`` matches any of the patterns."""
    if not patterns:
        return []
    apps = {pattern.split(".", 1)[0] for pattern in patterns}
    candidates = (
        Permission.objects.using(using)
        .filter(content_type__app_label__in=apps)
        .select_related("content_type")
    )
    return [
        perm
        for perm in candidates
        if any(
            fnmatchcase(f"{perm.content_type.app_label}.{perm.codename}", pattern)
            for pattern in patterns
        )
    ]


def ensure_roles(using: str = "default") -> list[Group]:
    """Create the role groups if missing and set their permissions as declared."""
    groups = []
    for role in ROLES:
        group, created = Group.objects.using(using).get_or_create(name=role.name)
        group.permissions.set(matching_permissions(role.permissions, using))
        if created:
            logger.info("Created role group %s", role.name, extra={"role": role.name})
        groups.append(group)
    return groups


def sync_roles_after_migrate(sender, using: str = "default", **kwargs) -> None:
    """post_migrate handler, connected for the console app: console is installed
    last, so every other app's permissions exist by the time it runs."""
    ensure_roles(using)
