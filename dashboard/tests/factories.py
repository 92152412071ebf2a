"""Builders for the dashboard: the small `tree` grown into a district whose
units report in every state, a sibling district with a plan of its own, a
second province, and the people who look at them.

The shape follows the demo's Bình Giang scenario on six units instead of the
whole demo: in Quý III/2026 two communes are missing and the rest submitted;
in the six months one is returned and one missing; in Quý I everything is
accepted, one unit four days late. Every submission is stamped on the report's
own due date (or four days after), so late and on time never depend on the
clock. "Missing" compares the 2026 due dates with today, as the dashboard
does: Quý I to III are past for good, the year report is due in December."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from agencies.models import Agency, Membership
from agencies.tests.factories import AgencyFactory, user_with_roles
from plans.models import Area, Channel, Plan, Task
from plans.tests.factories import plan_issued
from reports import services
from reports.models import Report, ReportLine
from reports.tests.factories import ReportWorld, report_fill, report_sent, report_world
from schedule.models import ReportingPeriod, ReportingRule

Role = Membership.Role
Kind = Agency.Kind

Q1, HALF, Q3, YEAR = "Quý I/2026", "6 tháng đầu năm 2026", "Quý III/2026", "Năm 2026"

# The district's units beyond the small tree's Phòng Nội vụ (home_affairs) and
# xã Một (commune, which the district's head also heads): key -> (code, name, kind).
UNITS = {
    "tckh": ("D-TCKH", "Phòng Tài chính - Kế hoạch", Kind.OFFICE),
    "tv": ("D-TV", "Ủy ban nhân dân xã Tân Việt", Kind.COMMUNE),
    "vh": ("D-VH", "Ủy ban nhân dân xã Vĩnh Hưng", Kind.COMMUNE),
    "tt": ("D-TT", "Ủy ban nhân dân thị trấn Ba", Kind.COMMUNE),
}
# Task leads of the district's plan: Phòng Nội vụ carries two tasks.
LEADS = ("home_affairs", "home_affairs", "tckh", "commune", "tv", "vh", "tt")

# period -> unit key -> what happens to its report (as in demo/reports.py).
SCENARIO = {
    Q1: {"default": "accepted", "tckh": "accepted_late"},
    HALF: {"default": "accepted", "vh": "returned", "tt": "missing"},
    Q3: {"default": "submitted", "commune": "missing", "tv": "missing"},
}
LATE_DAYS = 4


@dataclass
class DashboardWorld:
    tree: dict  # the small tree plus the units above, the sibling district's commune and a second province
    reports: ReportWorld  # the district's 2026 plan, periods and reports
    foreign_plan: Plan  # issued by the sibling district, outside the reviewer's scope
    head2: object  # head of xã Vĩnh Hưng alone
    province_reviewer: object  # Sở Nội vụ: reviews the whole province

    @property
    def plan(self) -> Plan:
        return self.reports.plan

    def period(self, label: str) -> ReportingPeriod:
        return self.reports.periods[label]

    def district_reports(self, label: str):
        """The reports owed in the district's subtree (the reviewer's scope)."""
        district = self.tree["district"]  # its units sit right below it
        return Report.objects.filter(Q(agency=district) | Q(agency__parent=district), period=self.period(label))


def district_units(tree: dict) -> dict:
    """The small tree with the district's other units, Sở Nội vụ under the
    province, a commune under the sibling district and a second province."""
    tree = dict(tree)
    for key, (code, name, kind) in UNITS.items():
        tree[key] = AgencyFactory(code=code, name=name, kind=kind, parent=tree["district"])
    tree["province_home_affairs"] = AgencyFactory(
        code="P-SNV", name="Sở Nội vụ", kind=Kind.DEPARTMENT, parent=tree["province"], is_home_affairs=True)
    tree["commune2"] = AgencyFactory(code="D2-X", name="Ủy ban nhân dân xã Hai", kind=Kind.COMMUNE,
                                     parent=tree["district2"])
    tree["province2"] = AgencyFactory(code="Q", name="Ủy ban nhân dân tỉnh Khác", kind=Kind.PROVINCE)
    tree["ward2"] = AgencyFactory(code="Q-PX", name="Ủy ban nhân dân phường Khác", kind=Kind.COMMUNE,
                                  parent=tree["province2"])
    return tree


def _vary_tasks(plan: Plan) -> None:
    """Phòng Nội vụ's tasks on other channels and areas, so outputs group into
    more than one row (before any line is filled: counters follow the channel)."""
    first, second = Task.objects.filter(plan=plan, lead_agency__code="D-NV").order_by("position")
    Task.objects.filter(pk=first.pk).update(channel=Channel.objects.get(code="hoi-nghi"),
                                            area=Area.objects.get(code="cong-vu"))
    Task.objects.filter(pk=second.pk).update(channel=Channel.objects.get(code="mang-xa-hoi"), area=None)


def _play(world: ReportWorld, tree: dict, personas) -> None:
    keys = {tree[key].pk: key for key in set(LEADS)}
    for label, fates in SCENARIO.items():
        for report in Report.objects.filter(period=world.periods[label]).select_related("agency"):
            key = keys.get(report.agency_id)
            if key is None:
                continue
            fate = fates.get(key, fates["default"])
            if fate == "missing":
                continue
            # xã Một's six-month work is still in progress: "done" counts only some lines.
            done = fate.startswith("accepted") and not (label == HALF and key == "commune")
            report_fill(report, state=ReportLine.Progress.DONE if done else ReportLine.Progress.IN_PROGRESS,
                        count=2 + len(key), spent=100_000 * len(key))
            late = LATE_DAYS if fate == "accepted_late" else 0
            report_sent(
                report, by=personas.head, on=report.due_date + dt.timedelta(days=late),
                accept_by=personas.reviewer if fate.startswith("accepted") else None,
                return_by=personas.reviewer if fate == "returned" else None,
            )


def dashboard_world(*, tree, personas) -> DashboardWorld:
    tree = district_units(tree)
    world = report_world(tree=tree, personas=personas, leads=LEADS)
    _vary_tasks(world.plan)
    _play(world, tree, personas)
    # The sibling district's own plan: quarterly reports by the district and its commune.
    foreign = plan_issued(issuer=tree["district2"], drafter=personas.outsider, head=personas.outsider,
                          leads=[tree["district2"], tree["commune2"]],
                          report_rules=ReportingRule.objects.filter(kind="quarter"))
    for period in world.periods.values():
        services.reports_ensure(period=period)
    return DashboardWorld(
        tree=tree, reports=world, foreign_plan=foreign,
        head2=user_with_roles("head2", (tree["vh"], Role.HEAD)),
        province_reviewer=user_with_roles("province-reviewer", (tree["province_home_affairs"], Role.REVIEWER)),
    )


def expected_counts(reports):
    """The same figures counted the slow way, one report at a time."""
    today = timezone.localdate()
    counts = dict.fromkeys(["total", "accepted", "submitted", "returned", "missing", "pending", "on_time", "late"], 0)
    for report in reports:
        counts["total"] += 1
        if report.status == Report.Status.DRAFT:
            counts["missing" if report.due_date < today else "pending"] += 1
        else:
            counts[report.status] += 1
        if report.submitted_at:
            counts["late" if report.days_late else "on_time"] += 1
    return counts
