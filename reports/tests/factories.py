"""Builders for reports: an issued plan whose tasks the small `tree`'s units
lead, the periods of its year, and the reports those periods expect, all
through the real services. Then `report_fill`, `report_sent` put a report
in the state a test needs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from agencies.models import Agency, Membership
from agencies.tests.factories import AgencyFactory, user_with_roles
from plans.models import Area, Channel, Plan
from plans.reference import reference_lists_ensure
from plans.tests.factories import plan_issued
from reports import services
from reports.models import Report, ReportFigure, ReportLine
from schedule.calendar import calendar_defaults_ensure
from schedule.models import LevelDeadline, ReportingPeriod, ReportingRule
from schedule.services import periods_ensure

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class ReportWorld:
    """An issued 2026 plan of the district, its periods and the expected reports."""

    plan: Plan
    periods: dict[str, ReportingPeriod] = field(default_factory=dict)  # label -> period

    def report(self, agency, label: str) -> Report:
        return Report.objects.get(agency=agency, period=self.periods[label])


def report_world(*, tree, personas, year: int = 2026, kinds=("quarter", "half_year", "year"),
                 leads=("commune", "commune", "home_affairs")) -> ReportWorld:
    """The district's plan for `year` issued with one task per entry of `leads`
    (keys of `tree`, or agencies such as `commune_added`'s), reporting on
    `kinds`; every period of the year made and its reports created. Kẻ Sặt's
    counterpart here is tree["commune"]."""
    # Migrations fill these lists, but a transactional test's flush empties them.
    reference_lists_ensure(Area, Channel)
    calendar_defaults_ensure(ReportingRule, LevelDeadline)
    plan = plan_issued(
        issuer=tree["district"], drafter=personas.drafter, head=personas.head, year=year,
        leads=[tree[key] if isinstance(key, str) else key for key in leads],
        report_rules=ReportingRule.objects.filter(kind__in=kinds),
    )
    world = ReportWorld(plan=plan)
    for period in periods_ensure(year=year):
        services.reports_ensure(period=period)
        world.periods[period.label] = period
    return world


def commune_added(tree, *, code: str = "D-Y", name: str = "Ủy ban nhân dân xã Hai", head: str = "head2"):
    """A second commune of the district with its own head, who has no say over
    tree["commune"] (the demo's Vĩnh Hưng / Tân Việt and head2). Returns (commune, head)."""
    commune = AgencyFactory(code=code, parent=tree["district"], kind=Agency.Kind.COMMUNE, name=name)
    return commune, user_with_roles(head, (commune, Membership.Role.HEAD))


def line_counters(line: ReportLine) -> list:
    """The active counters of a line's channel, in order."""
    channel = line.task.channel
    return sorted((c for c in channel.counter_set.all() if c.is_active), key=lambda c: (c.position, c.label)) \
        if channel else []


def report_fill(report: Report, *, state=ReportLine.Progress.IN_PROGRESS, percent: int = 50, count: int = 3,
                spent: int = 1_000_000) -> Report:
    """Every line given a state, a percent, `count` for each of its channel's counters and money spent."""
    for line in report.lines.select_related("task__channel").prefetch_related("task__channel__counter_set"):
        line.state, line.percent, line.spent = state, 100 if state == ReportLine.Progress.DONE else percent, spent
        line.save()
        for counter in line_counters(line):
            ReportFigure.objects.update_or_create(line=line, counter=counter, defaults={
                "value": count, "label": counter.label, "unit": counter.unit})
    report.results = "Đã đăng tin và niêm yết thủ tục hành chính."
    report.save()
    return report


def report_sent(report: Report, *, by, on: dt.date | None = None, accept_by=None, return_by=None,
                return_comment: str = "Bổ sung số liệu.", line_comments: dict[int, str] | None = None) -> Report:
    """Submitted by `by` (on the given local day, 9:00), then accepted or returned
    if asked (with `return_comment` and per-line comments, by line id)."""
    services.report_submit(report=report, user=by)
    if on is not None:
        at = timezone.make_aware(dt.datetime.combine(on, dt.time(9)))
        Report.objects.filter(pk=report.pk).update(submitted_at=at)
        report.refresh_from_db()
    if accept_by is not None:
        services.report_accept(report=report, user=accept_by, comment="Báo cáo đầy đủ.")
    if return_by is not None:
        services.report_return(report=report, user=return_by, comment=return_comment,
                               line_comments=line_comments or {})
    return report
