"""Reads for reporting, scoped to what the acting user may see."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from agencies.models import Agency, Membership
from agencies.permissions import REPORT_VIEW, can, user_scope
from agencies.selectors import agency_subtree_ids

from .models import Report, ReportEvent, ReportingPeriod, ReportLine

LIST_LIMIT = 50


def _scope(user) -> tuple[set[int], set[int], bool]:
    """(agencies where the user holds head/drafter roles, agencies they review, admin?)."""
    scope = user_scope(user)
    return scope.agencies(Membership.Role.HEAD, Membership.Role.DRAFTER), scope.reviewed_ids(), scope.is_admin


def report_lists_for_user(*, user, today: dt.date | None = None) -> dict[str, QuerySet[Report]]:
    """What the user should act on: for heads and drafters their agency's due,
    overdue and returned reports; for reviewers what awaits review in scope."""
    today = today or timezone.localdate()
    own, reviewed, is_admin = _scope(user)
    base = Report.objects.select_related("agency", "period").order_by("due_date", "agency__name")
    open_statuses = [Report.Status.DRAFT, Report.Status.RETURNED]
    mine = base.filter(agency_id__in=own)
    lists = {
        "mine": bool(own),
        "reviews": bool(reviewed or is_admin),
        "returned": mine.filter(status=Report.Status.RETURNED),
        "overdue": mine.filter(status=Report.Status.DRAFT, due_date__lt=today),
        "due": mine.filter(status=Report.Status.DRAFT, due_date__gte=today, period__start__lte=today),
        "submitted": mine.filter(status__in=[Report.Status.SUBMITTED, Report.Status.ACCEPTED])[:20],
    }
    if reviewed or is_admin:
        in_scope = base if is_admin else base.filter(agency_id__in=reviewed)
        # The oldest first and at most LIST_LIMIT: a national reviewer's full
        # list would be thousands of rows; the dashboard has the whole picture.
        lists["to_review"] = in_scope.filter(status=Report.Status.SUBMITTED)[:LIST_LIMIT]
        lists["missing"] = in_scope.filter(status__in=open_statuses, due_date__lt=today)[:LIST_LIMIT]
    return lists


def report_get_for_user(*, user, report_id: int, action: str = REPORT_VIEW) -> Report:
    """404 for outsiders, 403 for a permitted viewer lacking `action`."""
    report = Report.objects.filter(pk=report_id).only("id", "agency_id", "status").first()
    if report is None or not can(user, REPORT_VIEW, report):
        raise Http404("Không tìm thấy báo cáo.")
    if action != REPORT_VIEW and not can(user, action, report):
        raise PermissionDenied("Bạn không có quyền thực hiện thao tác này với báo cáo.")
    return (
        Report.objects.select_related("agency", "period")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=ReportLine.objects.select_related(
                    "task__plan__issuer", "task__channel", "task__area"
                ),
            ),
            "evidence",
            Prefetch("events", queryset=ReportEvent.objects.select_related("user")),
        )
        .get(pk=report_id)
    )


def scope_agencies_for_summary(*, user) -> list[Agency]:
    """The units whose summary the user may print: the roots of their review scope."""
    return list(Agency.objects.filter(pk__in=user_scope(user).review_roots).order_by("name"))


def period_summary(*, period: ReportingPeriod, root: Agency) -> dict:
    """Totals of accepted reports under `root` for the period, by CCHC area,
    channel and agency, plus who has not reported and who was late."""
    scope = agency_subtree_ids(agency_ids=[root.pk])
    reports = list(
        Report.objects.filter(period=period, agency_id__in=scope).select_related("agency").order_by("agency__name")
    )
    lines = ReportLine.objects.filter(
        report__period=period, report__agency_id__in=scope, report__status=Report.Status.ACCEPTED
    ).select_related("task__area", "task__channel", "report__agency")

    def bucket():
        return {"tasks": 0, "done": 0, "spent": 0, "counters": defaultdict(int)}

    by_area, by_channel, by_agency = defaultdict(bucket), defaultdict(bucket), defaultdict(bucket)
    labels: dict[str, str] = {}
    for line in lines:
        area = line.task.area.name if line.task.area else "Chưa phân lĩnh vực"
        channel = line.task.channel.name if line.task.channel else "Chưa xác định hình thức"
        if line.task.channel:
            labels.update({c["code"]: c["label"] for c in line.task.channel.counters})
        # Units are keyed by id: short names such as "Phòng Nội vụ" repeat across districts.
        for key, target in ((area, by_area), (channel, by_channel), (line.report.agency_id, by_agency)):
            row = target[key]
            row["name"] = key if target is not by_agency else line.report.agency.display_name
            row["tasks"] += 1
            row["done"] += line.state == ReportLine.Progress.DONE
            row["spent"] += line.spent or 0
            for code, value in (line.counters or {}).items():
                row["counters"][code] += int(value or 0)
    totals = bucket()
    for row in by_agency.values():
        for key in ("tasks", "done", "spent"):
            totals[key] += row[key]
        for code, value in row["counters"].items():
            totals["counters"][code] += value
    for rows in (by_area, by_channel, by_agency):
        for row in rows.values():
            row["counters"] = dict(row["counters"])  # templates must not hit defaultdict's factory
    totals["counters"] = dict(totals["counters"])
    today = timezone.localdate()
    return {
        "period": period,
        "root": root,
        "reports": reports,
        "by_area": dict(sorted(by_area.items())),
        "by_channel": dict(sorted(by_channel.items())),
        "by_agency": dict(sorted(by_agency.items(), key=lambda item: item[1]["name"])),
        "totals": totals,
        "counter_labels": labels,
        "missing": [r for r in reports if r.status in (Report.Status.DRAFT, Report.Status.RETURNED)
                    and r.due_date < today],
        "late": [r for r in reports if r.days_late],
        "accepted": [r for r in reports if r.status == Report.Status.ACCEPTED],
        "narratives": [r for r in reports if r.status == Report.Status.ACCEPTED and (r.results or r.shortcomings or r.proposals)],
    }


def periods_recent(*, today: dt.date | None = None) -> QuerySet[ReportingPeriod]:
    today = today or timezone.localdate()
    return ReportingPeriod.objects.filter(start__lte=today).select_related("rule").order_by("-end")


