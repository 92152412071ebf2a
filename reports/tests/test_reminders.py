"""Which notices are due on a given day, for reports in every state. On the
small `tree` (see reports/tests/conftest.py), with 2026 reported as far as the
demo has it on TODAY: see `year_so_far`."""

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from agencies.models import Agency, Membership
from reports.models import Notice, Notification, Report
from reports.services import notice_send, notices_due, notices_record
from reports.sweep import reminders_sweep
from reports.tests.factories import report_fill, report_sent

TODAY = dt.date(2026, 11, 22)
Q1, HALF, Q3, YEAR = "Quý I/2026", "6 tháng đầu năm 2026", "Quý III/2026", "Năm 2026"


@pytest.fixture(autouse=True)
def reminder_rules(settings):
    settings.REMINDER_DAYS_BEFORE = [7, 1]
    settings.REMINDER_OVERDUE_EVERY_DAYS = 3
    settings.REMINDER_ESCALATE_AFTER_DAYS = 7


@pytest.fixture
def year_so_far(world, tree, personas, neighbour):
    """2026 on TODAY, as in the demo: Quý I accepted everywhere; the half year
    accepted but the neighbour's, returned; Quý III submitted by Phòng Nội vụ
    and missing from both communes (due 15/09); the year report open, due 15/12."""
    commune, head2 = neighbour
    for agency, head in ((tree["commune"], personas.head), (tree["home_affairs"], personas.admin), (commune, head2)):
        report_sent(report_fill(world.report(agency, Q1)), by=head, accept_by=personas.reviewer)
    for agency, head in ((tree["commune"], personas.head), (tree["home_affairs"], personas.admin)):
        report_sent(report_fill(world.report(agency, HALF)), by=head, accept_by=personas.reviewer)
    report_sent(report_fill(world.report(commune, HALF)), by=head2, return_by=personas.reviewer)
    report_sent(report_fill(world.report(tree["home_affairs"], Q3)), by=personas.admin)
    Report.objects.filter(period=world.periods[YEAR]).update(due_date=dt.date(2026, 12, 15))
    return world


def kinds_for(report, day):
    return sorted((d.kind, d.day) for d in notices_due(today=day) if d.report.pk == report.pk)


def of(agency, due):
    """The due notices about `agency`'s reports."""
    return [d for d in due if d.report.agency_id == agency.pk]


def test_seven_days_and_one_day_before_the_deadline(year_so_far, tree):
    report = year_so_far.report(tree["commune"], YEAR)
    assert kinds_for(report, dt.date(2026, 12, 7)) == []
    assert kinds_for(report, dt.date(2026, 12, 8)) == [("before_due", dt.date(2026, 12, 8))]
    assert kinds_for(report, dt.date(2026, 12, 14)) == [("before_due", dt.date(2026, 12, 14))]
    assert kinds_for(report, dt.date(2026, 12, 15)) == [("due", dt.date(2026, 12, 15))]


def test_a_missed_sweep_catches_up_with_the_latest_mark_only(year_so_far, tree):
    report = year_so_far.report(tree["commune"], YEAR)
    # No sweep ran on 08/12: on 10/12 the 7-day notice still goes out, once.
    due = kinds_for(report, dt.date(2026, 12, 10))
    assert due == [("before_due", dt.date(2026, 12, 8))]
    notices_record(due=of(tree["commune"], notices_due(today=dt.date(2026, 12, 10))))
    assert kinds_for(report, dt.date(2026, 12, 11)) == []


def test_overdue_every_three_days_and_one_escalation(year_so_far, tree):
    report = year_so_far.report(tree["commune"], YEAR)
    day = dt.date(2026, 12, 16)
    assert kinds_for(report, day) == [("overdue", day)]
    notices_record(due=of(tree["commune"], notices_due(today=day)))
    assert kinds_for(report, dt.date(2026, 12, 18)) == []
    assert kinds_for(report, dt.date(2026, 12, 19)) == [("overdue", dt.date(2026, 12, 19))]
    assert ("escalation", dt.date(2026, 12, 22)) in kinds_for(report, dt.date(2026, 12, 22))


def test_submitted_and_accepted_reports_get_nothing(year_so_far, tree):
    due = {(d.report.status) for d in notices_due(today=TODAY)}
    assert due <= {"draft", "returned"}
    assert kinds_for(year_so_far.report(tree["home_affairs"], Q3), TODAY) == []  # submitted
    assert kinds_for(year_so_far.report(tree["home_affairs"], Q1), TODAY) == []  # accepted


