"""A plan's period kinds now point down at schedule.ReportingRule: state only."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('plans', '0006_plan_report_rules'),
        ('schedule', '0001_initial'),
    ]

    operations = [
        # The tables keep their names; only Django's idea of which app owns them moves.
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.AlterField(
                model_name='plan',
                name='report_rules',
                field=models.ManyToManyField(blank=True, help_text='Các kỳ mà đơn vị chủ trì nhiệm vụ phải báo cáo.', related_name='plans', to='schedule.reportingrule', verbose_name='kỳ báo cáo'),
            ),
        ]),
    ]
