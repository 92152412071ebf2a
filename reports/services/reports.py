"""Writes to reports: the reports a period expects, saving a report's lines
and narrative under the optimistic lock, submission and review."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from common.locking import lock_claim, status_move
from plans.models import Plan, Task
from schedule.models import ReportingChain, ReportingPeriod
from schedule.services import agency_due_dates

from ..models import Report, ReportEvent, ReportLine

STALE_REPORT = (
    "Báo cáo vừa được người khác lưu trong lúc bạn sửa. Nội dung bạn nhập vẫn còn trên trang: "
    "hãy mở báo cáo ở thẻ mới để xem bản mới nhất rồi lưu lại."
)
CLOSED_REPORT = "Báo cáo đã nộp hoặc đã được tiếp nhận nên không sửa được."


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


@transaction.atomic
def reports_ensure(*, period: ReportingPeriod) -> int:
    """Create the reports (and their lines) the period expects; lines start
    pre-filled from the agency's previous report on the same task. Returns the
    number of reports created. A fixed number of queries whatever the size."""
    tasks = list(_tasks_owed(period))
    existing = {r.agency_id: r for r in Report.objects.filter(period=period)}
    agencies = {t.lead_agency_id: t.lead_agency for t in tasks}
    dues = agency_due_dates(period=period, agencies=[a for pk, a in agencies.items() if pk not in existing])
    new_reports = [
        Report(agency=agency, period=period, due_date=dues[agency_id])
        for agency_id, agency in agencies.items()
        if agency_id not in existing
    ]
    Report.objects.bulk_create(new_reports)
    reports = {r.agency_id: r for r in Report.objects.filter(period=period, agency_id__in=agencies)}

    have = set(ReportLine.objects.filter(report__period=period).values_list("report_id", "task_id"))
    previous = {}
    for line in ReportLine.objects.filter(
        task__in=[t.pk for t in tasks], report__period__end__lt=period.end
    ).order_by("report__period__end"):
        previous[line.task_id] = line  # the latest earlier report wins
    lines = []
    for task in tasks:
        report = reports[task.lead_agency_id]
        if (report.pk, task.pk) in have or report.status in (Report.Status.ACCEPTED, Report.Status.SUBMITTED):
            continue
        before = previous.get(task.pk)
        lines.append(
            ReportLine(
                report=report, task=task,
                state=before.state if before else ReportLine.Progress.NOT_STARTED,
                percent=before.percent if before else 0,
                counters=dict(before.counters) if before else {},
                note=before.note if before else "",
            )
        )
    ReportLine.objects.bulk_create(lines)
    return len(new_reports)


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
    return len(changed)


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
        for name, value in values.items():
            setattr(line, name, value)
        line.full_clean(exclude=["report", "task"])
        line.save()
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
    ReportEvent.objects.create(report=report, kind=ReportEvent.Kind.SUBMITTED, user=user, comment=comment)
    return report


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
    ReportEvent.objects.create(
        report=report, kind=ReportEvent.Kind.RETURNED, user=user, comment=comment, line_comments=kept
    )
    # The unit hears of it now, not at tomorrow's sweep.
    from .notices import DueNotice, notices_record  # notices build on reports, not the reverse

    notices_record(due=[DueNotice(report, "returned", timezone.localdate())])
    return report


@transaction.atomic
def report_accept(*, report: Report, user, comment: str = "") -> Report:
    _move(report, expected=(Report.Status.SUBMITTED,), to=Report.Status.ACCEPTED)
    report.save(update_fields=["status", "lock_version", "updated_at"])
    report.lines.exclude(review_comment="").update(review_comment="")
    ReportEvent.objects.create(report=report, kind=ReportEvent.Kind.ACCEPTED, user=user, comment=comment)
    return report
