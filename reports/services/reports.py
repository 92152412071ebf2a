"""Writes to reports: the reports a period expects, saving a report's lines
and narrative under the optimistic lock, submission and review."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from common.locking import lock_claim, status_move
from plans.models import Counter, Plan, Task
from schedule.models import ReportingChain, ReportingPeriod
from schedule.services import agency_due_dates, stretch_start

from ..models import Notice, Report, ReportEvent, ReportFigure, ReportLine
from ..rollup import rollup_refresh, roots_refresh
from ..versions import reports_changed, reports_changed_everywhere

STALE_REPORT = (
    "Báo cáo vừa được người khác lưu trong lúc bạn sửa. Nội dung bạn nhập vẫn còn trên trang: "
    "hãy mở báo cáo ở thẻ mới để xem bản mới nhất rồi lưu lại."
)
CLOSED_REPORT = "Báo cáo đã nộp hoặc đã được tiếp nhận nên không sửa được."
DEADLINE_KINDS = Notice.DEADLINE_KINDS
# A period stays current (its reports and lines kept complete) this long after its due date.
CURRENT_DAYS = 120


class StaleReportError(Exception):
    pass


def _tasks_owed(period: ReportingPeriod):
    """Tasks whose lead agency owes a report for the period: tasks of issued
    plans that ask for this kind of period, covering its year, not finished
    before it started, led by a unit still in existence at its start."""
    return (
        Task.objects.filter(
            plan__status=Plan.Status.ISSUED,
            plan__report_rules=period.rule,
            plan__year_start__lte=period.year,
            plan__year_end__gte=period.year,
            lead_agency__isnull=False,
        )
        .filter(models.Q(deadline__isnull=True) | models.Q(deadline__gte=period.start))
        .filter(models.Q(lead_agency__dissolved_on__isnull=True) | models.Q(lead_agency__dissolved_on__gt=period.start))
        .select_related("lead_agency")
    )


def _lines_missing(period: ReportingPeriod, *, plan_ids=None):
    """The tasks owed (_tasks_owed) whose line in the period is missing: their
    lead unit has no report for it yet, or an open one without the task's
    line (a report sent or accepted takes no new line). One anti-join, so a
    day when nothing is missing costs one statement, not every task and line.
    `plan_ids`: only these plans' tasks (a plan just issued)."""
    lead = models.OuterRef("lead_agency")
    has_line = ReportLine.objects.filter(report__period=period, report__agency=lead, task=models.OuterRef("pk"))
    closed = Report.objects.filter(period=period, agency=lead,
                                   status__in=[Report.Status.ACCEPTED, Report.Status.SUBMITTED])
    tasks = _tasks_owed(period).exclude(models.Exists(has_line)).exclude(models.Exists(closed))
    return tasks if plan_ids is None else tasks.filter(plan_id__in=plan_ids)


@transaction.atomic
def reports_ensure(*, period: ReportingPeriod, plan_ids=None) -> int:
    """Create the reports (and their lines) the period expects; lines start
    pre-filled from the agency's previous report on the same task. Returns the
    number of reports created. Only what is missing is loaded: one statement
    when nothing is, a fixed number whatever the size otherwise. `plan_ids`:
    only these plans' tasks (a plan just issued)."""
    tasks = list(_lines_missing(period, plan_ids=plan_ids))
    if not tasks:
        return 0
    agencies = {t.lead_agency_id: t.lead_agency for t in tasks}
    existing = {r.agency_id: r for r in Report.objects.filter(period=period, agency_id__in=agencies)}
    dues = agency_due_dates(period=period, agencies=[a for pk, a in agencies.items() if pk not in existing])
    new_reports = [
        Report(agency=agency, period=period, due_date=dues[agency_id])
        for agency_id, agency in agencies.items()
        if agency_id not in existing
    ]
    Report.objects.bulk_create(new_reports)
    # bulk_create set their ids (PostgreSQL, SQLite 3.35+).
    reports = existing | {r.agency_id: r for r in new_reports}

    previous = {}
    for line in ReportLine.objects.filter(
        task__in=[t.pk for t in tasks], report__period__end__lt=period.end
    ).select_related("report__period").order_by("report__period__end"):
        previous[line.task_id] = line  # the latest earlier report wins
    # Each plan's period kinds, once: they decide where a stretch starts.
    plan_rules = {plan.pk: list(plan.report_rules.all())
                  for plan in Plan.objects.filter(pk__in={t.plan_id for t in tasks}).prefetch_related("report_rules")}
    lines = []
    for task in tasks:
        before = previous.get(task.pk)
        lines.append(
            ReportLine(
                report=reports[task.lead_agency_id], task=task,
                stretch_start=stretch_start(period=period, rules=plan_rules[task.plan_id]),
                # Progress carries over; figures do not: each report gives its own stretch's.
                state=before.state if before else ReportLine.Progress.NOT_STARTED,
                percent=before.percent if before else 0,
                note=before.note if before else "",
            )
        )
    ReportLine.objects.bulk_create(lines)
    _carry_stock_figures(period, previous, created={(line.report.agency_id, line.task_id) for line in lines})
    if new_reports:  # more reports expected: the dashboards of their provinces count them
        reports_changed(agency_ids={r.agency_id for r in new_reports})
    return len(new_reports)


