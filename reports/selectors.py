"""Reads for reporting, scoped to what the acting user may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Exists, F, Max, OuterRef, Prefetch, Q, QuerySet, Sum
from django.db.models.expressions import RawSQL
from django.db.models.functions import TruncDate
from django.http import FileResponse, Http404
from django.utils import timezone

from agencies.models import Agency, Membership
from agencies.permissions import can
from agencies.scope import user_scope
from agencies.tree import (
    branch_scope_cte,
    merged_into_ids_sql,
    subtree_with_merged_sql,
)
from common.files import stored_file_response
from plans.models import Area, Channel, Counter
from schedule.models import ReportingPeriod

from .figures import counter_labels, line_totals_joined, stretches_inside
from .filters import ReportFilter
from .models import Evidence, NotificationPreference, Report, ReportEvent, ReportFigure, ReportLine
from .rules import REPORT_VIEW
from .states import STATES, report_state
from .versions import province_roots, summary_warmed, summary_warming

LIST_LIMIT = 50

# The three narrative parts of a report, in the order a BC prints them.
NARRATIVE_PARTS = (
    ("results", "Kết quả đạt được"),
    ("shortcomings", "Tồn tại, hạn chế"),
    ("proposals", "Đề xuất, kiến nghị"),
)


@dataclass
class _ListScope:
    """What the report lists filter on, as subqueries: no id list built in
    Python, so a national reviewer's statement is as long as a district's."""

    own: set[int]  # units where the user is head or drafter
    reviews: bool
    reviewed: RawSQL  # the review subtrees (REPORT_REVIEW)
    has_below: bool
    below: Q  # the units under (or merged into) the own units, not these
    is_admin: bool


def _scope(user) -> _ListScope:
    scope = user_scope(user)
    own = scope.agencies(Membership.Role.HEAD, Membership.Role.DRAFTER)
    sql, params = subtree_with_merged_sql(agency_ids=own)
    # Something below an own unit iff one step out of them (a child, a unit
    # merged into one) leaves them: the walk's first step outside.
    has_below = bool(own) and Agency.objects.filter(
        Q(parent_id__in=own) | Q(successor_id__in=own, is_active=False)
    ).exclude(pk__in=own).exists()
    return _ListScope(own=own, reviews=bool(scope.review_roots), reviewed=scope.reviewed_sql(), has_below=has_below,
                      below=Q(agency_id__in=RawSQL(sql, params)) & ~Q(agency_id__in=own), is_admin=scope.is_admin)


def report_lists_for_user(*, user, today: dt.date | None = None, filters=None, page=None) -> dict:
    """What the user should act on: for heads and drafters their agency's due,
    overdue and returned reports; for reviewers what awaits review in scope.
    And every report the user may read in scope through `filters` (query
    parameters, see ReportFilter): "search" the filter set, "found" the page
    `page` of it, each report with its state_label and state_tone; for
    reviewers every report they review, for heads and drafters the reports
    the units under them have sent ("below": read-only, REPORT_VIEW's
    Access.reads). A fixed number of queries whatever the number of rows,
    with the subtrees walked inside them."""
    today = today or timezone.localdate()
    scope = _scope(user)
    own, is_admin = scope.own, scope.is_admin
    reviews = scope.reviews or is_admin
    base = Report.objects.select_related("agency", "period").order_by("due_date", "agency__name")
    open_statuses = [Report.Status.DRAFT, Report.Status.RETURNED]
    mine = base.filter(agency_id__in=own)
    lists = {
        "mine": bool(own),
        "reviews": reviews,
        "below": scope.has_below,
        "returned": mine.filter(status=Report.Status.RETURNED),
        "overdue": mine.filter(status=Report.Status.DRAFT, due_date__lt=today),
        "due": mine.filter(status=Report.Status.DRAFT, due_date__gte=today, period__start__lte=today),
        "submitted": mine.filter(status__in=[Report.Status.SUBMITTED, Report.Status.ACCEPTED])[:20],
    }
    if reviews:
        reviewing = base if is_admin else base.filter(agency_id__in=scope.reviewed)
        # The oldest first and at most LIST_LIMIT: a national reviewer's full
        # list would be thousands of rows; the dashboard has the whole picture.
        lists["to_review"] = reviewing.filter(status=Report.Status.SUBMITTED)[:LIST_LIMIT]
        lists["missing"] = reviewing.filter(status__in=open_statuses, due_date__lt=today)[:LIST_LIMIT]
    if reviews or scope.has_below:
        # Below a head's or drafter's unit: what the units sent, never their drafts.
        sent_below = scope.below & ~Q(status=Report.Status.DRAFT)
        if is_admin:
            in_scope = base
        elif scope.reviews and scope.has_below:
            in_scope = base.filter(Q(agency_id__in=scope.reviewed) | sent_below)
        else:
            in_scope = base.filter(Q(agency_id__in=scope.reviewed) if scope.reviews else sent_below)
        search = ReportFilter(filters or None, queryset=in_scope.order_by("-period__end", "agency__name", "pk"),
                              today=today, periods=periods_recent(today=today), drafts=reviews)
        found = Paginator(search.qs, LIST_LIMIT).get_page(page)
        for report in found.object_list:
            report.state_label, report.state_tone = STATES[report_state(report, today)]
        lists["search"], lists["found"] = search, found
    return lists


def reports_readable_for_user(*, user) -> QuerySet[Report]:
    """Every report the user may read (REPORT_VIEW), as one queryset for
    another system's sync (the API's list): the units where the user holds
    a role, in every state; the review subtrees (and the units merged into
    them: reviews_history), in every state; a unit merged into one the user
    heads, in every state (reads_history); the read subtrees (Access.reads),
    once sent, never a draft. Admins read every report. The subtrees are
    walked inside the statement; no query per row."""
    scope = user_scope(user)
    base = Report.objects.select_related("agency", "period")
    if scope.is_admin:
        return base
    heads = scope.agencies(Membership.Role.HEAD)
    reviewed_sql, reviewed_params = subtree_with_merged_sql(agency_ids=scope.review_roots)
    read_sql, read_params = subtree_with_merged_sql(agency_ids=scope.read_roots)
    rule = (
        Q(agency_id__in=scope.agencies())
        | Q(agency_id__in=RawSQL(reviewed_sql, reviewed_params))
        # A subquery, not a join condition: with a join in the OR, PostgreSQL
        # paired every report with every agency under a LIMIT (7-15 s for a commune).
        | Q(agency_id__in=Agency.objects.filter(successor_id__in=heads, is_active=False).values("pk"))
        | (~Q(status=Report.Status.DRAFT) & Q(agency_id__in=RawSQL(read_sql, read_params)))
    )
    return base.filter(rule)


def evidence_response(evidence: Evidence) -> FileResponse:
    """The evidence file as a download, through the storage API (a local file
    or an object streamed from S3, never a public URL). FileNotFoundError when
    the row outlived its file (a crash, a restore without media): the caller
    says so, not a 500."""
    return stored_file_response(evidence.file, filename=evidence.original_name, content_type=evidence.content_type)


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
                ).prefetch_related("task__channel__counter_set", "figures"),
            ),
            "evidence",
            Prefetch("events", queryset=ReportEvent.objects.select_related("user")),
        )
        .get(pk=report_id)
    )


def scope_agencies_for_summary(*, user) -> list[Agency]:
    """The units whose summary the user may print (SUMMARY_VIEW): the roots of
    their review scope, and the units where they hold another role that have
    units under them (or merged into them): a commune alone has nothing to
    sum up. One query."""
    scope = user_scope(user)
    units = Agency.objects.filter(Q(parent=OuterRef("pk")) | Q(successor=OuterRef("pk")))
    return list(Agency.objects.filter(Q(pk__in=scope.review_roots) | (Q(pk__in=scope.agencies()) & Exists(units)))
                .order_by("name"))


def summary_branches(*, root: Agency) -> dict[int, int] | None:
    """For a root above provinces (the national level), every unit in its
    scope -> the root's child it counts under (its province; a unit merged
    away goes where its successor does, agencies.tree.branch_scope_cte);
    None for any other root, whose summary lists each unit. One query, two
    at the national level."""
    if not Agency.objects.filter(parent=root, kind=Agency.Kind.PROVINCE).exists():
        return None
    cte, params = branch_scope_cte(seeds=[(root.pk, True)], start_depth=0, name="summary_scope")
    with connection.cursor() as cursor:
        cursor.execute(f"{cte} SELECT id, branch FROM summary_scope", params)
        return dict(cursor.fetchall())


def _in_summary(root: Agency) -> RawSQL:
    """The summary's agencies (scope_with_merged's set) as a subquery: no
    list of thousands of ids compiled into every statement."""
    sql, params = subtree_with_merged_sql(agency_ids=[root.pk])
    return RawSQL(sql, params)


def _rolled_into(scope: RawSQL) -> dict[int, int]:
    """scope_with_merged's second answer over the scope subquery: each unit
    merged away in it -> the end of its successor chain inside it. Two
    statements with a few ids, not the walk's lists of every unit."""
    successor_of = dict(Agency.objects.filter(pk__in=scope, is_active=False, successor__isnull=False)
                        .values_list("pk", "successor_id"))
    ends = {}
    for pk, target in successor_of.items():
        seen = {pk}
        while target in successor_of and target not in seen:  # merged again later
            seen.add(target)
            target = successor_of[target]
        ends[pk] = target
    inside = set(Agency.objects.filter(pk__in=scope).filter(pk__in=set(ends.values())).values_list("pk", flat=True))
    return {pk: target for pk, target in ends.items() if target in inside}


