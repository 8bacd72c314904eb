from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ConsoleConfig(AppConfig):
    name = "console"
    verbose_name = _("Console")

    def ready(self) -> None:
        from console.roles import sync_roles_after_migrate

        post_migrate.connect(
            sync_roles_after_migrate, sender=self, dispatch_uid="console.roles"
        )
