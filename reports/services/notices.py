"""Notices (the bell and e-mail): which are due on a day (a read with a
fixed number of queries), recording and enqueueing them, sending one exactly
once, and closing them once what they asked for is done. The daily sweep
(reports/sweep.py), the Celery tasks, `manage.py send_reminders`, the
reviewer's reminder button, the report services and the plan lifecycle
(through reports/apps.py, after commit) all call these functions.

A notice is about a report (its deadline; its submission, return or
acceptance), about a unit's plan for a year (the deadline for issuing it) or
about a plan (submitted, returned, withdrawn, issued); all go through the
same recording and sending, each subject bringing its own audience, texts,
facts and link. Each user chooses per topic whether the e-mail comes too
(NotificationPreference): the bell always rings."""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass
from smtplib import SMTPException

from celery import current_app
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import InterfaceError, OperationalError, connection, models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.api_tokens import people_only
from agencies.models import Agency, Membership
from agencies.scope import reviewers_over
from plans.models import Plan, PlanTransition, Task
from plans.rules import WRITERS
from plans.selectors import plans_of_year
from schedule.services import plan_deadline, plan_deadlines

from ..models import Notice, Notification, NotificationPreference, Report, ReportEvent
from .bell import unread_forget

logger = logging.getLogger(__name__)
OPEN = (Report.Status.DRAFT, Report.Status.RETURNED)
Kind = Notice.Kind
Topic = NotificationPreference.Topic
DEADLINE_KINDS = Notice.DEADLINE_KINDS
MAIL_ERRORS = (SMTPException, OSError)
# Enqueued by name: the task module (reports/tasks.py) calls these services,
# so importing it here would make a cycle.
SEND_NOTICE_TASK = "reports.tasks.send_notice_task"
SEND_NOTICES_TASK = "reports.tasks.send_notices_task"
# Notices per broker message: the worker sends them one by one, each claimed on its own.
SEND_BATCH = 500


def notices_batch_enqueue(notice_ids: list[int]) -> None:
    # As .delay() would: no result kept (the notice rows record the outcome).
    current_app.send_task(SEND_NOTICES_TASK, args=[notice_ids], ignore_result=True)


@dataclass(frozen=True)
class PlanOwed:
    """A unit that owes its plan for `year` by `deadline` and has not issued
    it; `draft_id`: a plan of its for that year not issued yet (the link)."""

    agency: Agency
    year: int
    deadline: dt.date
    draft_id: int | None = None


@dataclass(frozen=True)
class PlanMove:
    """A move of a plan told to one unit: `transition` (with its plan, the
    plan's issuer and its user selected), `agency` the unit told (the issuer;
    for an issued plan, a unit leading some of its tasks), `tasks` how many
    tasks that unit leads, `submitter` who last submitted it (a return goes
    back to them too)."""

    transition: PlanTransition
    agency: Agency
    tasks: int = 0
    submitter: object = None


@dataclass(frozen=True)
class DueNotice:
    """A notice to record: about `report` (a reminder, or its review `event`),
    about the plan `owed` for a year, or about a plan's `move`."""

    report: Report | None
    kind: str
    day: dt.date
    owed: PlanOwed | None = None
    event: ReportEvent | None = None
    move: PlanMove | None = None

    @property
    def agency_id(self) -> int:
        """The unit the notice is about (whose people hear of it)."""
        if self.move:
            return self.move.agency.pk
        return self.owed.agency.pk if self.owed else self.report.agency_id  # type: ignore[union-attr]

    @property
    def topic(self) -> str:
        return notice_topic(self.kind, subject="plan" if self.move else "year" if self.owed else "report")

    @property
    def actor(self):
        """Who did what the notice tells of: never told of their own act."""
        if self.move:
            return self.move.transition.user
        return self.event.user if self.event else None

    def describe(self) -> str:
        """One line for `send_reminders`: the unit, what is due, by when."""
        if self.move:
            plan = self.move.transition.plan
            return f"{self.move.agency.name} – {_plan_name(plan)} của {plan.issuer.name}"
        if self.owed:
            return f"{self.owed.agency.name} – Kế hoạch năm {self.owed.year} (hạn ban hành {self.owed.deadline:%d/%m/%Y})"
        assert self.report is not None
        return f"{self.report.agency.name} – {self.report.period.label} (hạn {self.report.due_date:%d/%m/%Y})"


def notice_topic(kind: str, *, subject: str) -> str:
    """The preference topic of a notice: `subject` is "report", "year" (a
    unit's plan for a year) or "plan"."""
    if subject == "year":
        return Topic.PLAN_DEADLINE
    topics: dict[str, str]
    if subject == "plan":
        topics = {Kind.SUBMITTED: Topic.PLAN_SUBMITTED, Kind.RETURNED: Topic.PLAN_RETURNED,
                  Kind.WITHDRAWN: Topic.PLAN_WITHDRAWN}
        return topics.get(kind, Topic.PLAN_ISSUED)
    topics = {Kind.SUBMITTED: Topic.REPORT_SUBMITTED, Kind.RETURNED: Topic.REPORT_RETURNED,
              Kind.ACCEPTED: Topic.REPORT_ACCEPTED, Kind.ESCALATION: Topic.REPORT_ESCALATION}
    return topics.get(kind, Topic.REPORT_DEADLINE)


