"""The figures typed so far, moved from each line's JSON into ReportFigure
rows, and every line's stretch worked out. Old counters that lumped unlike
things together ("Pano, áp phích, băng rôn") become inactive counters of
their own, so their figures keep their meaning and are not added to the new
separate ones."""

from django.db import migrations

# Old code -> new code, where the old counter counted one thing. The old
# "tin_bai" meant portal articles on the portal channel, press articles on the press one.
SAME = {"buoi_phat", "hoi_nghi", "luot_nguoi", "tthc_niem_yet", "bai_dang", "luot_tiep_can", "cuoc_thi",
        "nguoi_du_thi", "doi_thoai", "hoat_dong"}
LUMPED = {"pano": ("pano_ap_phich_bang_ron", "Pano, áp phích, băng rôn (số liệu gộp trước đây)", "cái"),
          "chuyen_muc": ("chuyen_muc_phong_su", "Chuyên mục, phóng sự (số liệu gộp trước đây)", "chuyên mục, phóng sự")}


def forward(apps, schema_editor):
    from plans.reference import counters_ensure

    Counter = apps.get_model("plans", "Counter")
    Channel = apps.get_model("plans", "Channel")
    ReportLine = apps.get_model("reports", "ReportLine")
    ReportFigure = apps.get_model("reports", "ReportFigure")
    counters_ensure(Counter, Channel)
    counters = {c.code: c for c in Counter.objects.all()}
    old_labels = {}
    for channel in Channel.objects.all():
        for item in channel.counters or []:
            old_labels[(channel.pk, item.get("code"))] = item.get("label", "")

    def counter_for(code: str, channel_code: str | None):
        if code == "tin_bai":
            code = "tin_bai_bao" if channel_code == "bao-chi" else "tin_bai_cong"
        elif code in LUMPED:
            new_code, label, unit = LUMPED[code]
            if new_code not in counters:
                counters[new_code] = Counter.objects.create(code=new_code, label=label, unit=unit, is_active=False,
                                                            position=900)
            code = new_code
        elif code not in SAME and code not in counters:
            counters[code] = Counter.objects.create(code=code[:40], label=f"{code} (số liệu cũ)", unit="",
                                                    is_active=False, position=999)
        return counters[code]

    figures = []
    lines = ReportLine.objects.select_related("task__channel", "report__period").order_by("report__period__end", "pk")
    last_end = {}
    for line in lines.iterator(chunk_size=2000):
        period = line.report.period
        key = (line.report.agency_id, line.task_id, period.year)
        earlier = last_end.get(key)
        line.stretch_start = max(period.start, earlier) if earlier else period.start
        ReportLine.objects.filter(pk=line.pk).update(stretch_start=line.stretch_start)
        last_end[key] = period.end + __import__("datetime").timedelta(days=1)
        channel = line.task.channel
        for code, value in (line.counters or {}).items():
            if value in (None, ""):
                continue
            counter = counter_for(code, channel.code if channel else None)
            figures.append(ReportFigure(
                line_id=line.pk, counter_id=counter.pk, value=max(0, int(value)),
                label=old_labels.get((channel.pk if channel else None, code)) or counter.label, unit=counter.unit,
            ))
        if len(figures) >= 2000:
            ReportFigure.objects.bulk_create(figures, ignore_conflicts=True)
            figures = []
    ReportFigure.objects.bulk_create(figures, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("reports", "0005_figures"), ("plans", "0010_counters")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
