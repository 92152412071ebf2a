"""Deadline notices: which are due on a day (a read with a fixed number of
queries), recording and enqueueing them, and sending one exactly once. The
daily sweep (reports/sweep.py), the Celery tasks, `manage.py send_reminders`
and the reviewer's reminder button all call these functions.

A notice is about a report (its deadline, its return) or about a unit's plan
for a year (the deadline for issuing it); both go through the same recording
and sending, each subject bringing its own audience, texts and link."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from functools import partial
from smtplib import SMTPException

from celery import current_app
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency, Membership
from agencies.scope import reviewers_over
from plans.models import Plan
from plans.rules import WRITERS
from schedule.services import plan_deadline, plan_deadlines

from ..models import Notice, Notification, Report, ReportEvent

logger = logging.getLogger(__name__)
OPEN = (Report.Status.DRAFT, Report.Status.RETURNED)
MAIL_ERRORS = (SMTPException, OSError)
# Enqueued by name: the task module (reports/tasks.py) calls these services,
# so importing it here would make a cycle.
SEND_NOTICE_TASK = "reports.tasks.send_notice_task"


def notice_enqueue(notice_id: int) -> None:
    # As .delay() would: no result kept (the notice row records the outcome).
    current_app.send_task(SEND_NOTICE_TASK, args=[notice_id], ignore_result=True)


@dataclass(frozen=True)
class PlanOwed:
    """A unit that owes its plan for `year` by `deadline` and has not issued
    it; `draft_id`: a plan of its for that year not issued yet (the link)."""

    agency: Agency
    year: int
    deadline: dt.date
    draft_id: int | None = None


@dataclass(frozen=True)
class DueNotice:
    """A notice to record: about `report`, or about the plan `owed`."""

    report: Report | None
    kind: str
    day: dt.date
    owed: PlanOwed | None = None

    @property
    def agency_id(self) -> int:
        """The unit the notice is about (whose people hear of it)."""
        return self.owed.agency.pk if self.owed else self.report.agency_id  # type: ignore[union-attr]

    def describe(self) -> str:
        """One line for `send_reminders`: the unit, what is due, by when."""
        if self.owed:
            return f"{self.owed.agency.name} – Kế hoạch năm {self.owed.year} (hạn ban hành {self.owed.deadline:%d/%m/%Y})"
        assert self.report is not None
        return f"{self.report.agency.name} – {self.report.period.label} (hạn {self.report.due_date:%d/%m/%Y})"


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
    for report_id, kind, day in Notice.objects.filter(report_id__in=ids).values_list("report_id", "kind", "day"):
        sent.setdefault((report_id, kind), []).append(day)
    returned_on = {
        row["report_id"]: timezone.localtime(row["last"]).date()
        for row in ReportEvent.objects.filter(report_id__in=ids, kind=ReportEvent.Kind.RETURNED)
        .values("report_id").annotate(last=models.Max("created_at"))
    }

    due: list[DueNotice] = []
    for report in reports:
        already = _sent_lookup(sent, report.pk)
        days_left = (report.due_date - today).days
        if report.status == Report.Status.RETURNED and report.pk in returned_on:
            day = returned_on[report.pk]
            if not already(Notice.Kind.RETURNED, day):
                due.append(DueNotice(report, Notice.Kind.RETURNED, day))
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
        Agency.objects.filter(is_active=True, memberships__role__in=WRITERS, memberships__user__is_active=True)
        .distinct().order_by("pk")
    )
    deadlines = {
        pk: day for pk, day in plan_deadlines(year=year, agencies=agencies).items() if not due_by or day <= due_by
    }
    issued: set[int] = set()
    drafts: dict[int, int] = {}
    plans = (Plan.objects.filter(issuer_id__in=list(deadlines), year_start__lte=year, year_end__gte=year)
             .exclude(status=Plan.Status.DELETED)  # a deleted draft is nothing to link to
             .order_by("pk").values_list("issuer_id", "status", "pk"))
    for issuer_id, status, pk in plans:  # no query when no unit has a deadline near
        if status == Plan.Status.ISSUED:
            issued.add(issuer_id)
        else:
            drafts[issuer_id] = pk  # the latest draft
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


def _people(due: list[DueNotice]) -> tuple[dict[int, list], dict[int, list]]:
    """(agency id -> its heads and drafters, agency id -> reviewers in scope
    of its reports), in at most three queries."""
    staff: dict[int, list] = {}
    for m in Membership.objects.filter(
        agency_id__in={d.agency_id for d in due}, role__in=[Membership.Role.HEAD, Membership.Role.DRAFTER],
        user__is_active=True,
    ).select_related("user"):
        staff.setdefault(m.agency_id, []).append(m)
    reviewed = {d.report.agency_id for d in due if d.report is not None}
    reviewers = reviewers_over(agency_ids=reviewed) if reviewed else {}
    return staff, reviewers


def _audience(item: DueNotice, staff, reviewers) -> tuple[list, list[str]]:
    """(users who get the bell notification, e-mail addresses)."""
    if item.owed is not None:
        # The plan's drafters; its heads too once it is overdue.
        roles = {Membership.Role.DRAFTER} | ({Membership.Role.HEAD} if item.kind == Notice.Kind.OVERDUE else set())
        users = list({m.user.pk: m.user for m in staff.get(item.owed.agency.pk, []) if m.role in roles}.values())
        return users, sorted({u.email for u in users if u.email})
    report = item.report
    assert report is not None
    if item.kind == Notice.Kind.ESCALATION:
        # One reviewer may hold several memberships covering the unit.
        users = list({u.pk: u for u in reviewers.get(report.agency_id, [])}.values())
        return users, sorted({u.email for u in users if u.email})
    members = staff.get(report.agency_id, [])
    users = list({m.user.pk: m.user for m in members}.values())
    emails = {m.user.email for m in members if m.role == Membership.Role.HEAD and m.user.email}
    if report.agency.email:
        emails.add(report.agency.email)
    return users, sorted(emails)


def _texts(kind: str, report: Report) -> tuple[str, str]:
    agency, period, due = report.agency.name, report.period.label, report.due_date.strftime("%d/%m/%Y")
    titles: dict[str, str] = {
        Notice.Kind.BEFORE_DUE: f"Sắp đến hạn nộp báo cáo {period} (hạn {due})",
        Notice.Kind.DUE: f"Hôm nay là hạn nộp báo cáo {period}",
        Notice.Kind.OVERDUE: f"Báo cáo {period} đã quá hạn (hạn {due})",
        Notice.Kind.ESCALATION: f"{agency} chưa nộp báo cáo {period} (quá hạn từ {due})",
        Notice.Kind.RETURNED: f"Báo cáo {period} bị trả lại, cần sửa và nộp lại",
        Notice.Kind.MANUAL: f"Cơ quan Nội vụ nhắc nộp báo cáo {period} (hạn {due})",
    }
    bodies: dict[str, str] = {
        Notice.Kind.ESCALATION: f"{agency} chưa nộp báo cáo kết quả tuyên truyền CCHC {period}, hạn {due}.",
        Notice.Kind.RETURNED: f"Báo cáo {period} của {agency} đã bị trả lại. Xem ý kiến, sửa và nộp lại.",
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


def _message(kind: str, day: dt.date, *, report: Report | None = None, owed: PlanOwed | None = None) -> dict:
    """What the bell and the e-mail say about a notice: title, body, link
    (site-relative), the facts as rows and the button's label."""
    if owed is not None:
        title, body = _plan_texts(kind, owed, day)
        rows = [
            {"label": "Đơn vị", "value": owed.agency.name},
            {"label": "Kế hoạch", "value": f"Kế hoạch tuyên truyền cải cách hành chính năm {owed.year}"},
            {"label": "Hạn ban hành", "value": f"{owed.deadline:%d/%m/%Y}", "strong": True},
        ]
        action = "Mở dự thảo kế hoạch" if owed.draft_id else "Mở danh sách kế hoạch"
        return {"title": title, "body": body, "url": _plan_url(owed), "rows": rows, "action": action}
    assert report is not None
    title, body = _texts(kind, report)
    period = report.period
    rows = [
        {"label": "Đơn vị", "value": report.agency.name},
        {"label": "Kỳ báo cáo", "value": f"{period.label} ({period.start:%d/%m/%Y} – {period.end:%d/%m/%Y})"},
        {"label": "Hạn nộp", "value": f"{report.due_date:%d/%m/%Y}", "strong": True},
    ]
    return {"title": title, "body": body, "url": reverse("reports:detail", args=[report.pk]), "rows": rows,
            "action": "Mở báo cáo"}