def _summary_lists(*, period: ReportingPeriod, scope: RawSQL) -> dict[str, QuerySet]:
    """The period's reports under the summary's scope, and the three lists the
    summary names units in, each in the units' order: "missing" (open, past
    due), "late" (sent after the due date by the local calendar, as
    Report.days_late counts) and "told" (accepted, with a narrative)."""
    reports = (Report.objects.filter(period=period, agency_id__in=scope).select_related("agency")
               .annotate(submitted_on=TruncDate("submitted_at", tzinfo=timezone.get_current_timezone()))
               .order_by("agency__name", "pk"))
    return {"reports": reports} | {key: reports.filter(rule) for key, rule in _summary_rules().items()}


def _summary_rules() -> dict[str, Q]:
    """_summary_lists' lists as conditions on its reports (their counts in one statement)."""
    return {
        "missing": Q(status__in=[Report.Status.DRAFT, Report.Status.RETURNED], due_date__lt=timezone.localdate()),
        "late": Q(submitted_on__gt=F("due_date")),
        "told": Q(status=Report.Status.ACCEPTED) & ~Q(results="", shortcomings="", proposals=""),
    }


def summary_report_count(*, period: ReportingPeriod, root: Agency) -> int:
    """How many reports the summary covers: whether its files are built by the worker."""
    return Report.objects.filter(period=period, agency_id__in=_in_summary(root)).count()


