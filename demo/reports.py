"""Demo reports: the district's 2026 plan issued, and reports for the past
periods of 2026 in every state (accepted, returned, late, missing, awaiting
review), so every reporting screen shows something real."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from plans import services as plan_services
from plans.models import Plan
from reports import services
from reports.models import Report, ReportFigure, ReportLine
from schedule.models import ReportingRule
from schedule.services import periods_ensure

DEMO_TITLE = "Tuyên truyền cải cách hành chính nhà nước huyện Bình Giang năm 2026"

# (rule kind, end month) -> agency code -> what happens to its report.
SCENARIO = {
    ("quarter", 3): {"default": "accepted", "HD-BG-TK": "accepted_late"},
    ("half_year", 6): {"default": "accepted", "HD-BG-VH": "returned", "HD-BG-HT": "missing"},
    ("quarter", 9): {"default": "submitted", "HD-BG-KS": "missing", "HD-BG-TV": "missing",
                     "HD-BG-TK": "accepted_late"},
}


def _at(day: dt.date, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _fill(report: Report, *, factor: int) -> None:
    for line in report.lines.select_related("task__channel").prefetch_related("task__channel__counter_set"):
        counters = [c for c in line.task.channel.counter_set.all() if c.is_active] if line.task.channel else []
        line.state = ReportLine.Progress.IN_PROGRESS if factor < 3 else ReportLine.Progress.DONE
        line.percent = min(100, 30 * factor + 10) if factor < 3 else 100
        line.spent = (line.task.budget or 0) * factor // 4
        line.note = "Thực hiện theo kế hoạch."
        line.save()
        for counter in counters:
            ReportFigure.objects.update_or_create(line=line, counter=counter, defaults={
                "value": (line.task.target_quantity or 4) * factor // 4 + 1, "label": counter.label,
                "unit": counter.unit})
    report.results = (
        f"Đơn vị đã triển khai {report.lines.count()} nhiệm vụ tuyên truyền CCHC trong kỳ, "
        "đăng tải tin bài và niêm yết TTHC đầy đủ."
    )
    report.shortcomings = "Kinh phí còn hạn chế; một số thôn chưa có bảng tin."
    report.proposals = "Đề nghị UBND huyện hỗ trợ kinh phí làm pano tuyên truyền."
    report.save()


@transaction.atomic
def demo_reports_load(*, today: dt.date | None = None) -> int:
    """Returns how many reports were created."""
    today = today or timezone.localdate()
    if Plan.objects.filter(issuer__code="HD-BG", title=DEMO_TITLE).exists():
        return 0
    User = get_user_model()
    drafter, head, reviewer = (User.objects.get(username=u) for u in ("drafter", "head", "reviewer"))
    source = Plan.objects.get(issuer__code="HD-BG", year_start=2025, title__contains="năm 2025")
    plan = plan_services.plan_copy(plan=source, user=drafter, issuer=source.issuer, year_start=2026, year_end=2026)
    plan.title = DEMO_TITLE
    plan.save(update_fields=["title"])
    plan.report_rules.set(ReportingRule.objects.filter(kind__in=["quarter", "half_year", "year"]))
    plan_services.plan_submit(plan=plan, user=drafter)
    plan_services.plan_issue(
        plan=plan, user=head, number=3, issue_date=dt.date(2026, 1, 8),
        signer_authority="TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH", signer_position="PHÓ CHỦ TỊCH",
        signer_name="Nhữ Văn Chuyên",
    )

    created = 0
    for period in periods_ensure(year=2026):
        if period.start > today:
            continue
        created += services.reports_ensure(period=period)
        scenario = SCENARIO.get((period.rule.kind, period.end_month))
        if scenario is None:
            continue  # the year report: still open, not yet due
        for report in Report.objects.filter(period=period).select_related("agency"):
            fate = scenario.get(report.agency.code, scenario["default"])
            if fate == "missing":
                continue
            _fill(report, factor=3 if fate.startswith("accepted") else 2)
            late_days = 4 if fate == "accepted_late" else 0
            # Set before submitting: report_submit keeps it, and its event then
            # says late or on time by this date, not by the day the demo loads.
            report.submitted_at = _at(report.due_date + dt.timedelta(days=late_days), hour=15 if late_days else 9)
            services.report_submit(report=report, user=head)
            if fate.startswith("accepted"):
                services.report_accept(report=report, user=reviewer, comment="Báo cáo đầy đủ.")
            elif fate == "returned":
                first = report.lines.first()
                services.report_return(
                    report=report, user=reviewer, comment="Bổ sung số liệu lượt người tham dự và minh chứng.",
                    line_comments={first.pk: "Thiếu số liệu."} if first else {},
                )
    return created
