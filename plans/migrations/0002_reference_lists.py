"""Seed the reference lists (CCHC areas, channels); see plans/reference.py."""

from django.db import migrations


def seed(apps, schema_editor):
    from plans.reference import reference_lists_ensure

    reference_lists_ensure(apps.get_model("plans", "Area"), apps.get_model("plans", "Channel"))


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
