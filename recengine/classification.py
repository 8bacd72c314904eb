"""Data classification of every stored field (clause 7.3, GB/T 43697-2024).

Each model declares ``DATA_CLASSIFICATION``: field name -> ``Classification``. A
system check refuses to start the project while any field of ours is ungraded, so a
new field cannot ship without a grade, and audits read the grades from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.apps import apps
from django.core import checks
from django.db import models

PROJECT_APPS = ("recengine", "trust", "moderation", "audits", "console")


class Grade(StrEnum):
    GENERAL = "general"
    IMPORTANT = "important"
    CORE = "core"


@dataclass(frozen=True)
class Classification:
    grade: Grade
    personal: bool = False
    sensitive: bool = False  # sensitive personal information (PIPL Art. 28)

    def as_dict(self) -> dict[str, object]:
        return {
            "grade": self.grade.value,
            "personal": self.personal,
            "sensitive": self.sensitive,
        }


GENERAL = Classification(Grade.GENERAL)
IMPORTANT = Classification(Grade.IMPORTANT)
PERSONAL = Classification(Grade.IMPORTANT, personal=True)
SENSITIVE = Classification(Grade.IMPORTANT, personal=True, sensitive=True)


def graded_models() -> list[type[models.Model]]:
    """Concrete models of our apps, without the shadow tables of simple-history."""
    found = []
    for config in apps.get_app_configs():
        if config.label not in PROJECT_APPS:
            continue
        for model in config.get_models():
            if model.__name__.startswith("Historical"):
                continue
            found.append(model)
    return found


def classification_of(model: type[models.Model], field_name: str) -> Classification:
    declared = getattr(model, "DATA_CLASSIFICATION", {})
    if field_name not in declared:
        raise KeyError(f"{model._meta.label}.{field_name} has no data classification")
    return declared[field_name]


def stored_field_names(model: type[models.Model]) -> list[str]:
    return [field.name for field in model._meta.concrete_fields]


def ungraded_fields() -> list[str]:
    missing = []
    for model in graded_models():
        declared = getattr(model, "DATA_CLASSIFICATION", {})
        missing += [
            f"{model._meta.label}.{name}"
            for name in stored_field_names(model)
            if name not in declared
        ]
    return missing


def classification_table() -> list[dict[str, object]]:
    """One row per stored field, for the data-protection audit and the console."""
    rows = []
    for model in graded_models():
        for name in stored_field_names(model):
            rows.append(
                {"model": model._meta.label, "field": name}
                | classification_of(model, name).as_dict()
            )
    return rows


def personal_fields() -> set[tuple[str, str]]:
    return {
        (row["model"], row["field"])
        for row in classification_table()
        if row["personal"]
    }


@checks.register(checks.Tags.models)
def check_every_field_graded(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    return [
        checks.Error(
            f"{label} has no data classification grade.",
            hint="Add it to the model's DATA_CLASSIFICATION (clause 7.3).",
            id="recengine.E001",
        )
        for label in ungraded_fields()
    ]
