"""The reporting calendar moves from reports to schedule (below plans): state only."""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('reports', '0003_notices'),
    ]

    operations = [
        # The tables keep their names; only Django's idea of which app owns them moves.
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.CreateModel(
                name='LevelDeadline',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('agency_kind', models.CharField(choices=[('province', 'Tỉnh/Thành phố (UBND cấp tỉnh)'), ('district', 'Huyện/Quận/Thị xã (UBND cấp huyện)'), ('commune', 'Xã/Phường/Đặc khu/Thị trấn (UBND cấp xã)'), ('department', 'Sở, ban, ngành'), ('office', 'Phòng chuyên môn / Văn phòng'), ('unit', 'Đơn vị sự nghiệp / Trung tâm'), ('organization', 'Tổ chức ngoài hệ thống (MTTQ, đoàn thể…)')], max_length=20, unique=True, verbose_name='loại đơn vị')),
                    ('working_days', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1)], verbose_name='số ngày làm việc sau ngày chốt')),
                ],
                options={
                    'verbose_name': 'hạn theo cấp',
                    'verbose_name_plural': 'hạn theo cấp',
                    'db_table': 'reports_leveldeadline',
                    'ordering': ['working_days'],
                },
            ),
            migrations.CreateModel(
                name='ReportingRule',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('kind', models.CharField(choices=[('month', 'Tháng'), ('quarter', 'Quý'), ('half_year', '6 tháng'), ('year', 'Năm')], max_length=12, unique=True, verbose_name='loại kỳ')),
                    ('label', models.CharField(help_text='Ví dụ «Quý {roman}/{year}», «6 tháng đầu năm {year}».', max_length=60, verbose_name='tên kỳ')),
                    ('end_months', models.CharField(help_text='Các tháng, cách nhau dấu phẩy, ví dụ «3,9».', max_length=40, verbose_name='tháng kết thúc kỳ')),
                    ('length_months', models.PositiveSmallIntegerField(verbose_name='độ dài (tháng)')),
                    ('cutoff_day', models.PositiveSmallIntegerField(default=14, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(28)], verbose_name='ngày chốt số liệu')),
                    ('due_day', models.PositiveSmallIntegerField(default=20, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(28)], verbose_name='hạn gửi cấp tỉnh (ngày trong tháng cuối kỳ)')),
                    ('position', models.PositiveSmallIntegerField(default=0, verbose_name='thứ tự')),
                    ('is_active', models.BooleanField(default=True, verbose_name='đang áp dụng')),
                ],
                options={
                    'verbose_name': 'loại kỳ báo cáo',
                    'verbose_name_plural': 'lịch báo cáo',
                    'db_table': 'reports_reportingrule',
                    'ordering': ['position'],
                },
            ),
            migrations.CreateModel(
                name='ReportingPeriod',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('year', models.PositiveSmallIntegerField(verbose_name='năm')),
                    ('end_month', models.PositiveSmallIntegerField(verbose_name='tháng cuối kỳ')),
                    ('label', models.CharField(max_length=60, verbose_name='kỳ')),
                    ('start', models.DateField(verbose_name='từ ngày')),
                    ('end', models.DateField(verbose_name='đến ngày (chốt số liệu)')),
                    ('due', models.DateField(verbose_name='hạn tổng hợp cấp tỉnh')),
                    ('rule', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='periods', to='schedule.reportingrule')),
                ],
                options={
                    'verbose_name': 'kỳ báo cáo',
                    'verbose_name_plural': 'kỳ báo cáo',
                    'db_table': 'reports_reportingperiod',
                    'ordering': ['end', 'rule__position'],
                    'constraints': [models.UniqueConstraint(fields=('rule', 'year', 'end_month'), name='period_unique')],
                },
            ),
        ]),
    ]
