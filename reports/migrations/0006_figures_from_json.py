"""The figures typed so far, moved from each line's JSON into ReportFigure
rows, and every line's stretch worked out. Old counters that lumped unlike
things together ("Pano, áp phích, băng rôn") become inactive counters of
their own, so their figures keep their meaning and are not added to the new
separate ones.

Old lines were pre-filled with the previous report's figures, so a later
report of the same unit and task in a year gave a running total: its flow
figures become the increase over the previous report (never below 0), noted
as converted, so the year adds up to the last total instead of counting
Quý I again in every later report."""

import datetime

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
            safe = "cu-" + "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_") else "-" for ch in code)[:36]
            counters[code] = counters.get(safe) or Counter.objects.get_or_create(
                code=safe, defaults={"label": f"{code} (số liệu cũ)"[:200], "unit": "", "is_active": False,
                                     "position": 999})[0]
            counters[safe] = counters[code]
        return counters[code]

    def number(value) -> int | None:
        try:
            return max(0, int(float(str(value).replace(".", "").replace(",", "."))))
        except (TypeError, ValueError):
            return None

    figures = []
    lines = ReportLine.objects.select_related("task__channel", "report__period").order_by("report__period__end", "pk")
    last_end = {}
    last_value = {}  # (unit, task, year, code) -> the previous report's running total
    for line in lines.iterator(chunk_size=2000):
        period = line.report.period
        key = (line.report.agency_id, line.task_id, period.year)
        earlier = last_end.get(key)
        line.stretch_start = max(period.start, earlier) if earlier else period.start
        ReportLine.objects.filter(pk=line.pk).update(stretch_start=line.stretch_start)
        last_end[key] = period.end + datetime.timedelta(days=1)
        channel = line.task.channel
        for code, raw in (line.counters or {}).items():
            value = number(raw)
            if value is None:
                continue
            counter = counter_for(code, channel.code if channel else None)
            before = last_value.get((*key, code))
            last_value[(*key, code)] = value
            increase = value if before is None or counter.kind == "stock" else max(0, value - before)
            figures.append(ReportFigure(
                line_id=line.pk, counter_id=counter.pk, value=increase,
                label=old_labels.get((channel.pk if channel else None, code)) or counter.label, unit=counter.unit,
                note="" if increase == value else f"chuyển từ số liệu lũy kế cũ: {value}",
            ))
        if len(figures) >= 2000:
            ReportFigure.objects.bulk_create(figures, ignore_conflicts=True)
            figures = []
    ReportFigure.objects.bulk_create(figures, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("reports", "0005_figures"), ("plans", "0010_counters")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