SUMMARY_MORE = {"missing": "Đơn vị chưa nộp (quá hạn)", "late": "Đơn vị nộp muộn",
                "told": "Nội dung báo cáo của các đơn vị (đã tiếp nhận)"}


def summary_list_page(*, period: ReportingPeriod, root: Agency, part: str, page=None, per_page: int = 200):
    """A page of one of the summary's unit lists (SUMMARY_MORE: «xem tiếp»),
    for a root the caller checked (SUMMARY_VIEW)."""
    return Paginator(_summary_lists(period=period, scope=_in_summary(root))[part], per_page).get_page(page)


def _summary_figures(*, period: ReportingPeriod, root: Agency, scope: RawSQL) -> dict:
    """period_summary's figures: by area, channel and unit (or province), the
    totals, the counters given, and the units merged away."""
    rolled = _rolled_into(scope)
    period_reports = Report.objects.filter(period=period, agency_id__in=scope)
    accepted = ReportLine.objects.filter(report__agency_id__in=scope, report__status=Report.Status.ACCEPTED)
    lines = accepted.filter(report__period=period)
    channels = list(Channel.objects.prefetch_related("counter_set").order_by("position", "name"))
    all_labels = counter_labels(channels)
    codes = list(all_labels)
    window = stretches_inside(accepted, period)
    # Two passes: area x channel (a few dozen rows) and unit; never area x channel x unit.
    per_pair, per_unit = (line_totals_joined(lines, by=by, codes=codes, window=window)
                          for by in (("task__area_id", "task__channel_id"), ("report__agency_id",)))
    branches = summary_branches(root=root)
    # Where a unit's figures count: its successor if merged away, its province at the national level.
    if branches is None:
        row_of = {unit: rolled.get(unit, unit) for unit in (row["report__agency_id"] for row in per_unit)}
        agencies = Agency.objects.in_bulk(set(row_of) | set(rolled.values()))
    else:
        row_of = {unit: branches.get(rolled.get(unit, unit), root.pk)
                  for unit in (row["report__agency_id"] for row in per_unit)}
        row_of |= {branch: branch for branch in set(branches.values())}
        agencies = Agency.objects.in_bulk(set(row_of.values()) | {root.pk})
    merged_into: dict[int, list[str]] = {}
    if branches is None:
        for old_unit in sorted(set(row_of) & set(rolled), key=lambda pk: agencies[pk].name):
            merged_into.setdefault(rolled[old_unit], []).append(agencies[old_unit].display_name)
    # Only the counters somebody gave a figure for: a column of blanks says nothing.
    given = {code for row in per_pair for code, value in row["counters"].items() if value is not None}
    labels = {code: label for code, label in all_labels.items() if code in given}

    def bucket(name=None):
        return {"name": name, "tasks": 0, "done": 0, "spent": 0, "counters": {}}

    def add(target: dict, row: dict) -> None:
        target["tasks"] += row["tasks"]
        target["done"] += row["progress"][ReportLine.Progress.DONE]
        target["spent"] += row["spent"]
        for code, value in row["counters"].items():
            if value is not None:
                target["counters"][code] = target["counters"].get(code, 0) + value

    areas = dict(Area.objects.values_list("pk", "name"))
    channel_names = {c.pk: c.name for c in channels}
    by_area: dict[str, dict] = {}
    by_channel: dict[str, dict] = {}
    by_agency: dict[int, dict] = {}
    totals = bucket()
    del totals["name"]
    for row in per_pair:
        area = areas.get(row["task__area_id"], "Chưa phân lĩnh vực")
        channel = channel_names.get(row["task__channel_id"], "Chưa xác định hình thức")
        for target in (by_area.setdefault(area, bucket(area)), by_channel.setdefault(channel, bucket(channel)), totals):
            add(target, row)
    for row in per_unit:
        agency_id = row_of[row["report__agency_id"]]
        # Units are keyed by id: short names such as "Phòng Nội vụ" repeat across districts.
        unit = by_agency.setdefault(agency_id, bucket(agencies[agency_id].display_name))
        unit["merged_from"] = merged_into.get(agency_id, [])
        add(unit, row)
    if branches is not None:
        # Every province has its row, figures or not, with how many of its units reported.
        for branch in set(branches.values()) - {root.pk}:
            by_agency.setdefault(branch, bucket(agencies[branch].display_name) | {"merged_from": []})
        sent = period_reports.order_by().values("agency_id").annotate(
            total=Count("pk"), accepted=Count("pk", filter=Q(status=Report.Status.ACCEPTED)))
        for unit in by_agency.values():
            unit["reports"] = unit["accepted"] = 0
        for count in sent:
            unit_id = int(count["agency_id"])
            target = by_agency.get(branches.get(rolled.get(unit_id, unit_id), int(root.pk)))
            if target is not None:
                target["reports"] += count["total"]
                target["accepted"] += count["accepted"]
        for agency_id, unit in by_agency.items():
            unit["link"] = agency_id
    by_agency = dict(sorted(by_agency.items(), key=lambda item: item[1]["name"]))
    # Each row's figures in the columns' order, for the page's tables.
    for row in [totals, *by_area.values(), *by_channel.values(), *by_agency.values()]:
        row["figures"] = [row["counters"].get(code) for code in labels]
    return {
        "national": branches is not None,
        "by_area": dict(sorted(by_area.items())),
        "by_channel": dict(sorted(by_channel.items())),
        "by_agency": by_agency,
        "totals": totals,
        "counter_labels": labels,
        # A merged unit's report, and the unit its figures count under.
        "rolled_into": {pk: agencies[target].display_name for pk, target in rolled.items() if target in agencies}
        if branches is None else {},
    }


