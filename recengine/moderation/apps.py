from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "recengine.moderation"
    label = "moderation"
    verbose_name = "Moderation and AIGC labels"
