"""Creation records for the interest tags that 0002 seeded without history."""

from django.db import migrations
from django.utils import timezone

from recengine.taxonomy import record_seeded_tags


def record(apps, schema_editor):
    record_seeded_tags(
        apps.get_model("recengine", "InterestTag"),
        apps.get_model("recengine", "HistoricalInterestTag"),
        when=timezone.now(),
    )


class Migration(migrations.Migration):
    dependencies = [("recengine", "0005_viewer_rights")]

    operations = [migrations.RunPython(record, migrations.RunPython.noop)]
