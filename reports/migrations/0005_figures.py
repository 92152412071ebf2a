"""Figures as rows (one per counter, with the label as filed) and the stretch a line covers."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('plans', '0010_counters'),
        ('reports', '0004_calendar_moved_to_schedule'),
    ]

    operations = [
        migrations.AddField(
            model_name='reportline',
            name='stretch_start',
            field=models.DateField(blank=True, null=True, verbose_name='số liệu tính từ ngày'),
        ),
        migrations.CreateModel(
            name='ReportFigure',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('label', models.CharField(max_length=200, verbose_name='tên chỉ tiêu khi nộp')),
                ('unit', models.CharField(blank=True, max_length=40, verbose_name='đơn vị tính khi nộp')),
                ('value', models.PositiveBigIntegerField(verbose_name='số liệu')),
                ('approximate', models.BooleanField(default=False, verbose_name='số ước tính (khoảng, gần)')),
                ('note', models.CharField(blank=True, max_length=200, verbose_name='ghi chú số liệu')),
                ('counter', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='plans.counter', verbose_name='chỉ tiêu')),
                ('line', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='figures', to='reports.reportline')),
            ],
            options={
                'verbose_name': 'số liệu',
                'verbose_name_plural': 'số liệu',
                'ordering': ['counter__position', 'counter__label'],
                'constraints': [models.UniqueConstraint(fields=('line', 'counter'), name='figure_once_per_line_counter')],
            },
        ),
    ]
