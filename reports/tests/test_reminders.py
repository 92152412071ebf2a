"""Which notices are due on a given day, for reports in every state."""

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from agencies.models import Agency
from demo.loader import DEMO_PASSWORD
from reports.models import Notice, Notification, Report
from reports.services import notice_send, notices_due, notices_record
from reports.sweep import reminders_sweep

TODAY = dt.date(2026, 11, 22)


@pytest.fixture
def demo(db, settings):
    settings.REMINDER_DAYS_BEFORE = [7, 1]
    settings.REMINDER_OVERDUE_EVERY_DAYS = 3
    settings.REMINDER_ESCALATE_AFTER_DAYS = 7
    call_command("load_demo", stdout=io.StringIO())
    Report.objects.filter(period__label="Năm 2026").update(due_date=dt.date(2026, 12, 15))


def kinds_for(code, label, day):
    report = Report.objects.get(agency__code=code, period__label=label)
    return sorted((d.kind, d.day) for d in notices_due(today=day) if d.report.pk == report.pk)


def test_seven_days_and_one_day_before_the_deadline(demo):
    assert kinds_for("HD-BG-KS", "Năm 2026", dt.date(2026, 12, 7)) == []
    assert kinds_for("HD-BG-KS", "Năm 2026", dt.date(2026, 12, 8)) == [("before_due", dt.date(2026, 12, 8))]
    assert kinds_for("HD-BG-KS", "Năm 2026", dt.date(2026, 12, 14)) == [("before_due", dt.date(2026, 12, 14))]
    assert kinds_for("HD-BG-KS", "Năm 2026", dt.date(2026, 12, 15)) == [("due", dt.date(2026, 12, 15))]


def test_a_missed_sweep_catches_up_with_the_latest_mark_only(demo):
    # No sweep ran on 08/12: on 10/12 the 7-day notice still goes out, once.
    due = kinds_for("HD-BG-KS", "Năm 2026", dt.date(2026, 12, 10))
    assert due == [("before_due", dt.date(2026, 12, 8))]
    notices_record(due=[d for d in notices_due(today=dt.date(2026, 12, 10)) if d.report.agency.code == "HD-BG-KS"])
    assert kinds_for("HD-BG-KS", "Năm 2026", dt.date(2026, 12, 11)) == []


def test_overdue_every_three_days_and_one_escalation(demo):
    day = dt.date(2026, 12, 16)
    assert kinds_for("HD-BG-KS", "Năm 2026", day) == [("overdue", day)]
    notices_record(due=[d for d in notices_due(today=day) if d.report.agency.code == "HD-BG-KS"])
    assert kinds_for("HD-BG-KS", "Năm 2026", dt.date(2026, 12, 18)) == []
    assert kinds_for("HD-BG-KS", "Năm 2026", dt.date(2026, 12, 19)) == [("overdue", dt.date(2026, 12, 19))]
    assert ("escalation", dt.date(2026, 12, 22)) in kinds_for("HD-BG-KS", "Năm 2026", dt.date(2026, 12, 22))


def test_submitted_and_accepted_reports_get_nothing(demo):
    due = {(d.report.status) for d in notices_due(today=TODAY)}
    assert due <= {"draft", "returned"}
    assert kinds_for("HD-BG-NV", "Quý III/2026", TODAY) == []  # submitted
    assert kinds_for("HD-BG-VP", "Quý I/2026", TODAY) == []  # accepted


def test_a_returned_report_gets_a_notice(demo):
    # Recorded when the demo's reviewer returned it; the sweep does not repeat it.
    report = Report.objects.get(agency__code="HD-BG-VH", period__label="6 tháng đầu năm 2026")
    assert Notice.objects.filter(report=report, kind="returned").count() == 1
    assert "returned" not in [k for k, _ in kinds_for("HD-BG-VH", "6 tháng đầu năm 2026", TODAY)]