# The page's figures are kept this long at most: renamed units, areas or counters show after it.
SUMMARY_CACHE_SECONDS = 600


def _summary_figures_cached(*, period: ReportingPeriod, root: Agency, scope: RawSQL, fresh: bool = False) -> dict:
    """_summary_figures through the cache, keyed by the reports of the
    period's year in scope: how many and the last change. Only accepted
    reports count and every move of a report (accept, return, reopen) saves
    it, so any change to what the summary adds up gives a new key; one
    cheap statement on a hit instead of the national GROUP BYs."""
    stamp = Report.objects.filter(agency_id__in=scope, period__year=period.year).aggregate(
        reports=Count("pk"), changed=Max("updated_at"))
    changed = stamp["changed"].timestamp() if stamp["changed"] else 0
    key = f"summary-figures:{period.pk}:{root.pk}:{stamp['reports']}:{changed}"
    figures = cache.get(key)
    if figures is None:
        latest = f"summary-figures:latest:{period.pk}:{root.pk}"
        if not fresh and summary_warming(province_roots([root.pk])):
            # The warm task is adding these up after a change: the figures
            # as they were a moment ago, rather than add them up twice.
            figures = cache.get(latest)
            if figures is not None:
                return figures
        figures = _summary_figures(period=period, root=root, scope=scope)
        cache.set_many({key: figures, latest: figures}, SUMMARY_CACHE_SECONDS)
        _summary_remember(period_id=period.pk, root_id=root.pk)
    return figures


