"""Default reporting calendar and channel counters (both data, editable in admin)."""

from django.db import migrations


def seed(apps, schema_editor):
    from plans.reference import reference_lists_ensure
    from schedule.calendar import calendar_defaults_ensure

    calendar_defaults_ensure(apps.get_model("reports", "ReportingRule"), apps.get_model("reports", "LevelDeadline"))
    reference_lists_ensure(apps.get_model("plans", "Area"), apps.get_model("plans", "Channel"))


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial"), ("plans", "0005_channel_counters")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
