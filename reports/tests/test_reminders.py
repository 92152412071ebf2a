"""Which notices are due on a given day, for reports in every state."""

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from agencies.models import Agency
from plans.demo.loader import DEMO_PASSWORD
from reports.models import Notice, Notification, Report
from reports.reminders import notice_send, notices_due, notices_record, reminders_sweep

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
    kinds = [k for k, _ in kinds_for("HD-BG-VH", "6 tháng đầu năm 2026", TODAY)]
    assert "returned" in kinds


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
    assert notice_send(notice_id=overdue.pk) is True
    assert notice_send(notice_id=overdue.pk) is False  # already sent: nothing twice
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
    out = io.StringIO()
    call_command("send_reminders", "--date", "2026-11-22", "--dry-run", stdout=out)
    assert "Ủy ban nhân dân xã Tân Việt – Quý III/2026" in out.getvalue()
    assert "chạy thử" in out.getvalue()
    assert not Notice.objects.exists()