@transaction.atomic
def notices_record(*, due: list[DueNotice]) -> list[Notice]:
    """Record the notices and their bell notifications; the e-mails are sent
    by the worker after commit. A notice another sweep recorded first is
    skipped (the unique key decides)."""
    staff, reviewers = _people(due)
    created = []
    for item in due:
        users, emails = _audience(item, staff, reviewers)
        message = _message(item.kind, item.day, report=item.report, owed=item.owed)
        subject = ({"agency": item.owed.agency, "year": item.owed.year} if item.owed else {"report": item.report})
        try:
            with transaction.atomic():
                notice = Notice.objects.create(**subject, kind=item.kind, day=item.day, recipients=emails)
                Notification.objects.bulk_create(
                    [Notification(user=u, notice=notice, title=message["title"], body=message["body"],
                                  url=message["url"]) for u in users],
                    ignore_conflicts=True,
                )
        except IntegrityError:
            continue  # another sweep recorded this notice first
        created.append(notice)
    for notice in created:
        # robust: a broker that is down must not undo the day's notices nor
        # skip the others; the requeue task sends what was not enqueued.
        transaction.on_commit(partial(notice_enqueue, notice.pk), robust=True)
    return created


REQUEUE_DAYS = 7
MAX_ATTEMPTS = 8


