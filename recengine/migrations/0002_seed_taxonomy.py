"""Seed the category taxonomy and the interest-tag vocabulary."""

from django.db import migrations

from recengine.taxonomy import CATEGORIES, SENSITIVE_TAGS, TAGS, seed_taxonomy


def seed(apps, schema_editor):
    seed_taxonomy(
        apps.get_model("recengine", "Category"),
        apps.get_model("recengine", "InterestTag"),
    )


def unseed(apps, schema_editor):
    InterestTag = apps.get_model("recengine", "InterestTag")
    Category = apps.get_model("recengine", "Category")
    codes = [row[0] for row in TAGS] + [row[0] for row in SENSITIVE_TAGS]
    InterestTag.objects.filter(code__in=codes).delete()
    Category.objects.filter(code__in=[row[0] for row in CATEGORIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("recengine", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
