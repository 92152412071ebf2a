"""Recording a report sent on paper: who may, the date it was sent deciding
on time or late, refusals next to the field with nothing written."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies.models import Membership
from reports import services
from reports.models import Report, ReportEvent
from reports.tests.factories import report_fill, report_sent
from reports.tests.test_reports import Q1, line_post


def record_post(report, on: dt.date, **overrides):
    return line_post(report, submitted_on=f"{on:%d/%m/%Y}", results="Đã niêm yết thủ tục tại trụ sở.",
                     **overrides)


@pytest.fixture
def q1_draft(world, tree):
    """The commune's Quý I/2026 report, never sent through the portal."""
    return world.report(tree["commune"], Q1)


@pytest.mark.parametrize("persona", ["reviewer", "admin"])
def test_reviewer_in_scope_or_admin_records_a_paper_report(client, q1_draft, personas, persona):
    report = q1_draft
    sent_on = report.due_date - dt.timedelta(days=2)
    personas.login(client, persona)
    assert client.get(reverse("reports:record", args=[report.pk])).status_code == 200
    response = client.post(reverse("reports:record", args=[report.pk]), record_post(report, sent_on), follow=True)
    assert "Đã ghi nhận báo cáo nộp ngoài cổng: nộp đúng hạn." in response.content.decode()
    report.refresh_from_db()
    assert (report.status, report.recorded) == (Report.Status.ACCEPTED, True)
    assert timezone.localtime(report.submitted_at).date() == sent_on and report.days_late == 0
    assert report.results == "Đã niêm yết thủ tục tại trụ sở."
    assert {line.percent for line in report.lines.all()} == {50}  # the figures typed in
    event = report.events.get()
    assert (event.kind, event.user) == (ReportEvent.Kind.RECORDED, getattr(personas, persona))
    assert f"{sent_on:%d/%m/%Y}" in event.comment
    body = response.content.decode()
    assert "Ghi nhận báo cáo nộp ngoài cổng" in body and f"Nộp ngoài cổng ngày {sent_on:%d/%m/%Y}" in body


def test_the_unit_itself_may_not_record_its_report(client, q1_draft, tree, personas, make_user):
    report = q1_draft
    personas.login(client, "head")  # head of the commune
    assert client.get(reverse("reports:record", args=[report.pk])).status_code == 403
    assert client.post(reverse("reports:record", args=[report.pk]),
                       record_post(report, report.due_date)).status_code == 403
    client.logout()
    drafter = make_user("commune-drafter", (tree["commune"], Membership.Role.DRAFTER))
    client.force_login(drafter)
    assert client.get(reverse("reports:record", args=[report.pk])).status_code == 403
    report.refresh_from_db()
    assert report.status == Report.Status.DRAFT and not report.events.exists()


def test_another_agency_gets_not_found_and_anonymous_goes_to_login(client, q1_draft, personas):
    url = reverse("reports:record", args=[q1_draft.pk])
    personas.login(client, "outsider")  # drafter and head in the sibling district
    assert client.get(url).status_code == 404
    assert client.post(url, record_post(q1_draft, q1_draft.due_date)).status_code == 404
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]
    q1_draft.refresh_from_db()
    assert q1_draft.status == Report.Status.DRAFT


def test_a_report_sent_through_the_portal_is_reviewed_not_recorded(client, q1_draft, personas):
    report_sent(report_fill(q1_draft), by=personas.head)
    personas.login(client, "reviewer")
    assert client.get(reverse("reports:record", args=[q1_draft.pk])).status_code == 403
    assert "record-link" not in client.get(reverse("reports:detail", args=[q1_draft.pk])).content.decode()


def test_a_recorded_past_report_is_on_time_by_its_own_date(q1_draft, personas):
    """Entered months after the deadline, it was sent on time: the paper's date decides."""
    report = q1_draft
    services.report_record(report=report, user=personas.reviewer, submitted_on=report.due_date,
                           lock_version=report.lock_version, lines={}, narrative={"results": "Đủ."},
                           today=report.due_date + dt.timedelta(days=200))
    report.refresh_from_db()
    assert report.days_late == 0 and report.status == Report.Status.ACCEPTED


def test_a_late_paper_report_counts_as_late_in_the_summary(client, q1_draft, world, personas):
    report = q1_draft
    personas.login(client, "reviewer")
    client.post(reverse("reports:record", args=[report.pk]), record_post(report, report.due_date + dt.timedelta(days=6)))
    report.refresh_from_db()
    assert report.days_late == 6
    page = client.get(reverse("reports:summary", args=[world.periods[Q1].pk]))
    # The page lists the late units; the accepted ones it counts (the BC lists them).
    assert report in page.context["late"] and page.context["counts"]["accepted"] == 1
    assert report not in page.context["missing"]


@pytest.mark.parametrize(
    ("shift", "message"),
    [
        ("future", "Ngày nộp không được sau ngày hôm nay"),
        ("before", "Ngày nộp không được trước ngày bắt đầu kỳ báo cáo (15/12/2025)."),  # Quý I runs from 15/12
    ],
)
def test_a_date_in_the_future_or_before_the_period_is_refused(client, q1_draft, personas, shift, message):
    report = q1_draft
    before = (report.lock_version, report.results, list(report.lines.values_list("percent", flat=True)))
    day = timezone.localdate() + dt.timedelta(days=1) if shift == "future" else report.period.start - dt.timedelta(days=1)
    personas.login(client, "reviewer")
    response = client.post(reverse("reports:record", args=[report.pk]), record_post(report, day))
    assert response.status_code == 200
    form = response.context["form"]
    assert any(message in error for error in form.errors["submitted_on"]), form.errors
    body = response.content.decode()
    assert message in body and "Đã niêm yết thủ tục tại trụ sở." in body  # what was typed is kept
    report.refresh_from_db()
    assert report.status == Report.Status.DRAFT and not report.recorded and report.submitted_at is None
    assert (report.lock_version, report.results, list(report.lines.values_list("percent", flat=True))) == before
    assert not report.events.exists()


def test_a_date_that_is_not_a_date_is_refused_next_to_the_field(client, q1_draft, personas):
    personas.login(client, "reviewer")
    data = record_post(q1_draft, q1_draft.due_date) | {"submitted_on": "31/02/2026"}
    response = client.post(reverse("reports:record", args=[q1_draft.pk]), data)
    assert response.context["form"].errors["submitted_on"] == ["Nhập ngày dạng dd/mm/yyyy."]
    q1_draft.refresh_from_db()
    assert q1_draft.status == Report.Status.DRAFT


def test_the_page_is_reachable_from_the_report_and_the_summary(client, world, tree, personas):
    # Quý III/2026: both communes' drafts are past due, so listed as missing.
    report = world.report(tree["commune"], "Quý III/2026")
    url = reverse("reports:record", args=[report.pk])
    personas.login(client, "reviewer")
    assert url in client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    body = client.get(reverse("reports:summary", args=[report.period_id])).content.decode()
    missing = body[body.index('id="missing"'):body.index("</ul>", body.index('id="missing"'))]
    assert url in missing
    client.logout()
    personas.login(client, "head")
    assert url not in client.get(reverse("reports:detail", args=[report.pk])).content.decode()