def notices_requeue(*, today: dt.date | None = None) -> int:
    """Enqueue again the notices whose e-mail has not gone out (a broker that
    was down, a worker that died) while they still matter: recent, about a
    report still open or a plan not issued yet, and not given up on. Run by
    the sweep and every 15 minutes."""
    today = today or timezone.localdate()
    issued = Plan.objects.filter(issuer=models.OuterRef("agency"), status=Plan.Status.ISSUED,
                                 year_start__lte=models.OuterRef("year"), year_end__gte=models.OuterRef("year"))
    stale = (
        Notice.objects.filter(
            sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS, day__gte=today - dt.timedelta(days=REQUEUE_DAYS),
            created_at__lt=timezone.now() - dt.timedelta(minutes=10),
        )
        .filter(models.Q(report__status__in=OPEN) | models.Q(agency__isnull=False) & ~models.Exists(issued))
        .exclude(recipients=[])
        .values_list("pk", flat=True)
    )
    count = 0
    for pk in stale:
        notice_enqueue(pk)
        count += 1
    return count


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
    draft = (Plan.objects.filter(issuer=notice.agency, year_start__lte=notice.year, year_end__gte=notice.year)
             .exclude(status__in=(Plan.Status.ISSUED, Plan.Status.DELETED)).order_by("-pk").values_list("pk", flat=True).first())
    return PlanOwed(agency=notice.agency, year=notice.year, deadline=deadline, draft_id=draft)


def _email(notice: Notice) -> EmailMultiAlternatives:
    owed = _plan_owed_now(notice) if notice.agency_id else None
    parts = _message(notice.kind, notice.day, report=notice.report, owed=owed)
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


CLAIM_TIMEOUT = dt.timedelta(minutes=10)


SENT, DONE, BUSY = "sent", "done", "busy"


def notice_send(*, notice_id: int) -> str:
    """Send one notice's e-mail unless it went out already.

    A worker first claims the notice with one conditional UPDATE (works the
    same on PostgreSQL and SQLite, and holds no lock while talking to the
    mail server); a second worker given the same notice finds it claimed or
    sent. A claim older than CLAIM_TIMEOUT belonged to a worker that died and
    may be taken over, so no notice is lost. Any error releases the claim; a
    mail error is recorded and raised for a retry.
    Returns SENT, DONE (already sent, or nothing to send) or BUSY (another
    worker holds the claim: try again after CLAIM_TIMEOUT)."""
    now = timezone.now()
    open_notice = Notice.objects.filter(pk=notice_id, sent_at__isnull=True).exclude(recipients=[])
    claimed = open_notice.filter(
        models.Q(claimed_at__isnull=True) | models.Q(claimed_at__lt=now - CLAIM_TIMEOUT)
    ).update(claimed_at=now)
    if not claimed:
        return BUSY if open_notice.exists() else DONE
    try:
        notice = Notice.objects.select_related("report__agency", "report__period", "agency").get(pk=notice_id)
        _email(notice).send()
    except NoticeMoot as moot:
        # Given up on at once: the requeue leaves it, and nothing is sent.
        Notice.objects.filter(pk=notice_id).update(claimed_at=None, attempts=MAX_ATTEMPTS, last_error=str(moot))
        return DONE
    except MAIL_ERRORS as error:
        Notice.objects.filter(pk=notice_id).update(
            claimed_at=None, attempts=models.F("attempts") + 1, last_error=f"{type(error).__name__}: {error}"[:500]
        )
        logger.warning("Notice %s not sent yet: %s", notice_id, error)
        raise
    except Exception:
        Notice.objects.filter(pk=notice_id).update(claimed_at=None)
        raise
    Notice.objects.filter(pk=notice_id).update(
        sent_at=timezone.now(), attempts=models.F("attempts") + 1, last_error=""
    )
    return SENT