def test_a_returned_report_gets_a_notice(year_so_far, neighbour):
    # Recorded when the reviewer returned it; the sweep does not repeat it.
    report = year_so_far.report(neighbour[0], HALF)
    assert Notice.objects.filter(report=report, kind="returned").count() == 1
    assert "returned" not in [k for k, _ in kinds_for(report, TODAY)]


def test_a_second_sweep_records_nothing_new(year_so_far, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        first = reminders_sweep(today=TODAY)
    assert first.created == len(first.due) > 0
    second = reminders_sweep(today=TODAY)
    assert second.created == 0 and second.due == []


def test_selecting_due_notices_takes_a_fixed_number_of_queries(year_so_far, django_assert_num_queries):
    # reports, notices sent, last return dates
    with django_assert_num_queries(3):
        notices_due(today=TODAY)


def test_the_notice_reaches_heads_by_mail_and_bell_and_reviewers_on_escalation(year_so_far, tree, settings):
    settings.SITE_URL = "https://kehoach.example.gov.vn"
    Agency.objects.filter(pk=tree["commune"].pk).update(email="ubnd.xamot@example.gov.vn")
    created = notices_record(due=of(tree["commune"], notices_due(today=TODAY)))
    overdue = next(n for n in created if n.kind == "overdue")
    escalation = next(n for n in created if n.kind == "escalation")
    assert set(overdue.recipients) == {"ubnd.xamot@example.gov.vn"} | set(
        Notification.objects.filter(notice=overdue).exclude(user__email="").values_list("user__email", flat=True))
    assert Notification.objects.filter(notice=overdue, user__username="head").exists()
    assert Notification.objects.filter(notice=escalation, user__username="reviewer").exists()
    assert notice_send(notice_id=overdue.pk) == "sent"
    assert notice_send(notice_id=overdue.pk) == "done"  # already sent: nothing twice
    (message,) = mail.outbox
    assert "quá hạn" in message.subject and "Ủy ban nhân dân xã Một" in message.body
    report = overdue.report
    assert f"https://kehoach.example.gov.vn/reports/{report.pk}/" in message.body
    html = message.alternatives[0][0]
    assert "Mở báo cáo" in html and "15/09/2026" in html  # the commune's Quý III deadline


def test_bell_counts_unread_and_marks_read(client, year_so_far, tree, personas):
    notices_record(due=of(tree["commune"], notices_due(today=TODAY)))
    personas.login(client, "head")
    unread = Notification.objects.filter(user__username="head", read_at=None).count()
    body = client.get("/").content.decode()
    assert f'id="bell-count">{unread}<' in body
    page = client.get(reverse("reports:notifications")).content.decode()
    assert "Báo cáo Quý III/2026 đã quá hạn" in page
    client.post(reverse("reports:notifications_read"))
    assert 'id="bell-count"' not in client.get("/").content.decode()


def test_other_users_notifications_cannot_be_marked(client, year_so_far, tree, personas, neighbour):
    notices_record(due=of(tree["commune"], notices_due(today=TODAY)))
    foreign = Notification.objects.filter(user__username="head").first()
    assert client.login(username=neighbour[1].username, password=personas.password)  # head2
    client.post(reverse("reports:notifications_read"), {"id": foreign.pk})
    foreign.refresh_from_db()
    assert foreign.read_at is None
    assert foreign.title not in client.get(reverse("reports:notifications")).content.decode()


def test_reviewer_reminds_by_hand_once_a_day(client, year_so_far, personas, neighbour):
    report = year_so_far.report(neighbour[0], Q3)  # missing
    personas.login(client, "reviewer")
    url = reverse("reports:summary_remind", args=[report.period_id])
    response = client.post(url, {"report": [report.pk]}, follow=True)
    assert "Đã gửi nhắc 1 đơn vị." in response.content.decode()
    response = client.post(url, {"report": [report.pk]}, follow=True)
    assert "Đã gửi nhắc 0 đơn vị. 1 đơn vị đã được nhắc hôm nay" in response.content.decode()
    assert Notice.objects.filter(report=report, kind="manual").count() == 1


def test_a_head_cannot_send_reminders(client, year_so_far, personas, neighbour):
    report = year_so_far.report(neighbour[0], Q3)
    personas.login(client, "head")
    response = client.post(reverse("reports:summary_remind", args=[report.period_id]), {"report": [report.pk]})
    assert response.status_code == 403
    assert not Notice.objects.filter(kind="manual").exists()


def test_command_dry_run_lists_and_writes_nothing(year_so_far):
    before = Notice.objects.count()
    out = io.StringIO()
    call_command("send_reminders", "--date", "2026-11-22", "--dry-run", stdout=out)
    assert "Ủy ban nhân dân xã Hai – Quý III/2026" in out.getvalue()  # the neighbour, missing
    assert "chạy thử" in out.getvalue()
    assert Notice.objects.count() == before


def test_a_reviewer_with_two_memberships_in_scope_gets_one_notification(year_so_far, tree, personas):
    reviewer = personas.reviewer
    Membership.objects.create(user=reviewer, agency=tree["district"], role="reviewer")
    created = notices_record(due=[d for d in notices_due(today=TODAY) if d.kind == "escalation"])
    assert created
    assert all(Notification.objects.filter(notice=n, user=reviewer).count() == 1 for n in created)


def test_a_notice_claimed_by_another_worker_is_busy_not_lost(year_so_far, tree):
    from django.utils import timezone

    notice = notices_record(due=of(tree["commune"], notices_due(today=TODAY)))[0]
    Notice.objects.filter(pk=notice.pk).update(claimed_at=timezone.now())
    assert notice_send(notice_id=notice.pk) == "busy"
    Notice.objects.filter(pk=notice.pk).update(claimed_at=timezone.now() - dt.timedelta(minutes=11))
    assert notice_send(notice_id=notice.pk) == "sent"  # a dead worker's claim is taken over


def test_a_returned_report_gets_its_notice_at_once_and_no_overdue_nagging(client, year_so_far, tree, personas):
    report = year_so_far.report(tree["home_affairs"], Q3)  # submitted, due 16/09
    personas.login(client, "reviewer")
    client.post(reverse("reports:review", args=[report.pk]), {"decision": "return", "comment": "Bổ sung."})
    assert Notice.objects.filter(report=report, kind="returned").count() == 1
    kinds = {d.kind for d in notices_due(today=TODAY) if d.report.pk == report.pk}
    assert kinds == set()


def test_lower_levels_are_due_before_the_province_even_around_tet(db):
    from schedule.calendar import calendar_defaults_ensure, period_bounds, province_due
    from schedule.models import LevelDeadline, ReportingPeriod, ReportingRule
    from schedule.services import agency_due_date

    calendar_defaults_ensure(ReportingRule, LevelDeadline)  # the month rule (migrations add it too)
    rule = ReportingRule.objects.get(kind="month")
    start, end = period_bounds(end_year=2026, end_month=2, length_months=1, cutoff_day=14)
    period = ReportingPeriod(rule=rule, year=2026, end_month=2, label="Tháng 2/2026", start=start, end=end,
                             due=province_due(cutoff=end, due_day=20))
    days = {"commune": 1, "district": 3}
    commune = agency_due_date(period=period, agency_kind="commune", level_days=days)
    district = agency_due_date(period=period, agency_kind="district", level_days=days)
    # Tết (16-20/02/2026) squeezes every level onto the first working day after
    # the cut-off; the district is no longer due after the province (25/02).
    assert commune == district == period.due == dt.date(2026, 2, 23)
    march = ReportingPeriod(rule=rule, year=2026, end_month=3, label="Tháng 3/2026",
                            start=dt.date(2026, 2, 15), end=dt.date(2026, 3, 14),
                            due=province_due(cutoff=dt.date(2026, 3, 14), due_day=20))
    assert (agency_due_date(period=march, agency_kind="commune", level_days=days)
            < agency_due_date(period=march, agency_kind="district", level_days=days) < march.due)


def test_summary_keeps_units_with_the_same_short_name_apart(client, year_so_far, tree, personas, neighbour):
    # Both communes' Quý I reports are accepted, so both have a row.
    Agency.objects.filter(pk__in=[tree["commune"].pk, neighbour[0].pk]).update(short_name="UBND xã")
    period = year_so_far.periods[Q1]
    personas.login(client, "reviewer")
    summary = client.get(reverse("reports:summary", args=[period.pk])).context
    names = [row["name"] for row in summary["by_agency"].values()]
    assert names.count("UBND xã") == 2