def reports_ensure_current(*, today: dt.date, plan_ids=None) -> int:
    """reports_ensure for every period under way on `today` (started, due
    at most 120 days ago): the daily check, and a plan just issued
    (`plan_ids`). One statement per period when nothing is missing."""
    return sum(
        reports_ensure(period=period, plan_ids=plan_ids)
        for period in ReportingPeriod.objects.filter(start__lte=today, due__gte=today - dt.timedelta(days=CURRENT_DAYS))
        .select_related("rule")
    )


@transaction.atomic
def reports_due_refresh(*, period_ids: list[int]) -> int:
    """A rule edit reached these open periods: give their reports not yet
    sent the deadline the rules now say (sent reports keep the date they
    were judged against). Returns how many changed."""
    book = ReportingChain.objects.rulebook()
    changed = []
    for period in ReportingPeriod.objects.filter(pk__in=period_ids):
        reports = list(Report.objects.filter(
            period=period, status__in=[Report.Status.DRAFT, Report.Status.RETURNED]).select_related("agency"))
        dues = agency_due_dates(period=period, agencies=[r.agency for r in reports], book=book)
        for report in reports:
            if report.due_date != dues[report.agency_id]:
                report.due_date = dues[report.agency_id]
                changed.append(report)
    Report.objects.bulk_update(changed, ["due_date"])
    if changed:
        reports_changed_everywhere()
    return len(changed)


def _carry_stock_figures(period: ReportingPeriod, previous: dict[int, ReportLine], *, created: set) -> None:
    """A stock ("chuyên mục đang duy trì") is what exists at the end of a
    period: a new line starts from the last one given, to confirm or change."""
    earlier = {line.pk: line for line in previous.values() if (line.report.agency_id, line.task_id) in created}
    stocks = list(ReportFigure.objects.filter(line_id__in=earlier, counter__kind=Counter.Kind.STOCK))
    if not stocks:
        return
    new_lines = {
        (line.report.agency_id, line.task_id): line
        for line in ReportLine.objects.filter(report__period=period).select_related("report")
    }
    copies = []
    for figure in stocks:
        source = earlier[figure.line_id]
        line = new_lines.get((source.report.agency_id, source.task_id))
        if line is not None:
            copies.append(ReportFigure(line=line, counter_id=figure.counter_id, label=figure.label, unit=figure.unit,
                                       value=figure.value, approximate=figure.approximate, note=figure.note))
    ReportFigure.objects.bulk_create(copies, ignore_conflicts=True)


def ensure_open(report: Report) -> None:
    if report.status not in (Report.Status.DRAFT, Report.Status.RETURNED):
        raise ValidationError(CLOSED_REPORT)


def _claim(report: Report, lock_version: int) -> None:
    if not lock_claim(Report.objects.filter(pk=report.pk), lock_version=lock_version):
        raise StaleReportError(STALE_REPORT)
    report.lock_version = lock_version + 1


@transaction.atomic
def report_save(*, report: Report, lock_version: int, lines: dict[int, dict], narrative: dict) -> Report:
    """Save a draft: the lines (by id, only this report's) and the narrative."""
    ensure_open(report)
    _claim(report, lock_version)
    own_lines = {line.pk: line for line in report.lines.all()}
    for line_id, values in lines.items():
        line = own_lines.get(line_id)
        if line is None:
            raise ValidationError("Dòng báo cáo không thuộc báo cáo này.")
        values = dict(values)
        figures = values.pop("figures", None)
        for name, value in values.items():
            setattr(line, name, value)
        line.full_clean(exclude=["report", "task"])
        line.save()
        if figures is not None:
            _save_figures(line, figures)
    for name in ("results", "shortcomings", "proposals"):
        setattr(report, name, narrative.get(name, ""))
    report.save(update_fields=["results", "shortcomings", "proposals", "updated_at"])
    return report




def _move(report: Report, *, expected: tuple, to: str) -> Report:
    status_move(report, expected=expected, to=to, noun="Báo cáo")
    return report


@transaction.atomic
def report_submit(*, report: Report, user) -> Report:
    _move(report, expected=(Report.Status.DRAFT, Report.Status.RETURNED), to=Report.Status.SUBMITTED)
    # The first submission decides whether the report was on time; a
    # resubmission after a return does not make it late.
    report.submitted_at = report.submitted_at or timezone.now()
    report.save(update_fields=["status", "submitted_at", "lock_version", "updated_at"])
    late = report.days_late
    comment = f"Nộp muộn {late} ngày" if late else ""
    event = ReportEvent.objects.create(report=report, kind=ReportEvent.Kind.SUBMITTED, user=user, comment=comment)
    _tell(report, event, closes=(*DEADLINE_KINDS, Notice.Kind.RETURNED))
    _figures_changed(report)
    return report


def _figures_changed(report: Report) -> None:
    """The report's rollup written anew (rows while it is sent, none once
    returned) and its province's dashboards told (reports/versions.py)."""
    rollup_refresh([report.pk])
    roots_refresh(agency_ids=[report.agency_id], period_id=report.period_id)
    reports_changed(agency_ids=[report.agency_id])


