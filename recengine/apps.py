from django.apps import AppConfig


class RecengineConfig(AppConfig):
    name = "recengine"
    verbose_name = "Recommendation engine"

    def ready(self) -> None:
        from recengine import classification  # noqa: F401  registers the grade check
        from recengine.api import schema  # noqa: F401  registers the API-key scheme
        from recengine.signals import connect

        connect()
