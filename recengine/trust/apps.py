from django.apps import AppConfig


class TrustConfig(AppConfig):
    name = "recengine.trust"
    label = "trust"
    verbose_name = "Trust & safety"
    default_auto_field = "django.db.models.BigAutoField"