def _deadline_marks(due_date: dt.date, today: dt.date, already, *, overdue: bool = True) -> list[tuple[str, dt.date]]:
    """(kind, day) of the deadline notice due on `today`, if any: the latest
    of the REMINDER_DAYS_BEFORE marks reached, the day itself, then one every
    REMINDER_OVERDUE_EVERY_DAYS (when `overdue`). `already(kind, day)` or
    `already(kind, since=day)` tells what went out; a mark missed (no sweep
    that day) is caught up by the next sweep, never lost."""
    days_left = (due_date - today).days
    if days_left > 0:
        marks = [n for n in settings.REMINDER_DAYS_BEFORE if n >= days_left]
        if marks:
            day = due_date - dt.timedelta(days=min(marks))
            if not already(Notice.Kind.BEFORE_DUE, day):
                return [(Notice.Kind.BEFORE_DUE, day)]
    elif days_left == 0:
        if not already(Notice.Kind.DUE, today):
            return [(Notice.Kind.DUE, today)]
    elif overdue:
        if not already(Notice.Kind.OVERDUE, since=today - dt.timedelta(days=settings.REMINDER_OVERDUE_EVERY_DAYS)):
            return [(Notice.Kind.OVERDUE, today)]
    return []


def _sent_lookup(sent: dict[tuple, list[dt.date]], key):
    """already(kind, day) / already(kind, since=day) over the notices of one subject."""
    def already(kind: str, day: dt.date | None = None, *, since: dt.date | None = None) -> bool:
        days = sent.get((key, kind), [])
        if day is not None:
            return day in days
        return any(d > since for d in days) if since else bool(days)

    return already


def notices_due(*, today: dt.date) -> list[DueNotice]:
    """Every notice that should go out on `today` and has not gone out yet.

    Before the due date: the latest of the REMINDER_DAYS_BEFORE marks already
    reached. On the day: one. After it: one every REMINDER_OVERDUE_EVERY_DAYS
    until submitted, and one escalation to the reviewers after
    REMINDER_ESCALATE_AFTER_DAYS. A returned report: one per return. A mark
    missed (no sweep that day) is caught up by the next sweep, never lost.
    Three queries whatever the number of reports: the open reports, their
    notices, their last returns."""
    escalate = settings.REMINDER_ESCALATE_AFTER_DAYS
    horizon = today + dt.timedelta(days=max(settings.REMINDER_DAYS_BEFORE, default=0))
    reports = list(
        Report.objects.filter(status__in=OPEN)
        .filter(models.Q(due_date__lte=horizon) | models.Q(status=Report.Status.RETURNED))
        .filter(period__start__lte=today)
        .select_related("agency", "period")
    )
    ids = [r.pk for r in reports]
    sent: dict[tuple, list[dt.date]] = {}
    told: set[int] = set()  # the events already told of
    for report_id, kind, day, event_id in Notice.objects.filter(report_id__in=ids).values_list(
        "report_id", "kind", "day", "event_id"
    ):
        sent.setdefault((report_id, kind), []).append(day)
        if event_id:
            told.add(event_id)
    last_return: dict[int, ReportEvent] = {}
    returned = [r.pk for r in reports if r.status == Report.Status.RETURNED]
    for earlier in ReportEvent.objects.filter(report_id__in=returned, kind=ReportEvent.Kind.RETURNED).order_by(
        "created_at", "id"
    ).select_related("user"):
        last_return[earlier.report_id] = earlier  # the latest wins

    due: list[DueNotice] = []
    for report in reports:
        already = _sent_lookup(sent, report.pk)
        days_left = (report.due_date - today).days
        event = last_return.get(report.pk)
        if report.status == Report.Status.RETURNED and event is not None and event.pk not in told:
            due.append(DueNotice(report, Notice.Kind.RETURNED, timezone.localtime(event.created_at).date(),
                                 event=event))
        # A returned report was submitted once; its own notice covers it: no overdue nagging.
        draft = report.status == Report.Status.DRAFT
        due.extend(DueNotice(report, kind, day) for kind, day in
                   _deadline_marks(report.due_date, today, already, overdue=draft))
        if draft and -days_left >= escalate and not already(Notice.Kind.ESCALATION):
            due.append(DueNotice(report, Notice.Kind.ESCALATION, report.due_date + dt.timedelta(days=escalate)))
    return due


def plans_owed(*, year: int, due_by: dt.date | None = None) -> list[PlanOwed]:
    """The units that owe their plan for `year` and have not issued it: the
    plan list's rule (plans.selectors.plan_deadline_status, shown to a unit's
    drafters and heads) for every active unit with a drafter or head, in a
    fixed number of queries whatever their number. `due_by`: only deadlines
    up to that day."""
    agencies = list(
        Agency.objects.filter(people_only("memberships__user"), is_active=True, memberships__role__in=WRITERS,
                              memberships__user__is_active=True)
        .distinct().order_by("pk")
    )
    deadlines = {
        pk: day for pk, day in plan_deadlines(year=year, agencies=agencies).items() if not due_by or day <= due_by
    }
    # No query when no unit has a deadline near.
    issued, drafts = plans_of_year(issuer_ids=deadlines, year=year) if deadlines else (set(), {})
    return [
        PlanOwed(agency=a, year=year, deadline=deadlines[a.pk], draft_id=drafts.get(a.pk))
        for a in agencies if a.pk in deadlines and a.pk not in issued
    ]


def plan_notices_due(*, today: dt.date) -> list[DueNotice]:
    """The notices about next year's plan due on `today`: to every unit that
    owes it and has not issued it, the same marks as a report's deadline
    (before, on the day, then overdue every few days until it is issued or
    the year is over). A fixed number of queries whatever the number of
    units: the units, the deadlines (and the tree above, for a province's own
    rule), their plans for the year, the notices sent."""
    year = today.year + 1
    owed = plans_owed(year=year, due_by=today + dt.timedelta(days=max(settings.REMINDER_DAYS_BEFORE, default=0)))
    if not owed:
        return []
    sent: dict[tuple, list[dt.date]] = {}
    for agency_id, kind, day in Notice.objects.filter(agency__isnull=False, year=year).values_list(
        "agency_id", "kind", "day"
    ):
        sent.setdefault((agency_id, kind), []).append(day)
    return [
        DueNotice(None, kind, day, owed=item)
        for item in owed
        for kind, day in _deadline_marks(item.deadline, today, _sent_lookup(sent, item.agency.pk))
    ]