SUMMARY_RECIPES = "summary-figures:recipes"
# Summaries the warm task adds up again after a change: the last computed.
SUMMARY_WARMED = 8


def _summary_remember(*, period_id: int, root_id: int) -> None:
    """Note a summary whose figures were added up, for summary_warm."""
    seen = [pair for pair in cache.get(SUMMARY_RECIPES, []) if pair != (period_id, root_id)]
    cache.set(SUMMARY_RECIPES, [*seen, (period_id, root_id)][-SUMMARY_WARMED:], SUMMARY_CACHE_SECONDS * 6)


def summary_warm(root_ids: list[int]) -> int:
    """Reports of these trees changed (reports/versions.py): add up again the
    figures of the summaries last viewed in them, so the first viewer after a
    change reads them from the cache. Returns how many summaries."""
    changed = set(root_ids)
    periods = ReportingPeriod.objects.in_bulk({period_id for period_id, _ in cache.get(SUMMARY_RECIPES, [])})
    warmed = 0
    for period_id, root_id in cache.get(SUMMARY_RECIPES, []):
        root = Agency.objects.filter(pk=root_id).first()
        if period_id not in periods or root is None or not province_roots([root_id]) & changed:
            continue
        _summary_figures_cached(period=periods[period_id], root=root, scope=_in_summary(root), fresh=True)
        warmed += 1
    summary_warmed(root_ids)
    return warmed


