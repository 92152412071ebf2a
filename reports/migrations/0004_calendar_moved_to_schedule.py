"""The calendar models now live in schedule: state only, plus their content types."""

import django.db.models.deletion
from django.db import migrations, models


MOVED = ["reportingrule", "leveldeadline", "reportingperiod"]


def move_content_types(apps, schema_editor):
    """Keep admin permissions and log entries of the moved models."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="reports", model__in=MOVED).update(app_label="schedule")


class Migration(migrations.Migration):

    dependencies = [
        ('plans', '0007_report_rules_from_schedule'),
        ('reports', '0003_notices'),
        ('schedule', '0001_initial'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        # The tables keep their names; only Django's idea of which app owns them moves.
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.DeleteModel(
                name='LevelDeadline',
            ),
            migrations.RemoveField(
                model_name='reportingperiod',
                name='rule',
            ),
            migrations.AlterField(
                model_name='report',
                name='period',
                field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='reports', to='schedule.reportingperiod', verbose_name='kỳ'),
            ),
            migrations.DeleteModel(
                name='ReportingRule',
            ),
            migrations.DeleteModel(
                name='ReportingPeriod',
            ),
        ]),
        migrations.RunPython(move_content_types, migrations.RunPython.noop),
    ]