# Plan moves: which notice each move of a plan calls for, and what it closes.
MOVE_KINDS: dict[str, str] = {Plan.Status.SUBMITTED: Kind.SUBMITTED, Plan.Status.RETURNED: Kind.RETURNED,
              Plan.Status.ISSUED: Kind.ISSUED}
# What a move answers: the notices about the plan it makes moot.
MOVE_CLOSES: dict[str, tuple[str, ...]] = {
    Plan.Status.SUBMITTED: (Kind.RETURNED, Kind.WITHDRAWN),
    Plan.Status.RETURNED: (Kind.SUBMITTED,),
    Plan.Status.DRAFT: (Kind.SUBMITTED,),
    Plan.Status.ISSUED: (Kind.SUBMITTED, Kind.RETURNED, Kind.WITHDRAWN),
    Plan.Status.DELETED: (Kind.SUBMITTED, Kind.RETURNED, Kind.WITHDRAWN),
}


def _move_kind(transition: PlanTransition) -> str | None:
    if transition.from_status == Plan.Status.SUBMITTED and transition.to_status == Plan.Status.DRAFT:
        return Kind.WITHDRAWN
    return MOVE_KINDS.get(transition.to_status)


def _latest_moves(plan_ids) -> dict[int, int]:
    """plan id -> the id of its latest transition (one query)."""
    return dict(PlanTransition.objects.filter(plan_id__in=set(plan_ids)).values("plan_id")
                .annotate(last=models.Max("id")).values_list("plan_id", "last"))


def plan_moves_due(*, transitions: list[PlanTransition]) -> list[DueNotice]:
    """The notices the plans' moves call for: submitted -> the issuer's heads;
    returned -> its drafters and whoever submitted it, with the reason;
    withdrawn -> its heads (nothing awaits them any more); issued -> the
    heads of each unit leading some of its tasks ("chủ trì N nhiệm vụ"), as
    long as the plan's years are not over. A move the plan has since moved
    on from is moot (a plan submitted and issued at once tells only of its
    issue). At most four queries whatever the number of moves."""
    latest = _latest_moves(t.plan_id for t in transitions)
    moves = [(t, kind) for t in transitions if (kind := _move_kind(t))
             and (kind == Kind.ISSUED or latest.get(t.plan_id) == t.pk)]
    issued = [t for t, kind in moves if kind == Kind.ISSUED]
    leads: dict[int, list[tuple[int, int]]] = {}
    for plan_id, agency_id, count in (
        Task.objects.filter(plan_id__in=[t.plan_id for t in issued], lead_agency__isnull=False)
        .values("plan_id", "lead_agency_id").annotate(count=models.Count("id"))
        .values_list("plan_id", "lead_agency_id", "count").order_by("plan_id", "lead_agency_id")
    ):
        leads.setdefault(plan_id, []).append((agency_id, count))
    units = Agency.objects.in_bulk({pk for pairs in leads.values() for pk, _ in pairs})
    submitters: dict[int, list[PlanTransition]] = {}
    for earlier in PlanTransition.objects.filter(
        plan_id__in=[t.plan_id for t, kind in moves if kind == Kind.RETURNED], to_status=Plan.Status.SUBMITTED
    ).select_related("user").order_by("id"):
        submitters.setdefault(earlier.plan_id, []).append(earlier)
    due = []
    for transition, kind in moves:
        plan, day = transition.plan, timezone.localtime(transition.created_at).date()
        if kind != Kind.ISSUED:
            submitter = next((s.user for s in reversed(submitters.get(plan.pk, [])) if s.pk < transition.pk), None)
            move = PlanMove(transition=transition, agency=plan.issuer, submitter=submitter)
            due.append(DueNotice(None, kind, day, move=move))
        elif plan.year_end >= day.year:  # a plan whose years are over asks nothing of its leads
            due.extend(DueNotice(None, kind, day, move=PlanMove(transition=transition, agency=units[pk], tasks=n))
                       for pk, n in leads.get(plan.pk, []))
    return due


def _moves(transitions) -> list[PlanTransition]:
    return list(transitions.select_related("plan__issuer", "user").order_by("id"))


def plan_moves_missed(*, today: dt.date) -> list[DueNotice]:
    """The notices of plan moves of the last MISSED_MOVES_DAYS days (up to
    `today`) never recorded: the moves are told of after their commit, and a
    process that died in between must not lose them."""
    since = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=MISSED_MOVES_DAYS), dt.time()))
    until = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=1), dt.time()))
    moves = PlanTransition.objects.filter(created_at__gte=since, created_at__lt=until).filter(
        models.Q(to_status__in=list(MOVE_KINDS))
        | models.Q(from_status=Plan.Status.SUBMITTED, to_status=Plan.Status.DRAFT)
    ).exclude(models.Exists(Notice.objects.filter(transition=models.OuterRef("pk"))))
    return plan_moves_due(transitions=_moves(moves))


def plan_move_notify(*, transition_id: int) -> list[Notice]:
    """Tell of one move of a plan (run after its commit, reports/apps.py):
    close the notices it answers, record the ones it calls for."""
    transition = _moves(PlanTransition.objects.filter(pk=transition_id))
    if not transition:
        return []
    plan_moves_close(transitions=transition)
    return notices_record(due=plan_moves_due(transitions=transition))


