"""Admin site settings, and admin pages for models no app registered explicitly.

The console is installed last, so its admin module runs after the engine's and the
audits'. Any model they add without an admin still appears here, with its history
when it keeps one, so that superusers can always read every table. These pages are
read-only: a governed change must go through its service, never around it.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from console.forms import ThrottledAdminAuthenticationForm
from recengine.admin import LargeTableMixin, ReadOnlyMixin

COVERED_APPS = ("recengine", "audits", "console")


def _generic_admin(model) -> type[admin.ModelAdmin]:
    base = SimpleHistoryAdmin if hasattr(model, "history") else admin.ModelAdmin
    return type(
        f"{model.__name__}Admin",
        (ReadOnlyMixin, LargeTableMixin, base),
        {},
    )


def register_remaining() -> list[str]:
    registered = []
    for label in COVERED_APPS:
        for model in apps.get_app_config(label).get_models():
            if model.__name__.startswith("Historical"):
                continue
            if admin.site.is_registered(model):
                continue
            admin.site.register(model, _generic_admin(model))
            registered.append(model._meta.label)
    return registered


register_remaining()

# The admin's own login page counts failures like the console's.
admin.site.login_form = ThrottledAdminAuthenticationForm
