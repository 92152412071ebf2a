"""Deadline notices: which are due on a day (a read with a fixed number of
queries), recording and enqueueing them, and sending one exactly once. The
daily sweep (reports/sweep.py), the Celery tasks, `manage.py send_reminders`
and the reviewer's reminder button all call these functions."""

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

from agencies.models import Membership
from agencies.scope import reviewers_over

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
class DueNotice:
    report: Report
    kind: str
    day: dt.date


def notices_due(*, today: dt.date) -> list[DueNotice]:
    """Every notice that should go out on `today` and has not gone out yet.

    Before the due date: the latest of the REMINDER_DAYS_BEFORE marks already
    reached. On the day: one. After it: one every REMINDER_OVERDUE_EVERY_DAYS
    until submitted, and one escalation to the reviewers after
    REMINDER_ESCALATE_AFTER_DAYS. A returned report: one per return. A mark
    missed (no sweep that day) is caught up by the next sweep, never lost.
    Three queries whatever the number of reports: the open reports, their
    notices, their last returns."""
    before = sorted(settings.REMINDER_DAYS_BEFORE, reverse=True)
    every = settings.REMINDER_OVERDUE_EVERY_DAYS
    escalate = settings.REMINDER_ESCALATE_AFTER_DAYS
    horizon = today + dt.timedelta(days=max(before, default=0))
    reports = list(
        Report.objects.filter(status__in=OPEN)
        .filter(models.Q(due_date__lte=horizon) | models.Q(status=Report.Status.RETURNED))
        .filter(period__start__lte=today)
        .select_related("agency", "period")
    )
    ids = [r.pk for r in reports]
    sent: dict[tuple[int, str], list[dt.date]] = {}
    for report_id, kind, day in Notice.objects.filter(report_id__in=ids).values_list("report_id", "kind", "day"):
        sent.setdefault((report_id, kind), []).append(day)
    returned_on = {
        row["report_id"]: timezone.localtime(row["last"]).date()
        for row in ReportEvent.objects.filter(report_id__in=ids, kind=ReportEvent.Kind.RETURNED)
        .values("report_id").annotate(last=models.Max("created_at"))
    }

    due: list[DueNotice] = []
    for report in reports:
        def already(kind: str, day: dt.date | None = None, *, since: dt.date | None = None) -> bool:
            days = sent.get((report.pk, kind), [])  # noqa: B023 - used within this iteration only
            if day is not None:
                return day in days
            return any(d > since for d in days) if since else bool(days)

        days_left = (report.due_date - today).days
        if report.status == Report.Status.RETURNED and report.pk in returned_on:
            day = returned_on[report.pk]
            if not already(Notice.Kind.RETURNED, day):
                due.append(DueNotice(report, Notice.Kind.RETURNED, day))
        if days_left > 0:
            marks = [n for n in before if n >= days_left]
            if marks:
                day = report.due_date - dt.timedelta(days=min(marks))
                if not already(Notice.Kind.BEFORE_DUE, day):
                    due.append(DueNotice(report, Notice.Kind.BEFORE_DUE, day))
        elif days_left == 0:
            if not already(Notice.Kind.DUE, today):
                due.append(DueNotice(report, Notice.Kind.DUE, today))
        elif report.status == Report.Status.DRAFT:
            # A returned report was submitted once; its own notice covers it.
            if not already(Notice.Kind.OVERDUE, since=today - dt.timedelta(days=every)):
                due.append(DueNotice(report, Notice.Kind.OVERDUE, today))
            if -days_left >= escalate and not already(Notice.Kind.ESCALATION):
                due.append(DueNotice(report, Notice.Kind.ESCALATION, report.due_date + dt.timedelta(days=escalate)))
    return due


def _people(reports: list[Report]) -> tuple[dict[int, list], dict[int, list]]:
    """(agency id -> its heads and drafters, agency id -> reviewers in scope), in three queries."""
    agency_ids = {r.agency_id for r in reports}
    staff: dict[int, list] = {}
    for m in Membership.objects.filter(
        agency_id__in=agency_ids, role__in=[Membership.Role.HEAD, Membership.Role.DRAFTER], user__is_active=True
    ).select_related("user"):
        staff.setdefault(m.agency_id, []).append(m)
    reviewers = reviewers_over(agency_ids=agency_ids)
    return staff, reviewers


def _audience(notice_kind: str, report: Report, staff, reviewers) -> tuple[list, list[str]]:
    """(users who get the bell notification, e-mail addresses)."""
    if notice_kind == Notice.Kind.ESCALATION:
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


@transaction.atomic
def notices_record(*, due: list[DueNotice]) -> list[Notice]:
    """Record the notices and their bell notifications; the e-mails are sent
    by the worker after commit. A notice another sweep recorded first is
    skipped (the unique key decides)."""
    staff, reviewers = _people([d.report for d in due])
    created = []
    for item in due:
        users, emails = _audience(item.kind, item.report, staff, reviewers)
        title, body = _texts(item.kind, item.report)
        url = reverse("reports:detail", args=[item.report.pk])
        try:
            with transaction.atomic():
                notice = Notice.objects.create(report=item.report, kind=item.kind, day=item.day, recipients=emails)
                Notification.objects.bulk_create(
                    [Notification(user=u, notice=notice, title=title, body=body, url=url) for u in users],
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
    report still open, and not given up on. Run by the sweep and every 15 minutes."""
    today = today or timezone.localdate()
    stale = (
        Notice.objects.filter(
            sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS, day__gte=today - dt.timedelta(days=REQUEUE_DAYS),
            created_at__lt=timezone.now() - dt.timedelta(minutes=10), report__status__in=OPEN,
        )
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


def _email(notice: Notice) -> EmailMultiAlternatives:
    report = notice.report
    title, body = _texts(notice.kind, report)
    context = {
        "notice": notice, "report": report, "title": title, "body": body,
        "url": settings.SITE_URL.rstrip("/") + reverse("reports:detail", args=[report.pk]),
    }
    message = EmailMultiAlternatives(
        subject=title,
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
        notice = Notice.objects.select_related("report__agency", "report__period").get(pk=notice_id)
        _email(notice).send()
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