def plan_moves_close(*, transitions: list[PlanTransition]) -> None:
    """Close what each plan's latest move answers: a return closes the
    heads' "chờ phê duyệt", a new submission the drafters' "bị trả lại", an
    issue those and the reminders of the deadline for the plan's years."""
    latest = _latest_moves(t.plan_id for t in transitions)
    for transition in transitions:
        if latest.get(transition.plan_id) != transition.pk:
            continue
        plan = transition.plan
        kinds = MOVE_CLOSES.get(transition.to_status, ())
        if kinds:
            notices_close(Notice.objects.filter(plan=plan, kind__in=kinds))
        if transition.to_status == Plan.Status.ISSUED:
            notices_close(Notice.objects.filter(agency=plan.issuer_id, year__gte=plan.year_start,
                                                year__lte=plan.year_end))


def notices_close(notices) -> int:
    """What these notices asked for is done: their unread bell rows are
    marked read and an e-mail not sent yet will not go (notice_send and the
    requeue skip closed notices). Two queries; returns how many closed."""
    now = timezone.now()
    unread = Notification.objects.filter(notice__in=notices.values("pk"), read_at__isnull=True)
    readers = list(unread.values_list("user_id", flat=True).distinct())
    if unread.update(read_at=now):
        unread_forget(user_ids=readers)
    return notices.filter(closed_at__isnull=True).update(closed_at=now)


def report_notices_close(*, report: Report, kinds) -> int:
    """Close a report's notices of `kinds` (a submission closes its
    reminders and its return, a review the reviewers' "chờ xem xét")."""
    return notices_close(Notice.objects.filter(report=report, kind__in=kinds))


def _people(due: list[DueNotice]) -> tuple[dict[int, list], dict[int, list]]:
    """(agency id -> its heads and drafters, agency id -> reviewers in scope
    of its reports), in at most three queries. People only: the system
    accounts of API tokens (accounts/api_tokens.py) hear nothing."""
    staff: dict[int, list] = {}
    for m in Membership.objects.filter(
        people_only(), agency_id__in={d.agency_id for d in due},
        role__in=[Membership.Role.HEAD, Membership.Role.DRAFTER], user__is_active=True,
    ).select_related("user"):
        staff.setdefault(m.agency_id, []).append(m)
    reviewed = {d.report.agency_id for d in due
                if d.report is not None and d.kind in (Kind.ESCALATION, Kind.SUBMITTED)}
    reviewers = reviewers_over(agency_ids=reviewed, members=people_only()) if reviewed else {}
    return staff, reviewers


def _unique(users) -> list:
    return list({u.pk: u for u in users}.values())


def _audience(item: DueNotice, staff, reviewers) -> tuple[list, list, set[str]]:
    """(users who get the bell notification, users who may get the e-mail,
    other addresses: the unit's own mailbox)."""
    def members(*roles) -> list:
        return _unique(m.user for m in staff.get(item.agency_id, []) if m.role in roles)

    head, drafter = Membership.Role.HEAD, Membership.Role.DRAFTER
    if item.move is not None:
        if item.kind == Kind.RETURNED:
            users = members(drafter) + ([item.move.submitter] if item.move.submitter else [])
        else:  # submitted and withdrawn to the issuer's heads; issued to the lead unit's
            users = members(head)
        return _unique(users), _unique(users), set()
    if item.owed is not None:
        # The plan's drafters; its heads too once it is overdue.
        users = members(drafter, head) if item.kind == Kind.OVERDUE else members(drafter)
        return users, users, set()
    report = item.report
    assert report is not None
    if item.kind in (Kind.ESCALATION, Kind.SUBMITTED):
        # One reviewer may hold several memberships covering the unit.
        users = _unique(reviewers.get(report.agency_id, []))
        return users, users, set()
    if item.kind == Kind.ACCEPTED:
        users = members(head)
        return users, users, set()
    # Reminders and returns: the bell to heads and drafters, the e-mail to
    # the heads (who submit) and the unit's own mailbox.
    return members(head, drafter), members(head), {report.agency.email} if report.agency.email else set()


def _person(user) -> str:
    return (user.get_full_name() or user.username) if user is not None else "Người dùng đã bị xóa"


def _texts(kind: str, report: Report, event: ReportEvent | None = None) -> tuple[str, str]:
    agency, period, due = report.agency.name, report.period.label, report.due_date.strftime("%d/%m/%Y")
    comment = event.comment.strip() if event is not None else ""
    titles: dict[str, str] = {
        Kind.BEFORE_DUE: f"Sắp đến hạn nộp báo cáo {period} (hạn {due})",
        Kind.DUE: f"Hôm nay là hạn nộp báo cáo {period}",
        Kind.OVERDUE: f"Báo cáo {period} đã quá hạn (hạn {due})",
        Kind.ESCALATION: f"{agency} chưa nộp báo cáo {period} (quá hạn từ {due})",
        Kind.RETURNED: f"Báo cáo {period} bị trả lại, cần sửa và nộp lại",
        Kind.MANUAL: f"Cơ quan Nội vụ nhắc nộp báo cáo {period} (hạn {due})",
        Kind.SUBMITTED: f"Báo cáo {period} của {agency} chờ xem xét",
        Kind.ACCEPTED: f"Báo cáo {period} đã được tiếp nhận",
    }
    returned = f"Báo cáo {period} của {agency} đã bị trả lại. "
    bodies: dict[str, str] = {
        Kind.ESCALATION: f"{agency} chưa nộp báo cáo kết quả tuyên truyền CCHC {period}, hạn {due}.",
        Kind.RETURNED: returned + (f"Ý kiến: «{comment}». Sửa và nộp lại." if comment
                                   else "Xem ý kiến, sửa và nộp lại."),
        Kind.SUBMITTED: f"{agency} đã nộp báo cáo kết quả tuyên truyền CCHC {period}"
                        + (f" ({comment.lower()})" if comment else "") + ". Xem xét, tiếp nhận hoặc trả lại.",
        Kind.ACCEPTED: f"Báo cáo kết quả tuyên truyền CCHC {period} của {agency} đã được tiếp nhận"
                       + (f". Ý kiến: «{comment}»" if comment else "") + ".",
    }
    body = bodies.get(kind, f"{agency}: báo cáo kết quả tuyên truyền CCHC {period}, hạn nộp {due}.")
    return titles[kind], body