def test_a_second_sweep_records_nothing_new(demo, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        first = reminders_sweep(today=TODAY)
    assert first.created == len(first.due) > 0
    second = reminders_sweep(today=TODAY)
    assert second.created == 0 and second.due == []


def test_selecting_due_notices_takes_a_fixed_number_of_queries(demo, django_assert_num_queries):
    # reports, notices sent, last return dates
    with django_assert_num_queries(3):
        notices_due(today=TODAY)


def test_the_notice_reaches_heads_by_mail_and_bell_and_reviewers_on_escalation(demo, settings):
    settings.SITE_URL = "https://kehoach.example.gov.vn"
    Agency.objects.filter(code="HD-BG-KS").update(email="ubnd.kesat@example.gov.vn")
    due = [d for d in notices_due(today=TODAY) if d.report.agency.code == "HD-BG-KS"]
    created = notices_record(due=due)
    overdue = next(n for n in created if n.kind == "overdue")
    escalation = next(n for n in created if n.kind == "escalation")
    assert set(overdue.recipients) == {"ubnd.kesat@example.gov.vn"} | set(
        Notification.objects.filter(notice=overdue).exclude(user__email="").values_list("user__email", flat=True))
    assert Notification.objects.filter(notice=overdue, user__username="head").exists()
    assert Notification.objects.filter(notice=escalation, user__username="reviewer").exists()
    assert notice_send(notice_id=overdue.pk) == "sent"
    assert notice_send(notice_id=overdue.pk) == "done"  # already sent: nothing twice
    (message,) = mail.outbox
    assert "quá hạn" in message.subject and "Ủy ban nhân dân thị trấn Kẻ Sặt" in message.body
    report = overdue.report
    assert f"https://kehoach.example.gov.vn/reports/{report.pk}/" in message.body
    html = message.alternatives[0][0]
    assert "Mở báo cáo" in html and "15/09/2026" in html


def test_bell_counts_unread_and_marks_read(client, demo):
    notices_record(due=[d for d in notices_due(today=TODAY) if d.report.agency.code == "HD-BG-KS"])
    assert client.login(username="head", password=DEMO_PASSWORD)
    unread = Notification.objects.filter(user__username="head", read_at=None).count()
    body = client.get("/").content.decode()
    assert f'id="bell-count">{unread}<' in body
    page = client.get(reverse("reports:notifications")).content.decode()
    assert "Báo cáo Quý III/2026 đã quá hạn" in page
    client.post(reverse("reports:notifications_read"))
    assert 'id="bell-count"' not in client.get("/").content.decode()


def test_other_users_notifications_cannot_be_marked(client, demo):
    notices_record(due=[d for d in notices_due(today=TODAY) if d.report.agency.code == "HD-BG-KS"])
    foreign = Notification.objects.filter(user__username="head").first()
    assert client.login(username="head2", password=DEMO_PASSWORD)
    client.post(reverse("reports:notifications_read"), {"id": foreign.pk})
    foreign.refresh_from_db()
    assert foreign.read_at is None
    assert foreign.title not in client.get(reverse("reports:notifications")).content.decode()


def test_reviewer_reminds_by_hand_once_a_day(client, demo):
    report = Report.objects.get(agency__code="HD-BG-TV", period__label="Quý III/2026")
    assert client.login(username="reviewer", password=DEMO_PASSWORD)
    url = reverse("reports:summary_remind", args=[report.period_id])
    response = client.post(url, {"report": [report.pk]}, follow=True)
    assert "Đã gửi nhắc 1 đơn vị." in response.content.decode()
    response = client.post(url, {"report": [report.pk]}, follow=True)
    assert "Đã gửi nhắc 0 đơn vị. 1 đơn vị đã được nhắc hôm nay" in response.content.decode()
    assert Notice.objects.filter(report=report, kind="manual").count() == 1


def test_a_head_cannot_send_reminders(client, demo):
    report = Report.objects.get(agency__code="HD-BG-TV", period__label="Quý III/2026")
    assert client.login(username="head", password=DEMO_PASSWORD)
    response = client.post(reverse("reports:summary_remind", args=[report.period_id]), {"report": [report.pk]})
    assert response.status_code == 403
    assert not Notice.objects.filter(kind="manual").exists()


def test_command_dry_run_lists_and_writes_nothing(demo):
    before = Notice.objects.count()
    out = io.StringIO()
    call_command("send_reminders", "--date", "2026-11-22", "--dry-run", stdout=out)
    assert "Ủy ban nhân dân xã Tân Việt – Quý III/2026" in out.getvalue()
    assert "chạy thử" in out.getvalue()
    assert Notice.objects.count() == before


def test_a_reviewer_with_two_memberships_in_scope_gets_one_notification(demo):
    from agencies.models import Membership

    reviewer = Membership.objects.get(user__username="reviewer").user
    Membership.objects.create(user=reviewer, agency=Agency.objects.get(code="HD-BG"), role="reviewer")
    created = notices_record(due=[d for d in notices_due(today=TODAY) if d.kind == "escalation"])
    assert created
    assert all(Notification.objects.filter(notice=n, user=reviewer).count() == 1 for n in created)


def test_a_notice_claimed_by_another_worker_is_busy_not_lost(demo):
    from django.utils import timezone

    notice = notices_record(due=[d for d in notices_due(today=TODAY) if d.report.agency.code == "HD-BG-KS"])[0]
    Notice.objects.filter(pk=notice.pk).update(claimed_at=timezone.now())
    assert notice_send(notice_id=notice.pk) == "busy"
    Notice.objects.filter(pk=notice.pk).update(claimed_at=timezone.now() - dt.timedelta(minutes=11))
    assert notice_send(notice_id=notice.pk) == "sent"  # a dead worker's claim is taken over


def test_a_returned_report_gets_its_notice_at_once_and_no_overdue_nagging(client, demo):
    report = Report.objects.get(agency__code="HD-BG-NV", period__label="Quý III/2026")
    assert client.login(username="reviewer", password=DEMO_PASSWORD)
    client.post(reverse("reports:review", args=[report.pk]), {"decision": "return", "comment": "Bổ sung."})
    assert Notice.objects.filter(report=report, kind="returned").count() == 1
    kinds = {d.kind for d in notices_due(today=TODAY) if d.report.pk == report.pk}
    assert kinds == set()


def test_lower_levels_are_due_before_the_province_even_around_tet(demo):
    from schedule.calendar import period_bounds, province_due
    from schedule.models import ReportingPeriod, ReportingRule
    from schedule.services import agency_due_date

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


def test_summary_keeps_units_with_the_same_short_name_apart(client, demo):
    from schedule.models import ReportingPeriod

    Agency.objects.filter(code__in=["HD-BG-KS", "HD-BG-VH"]).update(short_name="UBND xã")
    period = ReportingPeriod.objects.get(label="Quý I/2026")
    assert client.login(username="reviewer", password=DEMO_PASSWORD)
    summary = client.get(reverse("reports:summary", args=[period.pk])).context
    names = [row["name"] for row in summary["by_agency"].values()]
    assert names.count("UBND xã") == 2
