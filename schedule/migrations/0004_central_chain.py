"""Seed the central rule set from the calendar as it stood, so no deadline
moves: the province on each period kind's due day (the 20th), every other
level N working days after the cut-off (LevelDeadline, as admins left it),
plus the Government rule: ministries report by the 25th (Nghị định 09/2019)."""

from django.db import migrations

DEFAULT_LEVEL_DAYS = {"commune": 1, "unit": 2, "office": 2, "organization": 2, "department": 2, "district": 3}


def seed(apps, schema_editor):
    Chain = apps.get_model("schedule", "ReportingChain")
    DueRule = apps.get_model("schedule", "DueRule")
    ReportingRule = apps.get_model("schedule", "ReportingRule")
    LevelDeadline = apps.get_model("schedule", "LevelDeadline")
    if Chain.objects.filter(owner__isnull=True).exists():
        return
    chain = Chain.objects.create(
        name="Quy định chung của Trung ương", basis="Nghị định 09/2019/NĐ-CP; hướng dẫn của Bộ Nội vụ",
    )
    due_days = dict(ReportingRule.objects.values_list("pk", "due_day"))
    if len(set(due_days.values())) <= 1:
        DueRule.objects.create(chain=chain, agency_kind="province", mode="fixed_day",
                               due_day=next(iter(due_days.values()), 20))
    else:
        for pk, day in due_days.items():
            DueRule.objects.create(chain=chain, period_rule_id=pk, agency_kind="province", mode="fixed_day",
                                   due_day=day)
    DueRule.objects.create(chain=chain, agency_kind="ministry", mode="fixed_day", due_day=25)
    level_days = dict(LevelDeadline.objects.values_list("agency_kind", "working_days")) or DEFAULT_LEVEL_DAYS
    for kind, days in level_days.items():
        if kind in ("province", "ministry"):
            continue
        DueRule.objects.create(chain=chain, agency_kind=kind, mode="working_days", working_days=days)


class Migration(migrations.Migration):

    dependencies = [
        ("schedule", "0003_reporting_chains"),
    ]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