def _plan_texts(kind: str, owed: PlanOwed, day: dt.date) -> tuple[str, str]:
    """Counted from the notice's day: "còn 7 ngày" is the 7-day mark."""
    days_left = (owed.deadline - day).days
    when = (f"còn {days_left} ngày" if days_left > 0 else "hôm nay là hạn" if days_left == 0
            else f"đã quá hạn {-days_left} ngày")
    title = f"Kế hoạch tuyên truyền CCHC năm {owed.year}: hạn ban hành {owed.deadline:%d/%m/%Y} ({when})"
    body = (f"{owed.agency.name} chưa ban hành Kế hoạch tuyên truyền cải cách hành chính năm {owed.year}, "
            f"hạn ban hành {owed.deadline:%d/%m/%Y}. ")
    body += ("Dự thảo đã có trên Cổng: hoàn thiện, trình và ban hành." if owed.draft_id
             else "Chưa có dự thảo trên Cổng: lập kế hoạch mới từ danh sách kế hoạch.")
    return title, body


def _plan_url(owed: PlanOwed) -> str:
    return reverse("plans:detail", args=[owed.draft_id]) if owed.draft_id else reverse("plans:list")


def _plan_name(plan: Plan) -> str:
    """"Kế hoạch số 45/KH-UBND" once numbered, else "dự thảo kế hoạch năm 2027"."""
    if plan.number is not None:
        return f"Kế hoạch số {plan.reference}"
    return f"dự thảo kế hoạch năm {plan.years_label}"


def _move_message(kind: str, move: PlanMove) -> dict:
    transition, plan = move.transition, move.transition.plan
    who, comment, name = _person(transition.user), transition.comment.strip(), _plan_name(plan)
    at = timezone.localtime(transition.created_at)
    rows: list[dict] = [{"label": "Cơ quan ban hành", "value": plan.issuer.name},
            {"label": "Kế hoạch", "value": f"{name[0].upper()}{name[1:]}: {plan.title}"}]
    if kind == Kind.ISSUED:
        title = f"Đơn vị chủ trì {move.tasks} nhiệm vụ trong Kế hoạch số {plan.reference}"
        issued_on = f" ngày {plan.issue_date:%d/%m/%Y}" if plan.issue_date else ""
        body = (f"{plan.issuer.name} đã ban hành Kế hoạch số {plan.reference}{issued_on} «{plan.title}». "
                f"{move.agency.name} chủ trì {move.tasks} nhiệm vụ trong phụ lục và báo cáo kết quả theo các kỳ "
                "của kế hoạch.")
        rows += [{"label": "Ngày ban hành", "value": f"{plan.issue_date:%d/%m/%Y}" if plan.issue_date else ""},
                 {"label": "Đơn vị chủ trì", "value": move.agency.name},
                 {"label": "Số nhiệm vụ chủ trì", "value": str(move.tasks), "strong": True}]
        return {"title": title, "body": body, "rows": rows, "action": "Mở kế hoạch"}
    if kind == Kind.SUBMITTED:
        title = f"Dự thảo kế hoạch năm {plan.years_label} chờ phê duyệt"
        body = f"{who} đã trình dự thảo «{plan.title}» của {plan.issuer.name}. Xem, ban hành hoặc trả lại."
        rows += [{"label": "Người trình", "value": f"{who}, {at:%d/%m/%Y %H:%M}"}]
        action = "Mở dự thảo để phê duyệt"
    elif kind == Kind.RETURNED:
        title = f"Dự thảo kế hoạch năm {plan.years_label} bị trả lại"
        body = f"{who} đã trả lại dự thảo «{plan.title}». Lý do: «{comment}». Sửa và trình lại."
        rows += [{"label": "Người trả lại", "value": f"{who}, {at:%d/%m/%Y %H:%M}"}]
        action = "Mở dự thảo để sửa"
    else:  # withdrawn
        title = f"Dự thảo kế hoạch năm {plan.years_label} đã được thu hồi"
        body = f"{who} đã thu hồi dự thảo «{plan.title}» để sửa: dự thảo không còn chờ phê duyệt."
        rows += [{"label": "Người thu hồi", "value": f"{who}, {at:%d/%m/%Y %H:%M}"}]
        action = "Mở dự thảo"
    if comment:
        rows.append({"label": "Lý do trả lại" if kind == Kind.RETURNED else "Ý kiến", "value": comment,
                     "strong": kind == Kind.RETURNED})
    return {"title": title, "body": body, "rows": rows, "action": action}


