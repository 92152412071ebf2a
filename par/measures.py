"""What the portal measures for a unit's year, each with the numbers and
the records behind it, so a grader can follow the computation:

- plan issued by its deadline: the unit's issued plans covering the year
  against schedule.services.plan_deadline;
- tasks done: the tasks the unit leads in issued plans covering the year
  (those due that year or with no date), done by an accepted report line;
- reports on time: the unit's reports of the year whose deadline passed by
  `as_of`, sent by their deadline (first sending, local date, as the
  dashboard counts);
- channels used: the channels of the tasks an accepted report shows under way or done;
- a counter's total: its figures in the year's accepted reports, like for
  like (a flow summed over the stretches, a stock from the latest report).

Each function reads a fixed number of queries whatever the data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import F, Min, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from agencies.models import Agency
from common.money import money_format
from plans.models import Counter, Plan, Task
from reports.models import Report, ReportFigure, ReportLine
from schedule.services import plan_deadline

from .models import Criterion, Measure


@dataclass
class Record:
    """A record behind a measure: what it is, its id (for links) and a line of text."""

    kind: str  # "plan", "task", "report"
    id: int
    label: str
    ok: bool | None = None

    def as_dict(self) -> dict:
        return {"kind": self.kind, "id": self.id, "label": self.label, "ok": self.ok}


@dataclass
class Measured:
    value: Decimal | None
    unit: str  # "%" or a counting unit
    summary: str  # one sentence with the numbers
    numbers: dict = field(default_factory=dict)
    records: list[Record] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"value": None if self.value is None else str(self.value), "unit": self.unit,
                "summary": self.summary, "numbers": self.numbers, "records": [r.as_dict() for r in self.records]}


# Where the deadline comes from, for a unit that has none.
NO_DEADLINE_HINT = "hạn do quản trị đặt trong «Hạn ban hành kế hoạch năm» của bộ quy định thời hạn cấp trên"


def _share(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _pct(value: Decimal | None) -> str:
    return "—" if value is None else f"{value.normalize():f}".replace(".", ",") + "%"


def _date(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "—"


def plans_of_year(*, agency: Agency, year: int):
    return Plan.objects.filter(issuer=agency, status=Plan.Status.ISSUED, year_start__lte=year, year_end__gte=year)


def plan_on_time(*, agency: Agency, year: int, as_of: dt.date) -> Measured:
    deadline = plan_deadline(year=year, agency=agency)
    plans = list(plans_of_year(agency=agency, year=year).filter(issue_date__lte=as_of)
                 .order_by("issue_date", "pk").only("pk", "title", "number", "number_text", "symbol", "issue_date"))
    first = plans[0] if plans else None
    on_time = first is not None and (deadline is None or first.issue_date <= deadline)
    records = [Record("plan", p.pk, f"Số {p.reference} ngày {_date(p.issue_date)}: {p.title[:120]}",
                      ok=deadline is None or p.issue_date <= deadline) for p in plans]
    if first is None:
        due = f"hạn {_date(deadline)}" if deadline else f"chưa quy định hạn ban hành; {NO_DEADLINE_HINT}"
        summary = f"Chưa có kế hoạch năm {year} được ban hành ({due})."
    elif deadline is None:
        summary = (f"Ban hành ngày {_date(first.issue_date)}; chưa có quy định hạn ban hành, nên được tính đúng hạn "
                   f"({NO_DEADLINE_HINT}).")
    else:
        summary = (f"Ban hành ngày {_date(first.issue_date)}, hạn {_date(deadline)}: "
                   + ("đúng hạn." if on_time else f"trễ {(first.issue_date - deadline).days} ngày."))
    return Measured(Decimal(100 if on_time else 0), "%", summary,
                    {"deadline": _date(deadline), "issued": _date(first.issue_date if first else None),
                     "plans": len(plans)}, records)


def year_tasks(*, agency: Agency, year: int):
    """The tasks the unit leads in issued plans covering `year`: those due
    that year and those with no date (a multi-year plan's task due in
    another year is that year's). A unit merged away owes only what fell
    due before it left (reports stop asking for the rest then)."""
    tasks = Task.objects.filter(
        lead_agency=agency, plan__status=Plan.Status.ISSUED, plan__year_start__lte=year, plan__year_end__gte=year,
    ).filter(Q(deadline__isnull=True) | Q(deadline__year=year))
    if agency.dissolved_on:
        tasks = tasks.filter(Q(deadline__isnull=True) | Q(deadline__lt=agency.dissolved_on))
    return tasks


def plans_behind(*, agency: Agency, year: int):
    """The plans a grader needs beside the unit's: its own issued plans
    covering the year and those that gave it the tasks it leads."""
    return Plan.objects.filter(Q(pk__in=plans_of_year(agency=agency, year=year).values("pk"))
                               | Q(pk__in=year_tasks(agency=agency, year=year).values("plan_id")))


def accepted_lines(*, agency: Agency, year: int, as_of: dt.date):
    return ReportLine.objects.filter(report__agency=agency, report__period__year=year,
                                     report__status=Report.Status.ACCEPTED, report__period__end__lte=as_of)


def tasks_done(*, agency: Agency, year: int, as_of: dt.date) -> Measured:
    tasks = list(year_tasks(agency=agency, year=year).order_by("plan_id", "position", "pk")
                 .only("pk", "content", "plan_id"))
    # Done in any accepted report so far, the next year's first ones too: a
    # task due on 31/12 is reported done after the year's last cut-off (14/12).
    done_ids = set(ReportLine.objects.filter(report__agency=agency, report__status=Report.Status.ACCEPTED,
                                             report__period__end__lte=as_of)
                   .filter(state=ReportLine.Progress.DONE, task__in=[t.pk for t in tasks])
                   .values_list("task_id", flat=True))
    done = sum(1 for t in tasks if t.pk in done_ids)
    value = _share(done, len(tasks))
    records = [Record("task", t.pk, t.content[:160], ok=t.pk in done_ids) for t in tasks]
    summary = (f"Hoàn thành {done}/{len(tasks)} nhiệm vụ được giao chủ trì = {_pct(value)}."
               if tasks else f"Không có nhiệm vụ nào được giao chủ trì trong năm {year}.")
    return Measured(value, "%", summary, {"done": done, "total": len(tasks)}, records)


def reports_on_time(*, agency: Agency, year: int, as_of: dt.date) -> Measured:
    reports = list(Report.objects.filter(agency=agency, period__year=year, due_date__lt=as_of)
                   .select_related("period").order_by("period__end", "pk"))
    records = []
    on_time = 0
    for report in reports:
        sent = report.status != Report.Status.DRAFT and report.submitted_at is not None
        sent_on = timezone.localdate(report.submitted_at) if sent else None
        ok = sent_on is not None and sent_on <= report.due_date
        on_time += ok
        state = f"nộp {_date(sent_on)}" if sent_on else "chưa nộp"
        records.append(Record("report", report.pk, f"{report.period.label}: hạn {_date(report.due_date)}, {state}",
                              ok=ok))
    value = _share(on_time, len(reports))
    summary = (f"{on_time}/{len(reports)} báo cáo đến hạn nộp đúng hạn = {_pct(value)}."
               if reports else "Chưa có báo cáo nào đến hạn.")
    return Measured(value, "%", summary, {"on_time": on_time, "total": len(reports)}, records)


def channels_used(*, agency: Agency, year: int, as_of: dt.date) -> Measured:
    rows = (accepted_lines(agency=agency, year=year, as_of=as_of)
            .exclude(state=ReportLine.Progress.NOT_STARTED).filter(task__channel__isnull=False)
            .values_list("task__channel_id", "task__channel__name").distinct().order_by("task__channel__name"))
    names = sorted({name for _, name in rows})
    summary = f"{len(names)} hình thức: {', '.join(names)}." if names else "Chưa có hình thức nào được thực hiện."
    return Measured(Decimal(len(names)), "hình thức", summary, {"channels": names})


def counter_total(*, agency: Agency, year: int, as_of: dt.date, counter: Counter | None) -> Measured:
    if counter is None:
        return Measured(None, "", "Tiêu chí chưa chọn chỉ tiêu số liệu.")
    figures = ReportFigure.objects.filter(
        counter=counter, line__report__agency=agency, line__report__period__year=year,
        line__report__status=Report.Status.ACCEPTED, line__report__period__end__lte=as_of)
    if counter.kind == Counter.Kind.FLOW:
        # Like for like with reports/figures.py: a line whose stretch is empty
        # (it starts after its period's end) counts nothing.
        figures = figures.annotate(
            stretch_from=Coalesce("line__stretch_start", F("line__report__period__start"))
        ).filter(stretch_from__lte=F("line__report__period__end"))
    else:  # a stock: what exists at the end of the latest accepted report, not a sum over periods
        latest = figures.order_by("-line__report__period__end").values_list("line__report_id", flat=True).first()
        figures = figures.filter(line__report_id=latest) if latest is not None else figures.none()
    # Per report: what it adds and from which day, so the sum can be followed
    # (a 6-month report counts from the day after Quý I's cut-off, not twice).
    parts = list(figures.values("line__report_id", "line__report__period__label", "line__report__period__end")
                 .annotate(value=Sum("value"), since=Min(Coalesce("line__stretch_start", "line__report__period__start")))
                 .order_by("line__report__period__end", "line__report_id"))
    total = sum(p["value"] for p in parts)
    if counter.kind == Counter.Kind.STOCK:
        how = "số hiện có cuối kỳ báo cáo gần nhất"
    else:
        how = "; ".join(f"{p['line__report__period__label']} (từ {_date(p['since'])}): {money_format(p['value'])}"
                        for p in parts) or "chưa có báo cáo được tiếp nhận"
    summary = f"{counter.label}: {money_format(total)} {counter.unit} ({how})."
    return Measured(Decimal(total), counter.unit, summary, {"total": total},
                    [Record("report", p["line__report_id"],
                            f"{p['line__report__period__label']}: {money_format(p['value'])} {counter.unit}")
                     for p in parts])


def measure(criterion: Criterion, *, agency: Agency, year: int, as_of: dt.date) -> Measured | None:
    """The criterion's measure for the unit; None for a criterion scored by hand."""
    kind = criterion.measure
    if kind == Measure.PLAN_ON_TIME:
        return plan_on_time(agency=agency, year=year, as_of=as_of)
    if kind == Measure.TASKS_DONE:
        return tasks_done(agency=agency, year=year, as_of=as_of)
    if kind == Measure.REPORTS_ON_TIME:
        return reports_on_time(agency=agency, year=year, as_of=as_of)
    if kind == Measure.CHANNELS_USED:
        return channels_used(agency=agency, year=year, as_of=as_of)
    if kind == Measure.COUNTER_TOTAL:
        return counter_total(agency=agency, year=year, as_of=as_of, counter=criterion.counter)
    return None
