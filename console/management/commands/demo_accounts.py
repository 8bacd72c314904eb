"""Create or reset one demo account per role, with fresh random passwords."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Count

from console import roles
from console.services import link_viewer_account
from recengine.models import Viewer


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    superuser: bool = False


DEMO_ACCOUNTS = (
    DemoAccount("safety", roles.TRUST_SAFETY),
    DemoAccount("reviewer", roles.REVIEWER),
    DemoAccount("compliance", roles.COMPLIANCE_OFFICER),
    DemoAccount("admin", roles.PLATFORM_ADMIN, superuser=True),
    DemoAccount("viewer", roles.VIEWER),
)


def new_password() -> str:
    return secrets.token_urlsafe(12)


class Command(BaseCommand):
    help = (
        "Create or reset the demo accounts (one per role) with new random passwords "
        "and print them. The viewer account is linked to a simulated viewer."
    )

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        roles.ensure_roles()
        rows = [self._reset(account) for account in DEMO_ACCOUNTS]
        self._print_table(rows)

    def _reset(self, account: DemoAccount) -> tuple[str, str, str, str]:
        user, _ = get_user_model().objects.get_or_create(username=account.username)
        password = new_password()
        user.set_password(password)
        user.is_active = True
        user.is_superuser = account.superuser
        user.is_staff = account.superuser  # the Django admin is for superusers only
        user.save()
        user.groups.set([Group.objects.get(name=account.role)])

        note = roles.role_label(account.role)
        if account.role == roles.VIEWER:
            note += self._link_viewer(user)
        return account.username, account.role, password, note

    def _link_viewer(self, user) -> str:
        if Viewer.objects.filter(user=user).exists():
            return ""
        viewer = (
            Viewer.objects.filter(user__isnull=True)
            .annotate(tag_count=Count("interests"))
            .order_by("-tag_count", "pk")
            .first()
        )
        if viewer is None:
            self.stderr.write(
                "No viewer to link yet: run `python manage.py simulate` first, then "
                "run demo_accounts again."
            )
            return " (no viewer linked)"
        link_viewer_account(
            actor=None, viewer=viewer, user=user, reason="demo account linked"
        )
        return f" ({viewer})"

    def _print_table(self, rows: list[tuple[str, ...]]) -> None:
        header = ("username", "role", "password", "")
        widths = [max(len(row[i]) for row in (header, *rows)) for i in range(4)]
        for row in (header, *rows):
            cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            self.stdout.write("  ".join(cells).rstrip())