def _message(kind: str, day: dt.date, *, report: Report | None = None, owed: PlanOwed | None = None,
             event: ReportEvent | None = None, move: PlanMove | None = None) -> dict:
    """What the bell and the e-mail say about a notice: title, body, link
    (site-relative), the facts as rows and the button's label."""
    if move is not None:
        return _move_message(kind, move) | {"url": reverse("plans:detail", args=[move.transition.plan_id])}
    if owed is not None:
        title, body = _plan_texts(kind, owed, day)
        rows: list[dict] = [
            {"label": "Đơn vị", "value": owed.agency.name},
            {"label": "Kế hoạch", "value": f"Kế hoạch tuyên truyền cải cách hành chính năm {owed.year}"},
            {"label": "Hạn ban hành", "value": f"{owed.deadline:%d/%m/%Y}", "strong": True},
        ]
        action = "Mở dự thảo kế hoạch" if owed.draft_id else "Mở danh sách kế hoạch"
        return {"title": title, "body": body, "url": _plan_url(owed), "rows": rows, "action": action}
    assert report is not None
    title, body = _texts(kind, report, event)
    period = report.period
    rows = [
        {"label": "Đơn vị", "value": report.agency.name},
        {"label": "Kỳ báo cáo", "value": f"{period.label} ({period.start:%d/%m/%Y} – {period.end:%d/%m/%Y})"},
        {"label": "Hạn nộp", "value": f"{report.due_date:%d/%m/%Y}", "strong": kind in DEADLINE_KINDS},
    ]
    action = "Mở báo cáo"
    if event is not None:
        at = timezone.localtime(event.created_at)
        labels: dict[str, str] = {Kind.SUBMITTED: "Nộp lúc", Kind.RETURNED: "Trả lại lúc",
                                  Kind.ACCEPTED: "Tiếp nhận lúc"}
        label = labels[kind]
        rows.append({"label": label, "value": f"{at:%d/%m/%Y %H:%M} ({_person(event.user)})"})
        if event.comment.strip():
            rows.append({"label": "Ý kiến xem xét" if kind != Kind.SUBMITTED else "Ghi chú",
                         "value": event.comment.strip(), "strong": kind == Kind.RETURNED})
        if kind == Kind.SUBMITTED:
            action = "Mở báo cáo để xem xét"
    return {"title": title, "body": body, "url": reverse("reports:detail", args=[report.pk]), "rows": rows,
            "action": action}


def _subject(item: DueNotice) -> dict:
    if item.move:
        return {"plan": item.move.transition.plan, "agency": item.move.agency, "transition": item.move.transition}
    if item.owed:
        return {"agency": item.owed.agency, "year": item.owed.year}
    return {"report": item.report, "event": item.event}


def _bell_only(users) -> set[tuple[int, str]]:
    """(user id, topic) for every topic these users want on the bell only (one query)."""
    ids = {u.pk for u in users}
    if not ids:
        return set()
    return set(NotificationPreference.objects.filter(user_id__in=ids, email=False).values_list("user_id", "topic"))


def _key(notice: Notice) -> tuple:
    """A notice's subject, kind and day: what tells the rows the insert
    returned apart (each unique key is a part of it)."""
    return (notice.report_id, notice.agency_id, notice.year, notice.plan_id, notice.event_id,
            notice.transition_id, notice.kind, str(notice.day)[:10])


def _insert_new(model, objs: list, *, returning: tuple[str, ...] = (), rows_per_statement: int = 1000) -> list[tuple]:
    """INSERT … ON CONFLICT DO NOTHING [RETURNING …], `rows_per_statement`
    rows a statement: a row that would break any unique key is skipped
    (recorded before, by another sweep or worker). Returns the `returning`
    columns of the rows inserted. Django's bulk_create(ignore_conflicts=True)
    returns no ids on PostgreSQL; PostgreSQL and SQLite ≥ 3.35 both take
    this. The values are prepared as Django's own insert does."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    suffix = " ON CONFLICT DO NOTHING"
    if returning:
        suffix += " RETURNING " + ", ".join(quote(name) for name in returning)
    out: list[tuple] = []
    with connection.cursor() as cursor:
        for start in range(0, len(objs), rows_per_statement):
            chunk = objs[start:start + rows_per_statement]
            params = [f.get_db_prep_save(f.pre_save(obj, add=True), connection) for obj in chunk for f in fields]
            cursor.execute(f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES "
                           + ", ".join([row] * len(chunk)) + suffix, params)
            if returning:
                out.extend(cursor.fetchall())
    return out


NOTICE_KEY_COLUMNS = ("id", "report_id", "agency_id", "year", "plan_id", "event_id", "transition_id", "kind", "day")


@transaction.atomic
def notices_record(*, due: list[DueNotice]) -> list[Notice]:
    """Record the notices and their bell notifications; the e-mails are sent
    by the worker after commit, to those who did not choose the bell only
    for the notice's topic. Whoever did what the notice tells of hears
    nothing of it. A notice recorded before (by another sweep, a retry, a
    second click) is skipped: the unique key decides. In bulk: a few
    statements per thousand notices, one broker message per batch."""
    if not due:
        return []
    staff, reviewers = _people(due)
    audiences = []
    for item in due:
        users, mailed, addresses = _audience(item, staff, reviewers)
        actor = item.actor
        if actor is not None:
            users = [u for u in users if u.pk != actor.pk]
            mailed = [u for u in mailed if u.pk != actor.pk]
        audiences.append((users, mailed, addresses))
    bell_only = _bell_only(u for _, mailed, _ in audiences for u in mailed)
    candidates: dict[tuple, tuple[Notice, DueNotice, list]] = {}
    for item, (users, mailed, addresses) in zip(due, audiences, strict=True):
        emails = {u.email for u in mailed if u.email and (u.pk, item.topic) not in bell_only} | addresses
        notice = Notice(**_subject(item), kind=item.kind, day=item.day, recipients=sorted(emails))
        candidates.setdefault(_key(notice), (notice, item, users))  # the same notice twice: the first
    inserted = _insert_new(Notice, [notice for notice, _, _ in candidates.values()], returning=NOTICE_KEY_COLUMNS)
    created: list[Notice] = []
    notifications: list[Notification] = []
    told: set[int] = set()
    for pk, *key in inserted:
        notice, item, users = candidates[(*key[:-1], str(key[-1])[:10])]
        notice.pk = pk
        created.append(notice)
        message = _message(item.kind, item.day, report=item.report, owed=item.owed, event=item.event, move=item.move)
        notifications.extend(Notification(user=u, notice=notice, title=message["title"][:200], body=message["body"],
                                          url=message["url"]) for u in users)
        told.update(u.pk for u in users)
    _insert_new(Notification, notifications, rows_per_statement=4000)
    unread_forget(user_ids=told)
    if created:
        # robust: a broker that is down must not undo the day's notices; the
        # requeue sends what was not enqueued (the database says what is unsent).
        ids = sorted(n.pk for n in created)
        # A named function, not a partial: Django's robust on_commit logs a
        # failure with func.__qualname__, which a partial lacks.
        transaction.on_commit(lambda: notices_enqueue(ids), robust=True)
    return created


def notices_enqueue(ids: list[int]) -> int:
    """Enqueue these notices' e-mails, one broker message per SEND_BATCH
    notices (the worker sends each exactly once, notice_send); at the first
    broker error stop (each try waits for the publish retries): the rest are
    the requeue's. Returns how many notices were enqueued."""
    count = 0
    for start in range(0, len(ids), SEND_BATCH):
        batch = list(ids[start:start + SEND_BATCH])
        try:
            notices_batch_enqueue(batch)
        except Exception as error:  # kombu/redis raise many kinds: any means "broker away"
            logger.warning("Broker unavailable, %s notices left to the requeue: %s", len(ids) - count, error)
            break
        count += len(batch)
    return count


