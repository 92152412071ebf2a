"""The calendar models now live in schedule: state only, plus their content types."""

import django.db.models.deletion
from django.db import migrations, models


MOVED = ["reportingrule", "leveldeadline", "reportingperiod"]


def _move(apps, source: str, target: str) -> None:
    """Give the moved models' content types to `target`, keeping admin
    permissions and log entries. Where `target` already has a row (created
    by a `migrate schedule` run first, or left by a rollback), the source
    row's permissions and log entries join it and the source row goes."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    LogEntry = apps.get_model("admin", "LogEntry")
    for model in MOVED:
        old = ContentType.objects.filter(app_label=source, model=model).first()
        if old is None:
            continue
        new = ContentType.objects.filter(app_label=target, model=model).first()
        if new is None:
            old.app_label = target
            old.save(update_fields=["app_label"])
            continue
        taken = set(Permission.objects.filter(content_type=new).values_list("codename", flat=True))
        Permission.objects.filter(content_type=old).exclude(codename__in=taken).update(content_type=new)
        LogEntry.objects.filter(content_type=old).update(content_type=new)
        old.delete()  # its remaining duplicate permissions go with it


def move_content_types(apps, schema_editor):
    _move(apps, "reports", "schedule")


def move_content_types_back(apps, schema_editor):
    _move(apps, "schedule", "reports")


class Migration(migrations.Migration):

    dependencies = [
        ('plans', '0007_report_rules_from_schedule'),
        ('reports', '0003_notices'),
        ('schedule', '0001_initial'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('auth', '0012_alter_user_first_name_max_length'),
        ('admin', '0003_logentry_add_action_flag_choices'),
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
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