def period_summary(*, period: ReportingPeriod, root: Agency, rows: int | None = None) -> dict:
    """Totals of accepted reports under `root` for the period, by CCHC area,
    channel and agency, plus who has not reported and who was late. A unit
    merged away (2025) counts under its successor, and says so. Above
    provinces (summary_branches) "by_agency" has a row per province, each
    with its "link" (the province's own summary) and its "reports" and
    "accepted" counts, and "national" is True.

    Totals are added up in the database (line_totals_joined per area x
    channel, and per unit): a fixed number of queries whatever the number
    of units. With `rows` (the page), "missing", "late" and the narratives
    hold their first `rows` units only, "reports" and "accepted" none, and
    "counts" says how many there are (the page caps "by_agency" itself);
    without it (the BC, the XLSX) every list is complete, and the figures
    are added up afresh (the page's come through the cache,
    _summary_figures_cached)."""
    scope = _in_summary(root)
    today = timezone.localdate()
    if rows is None:
        figures = _summary_figures(period=period, root=root, scope=scope)
    else:
        figures = _summary_figures_cached(period=period, root=root, scope=scope)
    lists = _summary_lists(period=period, scope=scope)
    if rows is None:
        reports = list(lists["reports"])
        summary_lists = {
            "reports": reports,
            "missing": [r for r in reports if r.status in (Report.Status.DRAFT, Report.Status.RETURNED)
                        and r.due_date < today],
            "late": [r for r in reports if r.days_late],
            "accepted": [r for r in reports if r.status == Report.Status.ACCEPTED],
        }
        told = summary_lists["accepted"]
        counts = {key: len(value) for key, value in summary_lists.items()}
        counts["told"] = len([r for r in told if r.results or r.shortcomings or r.proposals])
    else:
        counts = lists["reports"].order_by().aggregate(
            reports=Count("pk"), accepted=Count("pk", filter=Q(status=Report.Status.ACCEPTED)),
            **{key: Count("pk", filter=rule) for key, rule in _summary_rules().items()})
        summary_lists = {"reports": [], "missing": list(lists["missing"][:rows]), "late": list(lists["late"][:rows]),
                         "accepted": []}
        told = list(lists["told"][:rows])
    counts["units"] = len(figures["by_agency"])
    return {
        "period": period,
        "root": root,
        **summary_lists,
        "counts": counts,
        "rows": rows,
        **figures,
        # Only accepted reports speak in the summary, as only their figures count.
        "narrative_groups": narrative_groups(told),
    }


def narrative_groups(reports: list[Report]) -> list[dict]:
    """Each narrative part with the units that wrote one, in the order of
    `reports` (the units' order in the summary): {"key", "title", "units":
    [{"agency", "paragraphs"}]}, a paragraph per non-empty line."""
    groups = []
    for key, title in NARRATIVE_PARTS:
        units = []
        for report in reports:
            paragraphs = [line.strip() for line in getattr(report, key).splitlines() if line.strip()]
            if paragraphs:
                units.append({"agency": report.agency, "paragraphs": paragraphs})
        groups.append({"key": key, "title": title, "units": units})
    return groups


def periods_recent(*, today: dt.date | None = None) -> QuerySet[ReportingPeriod]:
    today = today or timezone.localdate()
    return ReportingPeriod.objects.filter(start__lte=today).select_related("rule").order_by("-end")