MISSED_MOVES_DAYS = 7
# A deadline notice is superseded by a later one about the same subject (the
# "quá hạn" of today makes last week's "sắp đến hạn" pointless to send).
DEADLINE_MARKS = (Kind.BEFORE_DUE, Kind.DUE, Kind.OVERDUE)


def claim_timeout() -> dt.timedelta:
    """How long a worker's claim on a notice holds: about twice the SMTP
    timeout (EMAIL_TIMEOUT), so a worker killed mid-send loses its notice to
    another within a minute or two, never while it may still be sending."""
    return dt.timedelta(seconds=2.5 * settings.EMAIL_TIMEOUT)


def retry_delay(attempts: int) -> dt.timedelta:
    """The wait after the `attempts`-th failed try: REMINDER_RETRY_BACKOFF
    doubled each time, capped at REMINDER_RETRY_MAX (as Celery's retry_backoff)."""
    seconds = settings.REMINDER_RETRY_BACKOFF * 2 ** min(max(attempts - 1, 0), 30)
    return dt.timedelta(seconds=min(seconds, settings.REMINDER_RETRY_MAX))


def notices_unsent():
    """The mail backlog: notices whose e-mail has not gone out and still
    matters, whatever their age: not closed, with recipients, not superseded
    by a later deadline notice about the same subject, and about an event
    (a review round, a plan's move), a report still open or a unit's plan
    not issued yet."""
    issued = Plan.objects.filter(issuer=models.OuterRef("agency"), status=Plan.Status.ISSUED,
                                 year_start__lte=models.OuterRef("year"), year_end__gte=models.OuterRef("year"))
    later = Notice.objects.filter(kind__in=DEADLINE_MARKS, day__gt=models.OuterRef("day"))
    superseded = models.Q(kind__in=DEADLINE_MARKS) & (
        models.Q(report__isnull=False) & models.Exists(later.filter(report=models.OuterRef("report"),
                                                                     event__isnull=True))
        | models.Q(year__isnull=False) & models.Exists(later.filter(agency=models.OuterRef("agency"),
                                                                   year=models.OuterRef("year")))
    ) | models.Q(kind=Kind.MANUAL) & models.Exists(
        Notice.objects.filter(report=models.OuterRef("report"), kind=Kind.MANUAL, day__gt=models.OuterRef("day")))
    return (
        Notice.objects.filter(sent_at__isnull=True, closed_at__isnull=True)
        .filter(models.Q(event__isnull=False) | models.Q(transition__isnull=False)
                | models.Q(report__status__in=OPEN)
                | models.Q(year__isnull=False) & ~models.Exists(issued))
        .exclude(recipients=[])
        .exclude(superseded)
    )


def notices_requeue(*, now: dt.datetime | None = None) -> int:
    """Enqueue again every unsent notice still relevant (notices_unsent)
    whose time has come: never enqueued or its message lost (a broker that
    was down or lost its queue), its worker killed (claim expired), or its
    backoff after a failure over. Each is leased for claim_timeout() so the
    next run does not enqueue it twice. Run by beat every
    REMINDER_REQUEUE_SECONDS and by the sweep."""
    now = now or timezone.now()
    lease = claim_timeout()
    ids = list(
        notices_unsent()
        .filter(models.Q(next_attempt_at__lte=now) | models.Q(next_attempt_at__isnull=True, created_at__lt=now - lease))
        .exclude(claimed_at__gte=now - lease)
        .order_by("pk").values_list("pk", flat=True)
    )
    for start in range(0, len(ids), 500):
        Notice.objects.filter(pk__in=ids[start:start + 500]).update(next_attempt_at=now + lease)
    return notices_enqueue(ids)


def reminders_manual(*, reports: list[Report], today: dt.date | None = None) -> tuple[int, int]:
    """A reviewer's "Nhắc" button: one manual notice per report per day, so
    pressing it again the same day sends nothing new (the rate limit)."""
    today = today or timezone.localdate()
    created = notices_record(due=[DueNotice(r, Notice.Kind.MANUAL, today) for r in reports])
    return len(created), len(reports) - len(created)


class NoticeMoot(Exception):
    """The notice's subject no longer calls for it (the plan deadline's rule was removed)."""