def _tell(report: Report, event: ReportEvent, *, closes: tuple[str, ...]) -> None:
    """The review round's notice, now rather than at tomorrow's sweep, and
    the report's notices this round answers closed (a submission closes
    its reminders and its return, a review the reviewers' "chờ xem xét")."""
    from .notices import DueNotice, notices_record, report_notices_close  # notices build on reports

    report_notices_close(report=report, kinds=closes)
    notices_record(due=[DueNotice(report, event.kind, timezone.localdate(), event=event)])


@transaction.atomic
def report_return(*, report: Report, user, comment: str, line_comments: dict[int, str]) -> Report:
    if not comment.strip():
        raise ValidationError({"comment": "Nhập ý kiến để đơn vị biết cần sửa gì."})
    _move(report, expected=(Report.Status.SUBMITTED,), to=Report.Status.RETURNED)
    report.save(update_fields=["status", "lock_version", "updated_at"])
    kept = {}
    for line in report.lines.all():
        text = line_comments.get(line.pk, "").strip()
        if line.review_comment != text:
            line.review_comment = text
            line.save(update_fields=["review_comment"])
        if text:
            kept[str(line.task_id)] = text
    event = ReportEvent.objects.create(
        report=report, kind=ReportEvent.Kind.RETURNED, user=user, comment=comment, line_comments=kept
    )
    _tell(report, event, closes=(Notice.Kind.SUBMITTED,))
    _figures_changed(report)
    return report


@transaction.atomic
def report_accept(*, report: Report, user, comment: str = "") -> Report:
    _move(report, expected=(Report.Status.SUBMITTED,), to=Report.Status.ACCEPTED)
    report.save(update_fields=["status", "lock_version", "updated_at"])
    report.lines.exclude(review_comment="").update(review_comment="")
    event = ReportEvent.objects.create(report=report, kind=ReportEvent.Kind.ACCEPTED, user=user, comment=comment)
    _tell(report, event, closes=(*DEADLINE_KINDS, Notice.Kind.RETURNED, Notice.Kind.SUBMITTED))
    reports_changed(agency_ids=[report.agency_id])  # its figures stay: only its state changed
    return report


def _save_figures(line: ReportLine, figures: dict[Counter, dict]) -> None:
    """{counter: {"value", "approximate", "note"}}: a value left empty removes
    the figure; the label and unit are taken as they read now (as filed)."""
    kept = []
    for counter, values in figures.items():
        if values.get("value") is None:
            continue
        ReportFigure.objects.update_or_create(
            line=line, counter=counter,
            defaults={"value": values["value"], "approximate": bool(values.get("approximate")),
                      "note": values.get("note", ""), "label": counter.label, "unit": counter.unit},
        )
        kept.append(counter.pk)
    line.figures.filter(counter__in=list(figures)).exclude(counter__in=kept).delete()


def _record_date_errors(report: Report, submitted_on: dt.date, today: dt.date) -> list[str]:
    if submitted_on > today:
        return [f"Ngày nộp không được sau ngày hôm nay ({today:%d/%m/%Y})."]
    if submitted_on < report.period.start:
        return [f"Ngày nộp không được trước ngày bắt đầu kỳ báo cáo ({report.period.start:%d/%m/%Y})."]
    return []


@transaction.atomic
def report_record(*, report: Report, user, submitted_on: dt.date, lock_version: int, lines: dict[int, dict],
                  narrative: dict, today: dt.date | None = None) -> Report:
    """A report the unit sent on paper, entered by a reviewer or an admin: its
    figures and narrative saved, submitted_at set to the paper's date (so it
    is on time or late by that date) and accepted at once, since the person
    recording it is the one who would review it. Only a report never sent
    through the portal (a draft); one ReportEvent says who recorded it."""
    errors = _record_date_errors(report, submitted_on, today or timezone.localdate())
    if errors:
        raise ValidationError({"submitted_on": errors})
    report_save(report=report, lock_version=lock_version, lines=lines, narrative=narrative)
    _move(report, expected=(Report.Status.DRAFT,), to=Report.Status.ACCEPTED)
    # Noon, local time: Report.days_late and the dashboard read the local date.
    report.submitted_at = timezone.make_aware(dt.datetime.combine(submitted_on, dt.time(12)))
    report.recorded = True
    report.save(update_fields=["status", "submitted_at", "recorded", "lock_version", "updated_at"])
    report.lines.exclude(review_comment="").update(review_comment="")
    late = report.days_late
    comment = f"Báo cáo gửi ngoài cổng ngày {submitted_on:%d/%m/%Y}, " + (
        f"nộp muộn {late} ngày." if late else "đúng hạn."
    )
    ReportEvent.objects.create(report=report, kind=ReportEvent.Kind.RECORDED, user=user, comment=comment)
    # Sent on paper: the reminders about it have their answer.
    from .notices import report_notices_close

    report_notices_close(report=report, kinds=DEADLINE_KINDS)
    _figures_changed(report)
    return report