def year_to_date_before(*, report: Report) -> dict[int, dict[int, int]]:
    """{line id: {counter id: the year's flow total from earlier reports on
    the task by this unit and the units merged into it}} — shown beside each
    figure so nobody retypes it (one query).

    Across a merger (2025) the total follows the task, not the unit: when a
    dissolved unit's task passes to its successor (the task's lead changed),
    the lines the old unit filed earlier in the year on that same task are
    the same work's running total, so they count; the successor's line then
    asks only for the stretch not yet reported. Lines are never matched by
    other tasks: a predecessor's own plan's task carries no link to a task of
    the successor (a cascaded or copied plan's tasks point nowhere back), so
    adding them would guess at what is "the same"; they still count under the
    successor in the summary and on the dashboard. Only units merged into
    this one count, never another active unit that once led the task."""
    lines = {line.task_id: line.pk for line in report.lines.all()}
    carried_sql, carried_params = merged_into_ids_sql(agency_id=report.agency_id)
    rows = (
        ReportFigure.objects.filter(
            line__report__agency_id__in=RawSQL(carried_sql, carried_params), line__task_id__in=lines,
            line__report__period__year=report.period.year, line__report__period__end__lt=report.period.end,
            counter__kind=Counter.Kind.FLOW,
        )
        .values("line__task_id", "counter_id")
        .annotate(total=Sum("value"))
    )
    totals: dict[int, dict[int, int]] = {}
    for row in rows:
        totals.setdefault(lines[row["line__task_id"]], {})[row["counter_id"]] = row["total"]
    return totals


# The home page's «Việc cần làm» and the bell ------------------------------------------------

HOME_ROWS = 5


def report_todo_for_user(*, user, today: dt.date | None = None, rows: int = HOME_ROWS) -> dict:
    """What the user has to do about reports now, for the home page: for the
    units where they are head or drafter, the reports "returned", "overdue"
    and "due" (open, period begun, due date not passed; nearest first), all
    of them (a unit has a few open reports); for reviewers (and admins) the
    reports "to_review" in their scope, the oldest `rows` and how many.
    {"writes": bool, "reviews": bool, key: {"count", "items"}}. A fixed
    number of queries whatever the data: the roles (unless cached), the open
    reports, and two for the reviews, the reviewed subtree walked inside them."""
    today = today or timezone.localdate()
    scope = user_scope(user)
    # Own units only (writing stays at the unit) and the review subtree (REPORT_REVIEW).
    own = scope.agencies(Membership.Role.HEAD, Membership.Role.DRAFTER)
    is_admin = scope.is_admin
    todo: dict = {"writes": bool(own), "reviews": bool(scope.review_roots or is_admin)}
    mine = list(
        Report.objects.filter(agency_id__in=own, status__in=[Report.Status.DRAFT, Report.Status.RETURNED],
                              period__start__lte=today)
        .select_related("agency", "period").order_by("due_date", "agency__name", "pk")
    ) if own else []
    lists = {
        "returned": [r for r in mine if r.status == Report.Status.RETURNED],
        "overdue": [r for r in mine if r.status == Report.Status.DRAFT and r.due_date < today],
        "due": [r for r in mine if r.status == Report.Status.DRAFT and r.due_date >= today],
    }
    for key, reports in lists.items():
        todo[key] = {"count": len(reports), "items": reports}
    if todo["reviews"]:
        waiting = Report.objects.filter(status=Report.Status.SUBMITTED)
        if not is_admin:
            waiting = waiting.filter(agency_id__in=scope.reviewed_sql())
        todo["to_review"] = {
            "count": waiting.count(),
            "items": list(waiting.select_related("agency", "period").order_by("submitted_at", "pk")[:rows]),
        }
    return todo


def notifications_for_user(*, user, limit: int = 100) -> list:
    """The user's own bell notifications, newest first, each with what it
    opens (notice.target_label) in one query."""
    return list(
        user.notifications.select_related(
            "notice__report__agency", "notice__report__period", "notice__plan__issuer", "notice__agency"
        )[:limit]
    )


def notification_preferences_for_user(*, user) -> dict[str, bool]:
    """{topic: e-mail wanted} for the topics the user has chosen (the rest: bell and e-mail)."""
    return dict(NotificationPreference.objects.filter(user=user).values_list("topic", "email"))