def _plan_owed_now(notice: Notice) -> PlanOwed:
    """The plan a plan-deadline notice is about, as it stands when sending:
    the deadline from the rules, the draft to link to."""
    assert notice.agency is not None and notice.year is not None
    deadline = plan_deadline(year=notice.year, agency=notice.agency)
    if deadline is None:
        raise NoticeMoot(f"Không còn quy định hạn ban hành kế hoạch năm {notice.year}")
    _, drafts = plans_of_year(issuer_ids=[notice.agency.pk], year=notice.year)
    return PlanOwed(agency=notice.agency, year=notice.year, deadline=deadline, draft_id=drafts.get(notice.agency.pk))


def _move_now(notice: Notice) -> PlanMove:
    """The plan move a notice tells of, with the tasks the unit leads in it now."""
    assert notice.transition is not None and notice.agency is not None
    tasks = Task.objects.filter(plan_id=notice.transition.plan_id, lead_agency=notice.agency).count() \
        if notice.kind == Kind.ISSUED else 0
    return PlanMove(transition=notice.transition, agency=notice.agency, tasks=tasks)


def _email(notice: Notice) -> EmailMultiAlternatives:
    owed = _plan_owed_now(notice) if notice.year is not None else None
    move = _move_now(notice) if notice.transition_id else None
    parts = _message(notice.kind, notice.day, report=notice.report, owed=owed, event=notice.event, move=move)
    context = parts | {"notice": notice, "url": settings.SITE_URL.rstrip("/") + parts["url"]}
    message = EmailMultiAlternatives(
        subject=parts["title"],
        body=render_to_string("emails/reminder-body-text.txt", context),
        to=notice.recipients,
        # The same Message-ID on every attempt lets mail servers drop a copy
        # if a worker died after the server accepted the message.
        headers={"Message-ID": f"<notice-{notice.pk}-{notice.kind}-{notice.day:%Y%m%d}@cchc-portal>"},
    )
    message.attach_alternative(render_to_string("emails/reminder-body-html.html", context), "text/html")
    return message


SENT, DONE, BUSY = "sent", "done", "busy"
DB_ERRORS = (OperationalError, InterfaceError)


def notice_send(*, notice_id: int) -> str:
    """Send one notice's e-mail unless it went out already.

    A worker first claims the notice with one conditional UPDATE (works the
    same on PostgreSQL and SQLite, and holds no lock while talking to the
    mail server); a second worker given the same notice finds it claimed or
    sent. A claim older than claim_timeout() belonged to a worker that died
    and is taken over (the requeue enqueues it again), so no notice is lost.
    A mail error releases the claim, records the error and the next try
    (capped backoff) and is raised for the worker's quick retries.
    A copy can only go out twice if the worker dies between the server's
    acceptance and the commit of sent_at; the Message-ID is the same on
    every try so mail servers drop it.
    Returns SENT, DONE (already sent, closed, or nothing to send) or BUSY
    (another worker holds the claim)."""
    now = timezone.now()
    lease = claim_timeout()
    open_notice = Notice.objects.filter(pk=notice_id, sent_at__isnull=True, closed_at__isnull=True).exclude(
        recipients=[])
    claimed = open_notice.filter(
        models.Q(claimed_at__isnull=True) | models.Q(claimed_at__lt=now - lease)
    ).update(claimed_at=now, next_attempt_at=now + lease)
    if not claimed:
        return BUSY if open_notice.exists() else DONE
    try:
        notice = Notice.objects.select_related(
            "report__agency", "report__period", "agency", "event__user", "transition__plan__issuer",
            "transition__user",
        ).get(pk=notice_id)
        _email(notice).send()
    except NoticeMoot as moot:
        # Nothing left to tell: closed at once, the requeue leaves it, nothing is sent.
        Notice.objects.filter(pk=notice_id).update(claimed_at=None, closed_at=timezone.now(), last_error=str(moot))
        return DONE
    except MAIL_ERRORS as error:
        # Tried again by the worker's retries, then by the requeue once this
        # wait is over (plus a lease, so the two do not race).
        wait = retry_delay(notice.attempts + 1) + lease
        Notice.objects.filter(pk=notice_id).update(
            claimed_at=None, attempts=models.F("attempts") + 1, next_attempt_at=timezone.now() + wait,
            last_error=f"{type(error).__name__}: {error}"[:500],
        )
        logger.warning("Notice %s not sent yet: %s", notice_id, error)
        raise
    except Exception:
        Notice.objects.filter(pk=notice_id).update(claimed_at=None)
        raise
    _record_sent(notice_id)
    return SENT


def _record_sent(notice_id: int) -> None:
    """The server accepted the mail: record it, reconnecting a few times if
    the database connection dropped meanwhile, so that only a worker dying
    in this very moment can leave a notice to be sent twice."""
    for attempt in range(6):
        try:
            Notice.objects.filter(pk=notice_id).update(
                sent_at=timezone.now(), attempts=models.F("attempts") + 1, last_error="", next_attempt_at=None
            )
            return
        except DB_ERRORS:
            if attempt == 5 or not connection.get_autocommit():
                raise
            logger.warning("Notice %s sent; recording it failed, reconnecting", notice_id)
            connection.close()
            time.sleep(min(0.25 * 2 ** attempt, 4))


@transaction.atomic
def notification_preferences_save(*, user, email: dict[str, bool]) -> None:
    """The user's choice per topic (NotificationPreference.Topic): True for
    bell and e-mail, False for the bell only. Unknown topics are refused;
    a topic left out keeps its choice."""
    unknown = set(email) - set(Topic.values)
    if unknown:
        raise ValueError(f"Unknown notification topics: {sorted(unknown)}")
    for topic, wanted in email.items():
        NotificationPreference.objects.update_or_create(user=user, topic=topic, defaults={"email": wanted})
