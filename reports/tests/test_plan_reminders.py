"""Reminders to issue next year's plan: the deadline comes from the issuer's
rule set (schedule.PlanDeadline); the daily sweep reminds the unit's drafters
before it, on the day and (heads too) every few days after it until the plan
is issued, through the same notices as the report reminders. On the small
`tree`: the province asks every unit below it for next year's plan by 20/11."""

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency, Membership
from agencies.tests.factories import AgencyFactory, user_with_roles
from plans.models import Plan
from plans.selectors import plan_deadline_status
from plans.tests.factories import plan_draft, plan_issued
from reports.models import Notice, Notification
from reports.services import (
    DueNotice,
    notice_send,
    notices_record,
    notices_requeue,
    plan_notices_due,
    plans_owed,
)
from reports.sweep import reminders_sweep
from reports.tasks import send_notice_task
from reports.tests.factories import report_world
from schedule.models import PlanDeadline, ReportingChain

DEADLINE = dt.date(2026, 11, 20)  # for the 2027 plans: a Friday, a working day
YEAR = 2027


@pytest.fixture(autouse=True)
def reminder_rules(settings):
    settings.REMINDER_DAYS_BEFORE = [7, 1]
    settings.REMINDER_OVERDUE_EVERY_DAYS = 3


@pytest.fixture
def deadline_rule(tree, personas):
    """The province's rule set: every unit below it issues next year's plan by 20/11."""
    chain, _ = ReportingChain.objects.get_or_create(owner=tree["province"], defaults={"name": "Tỉnh Thử"})
    return PlanDeadline.objects.create(chain=chain, agency_kind="", month=11, day=20)


def due_for(agency, day):
    return sorted((d.kind, d.day) for d in plan_notices_due(today=day) if d.owed.agency.pk == agency.pk)


def record(day, agency=None):
    """Record the plan notices due on `day` (only `agency`'s, if given)."""
    return notices_record(due=[d for d in plan_notices_due(today=day) if agency is None or d.agency_id == agency.pk])


def plan_issued_for(tree, personas, **fields):
    return plan_issued(issuer=tree["district"], drafter=personas.drafter, head=personas.head, year=YEAR, **fields)


def test_before_on_and_after_the_deadline(tree, deadline_rule):
    district = tree["district"]
    assert due_for(district, dt.date(2026, 11, 12)) == []
    assert due_for(district, dt.date(2026, 11, 13)) == [("before_due", dt.date(2026, 11, 13))]
    assert due_for(district, dt.date(2026, 11, 19)) == [("before_due", dt.date(2026, 11, 19))]
    assert due_for(district, DEADLINE) == [("due", DEADLINE)]
    assert due_for(district, dt.date(2026, 11, 21)) == [("overdue", dt.date(2026, 11, 21))]


def test_each_mark_once_and_overdue_every_three_days(tree, deadline_rule):
    district = tree["district"]
    record(dt.date(2026, 11, 13), district)
    assert due_for(district, dt.date(2026, 11, 14)) == []  # the 7-day mark went out
    # No sweep ran on 19/11: on the day itself the day's notice goes out, not the 1-day mark.
    record(DEADLINE, district)
    assert due_for(district, DEADLINE) == []
    record(dt.date(2026, 11, 21), district)
    assert due_for(district, dt.date(2026, 11, 23)) == []
    assert due_for(district, dt.date(2026, 11, 24)) == [("overdue", dt.date(2026, 11, 24))]
    assert list(Notice.objects.filter(agency=district, year=YEAR).order_by("day").values_list("kind", flat=True)) == [
        "before_due", "due", "overdue"]


def test_a_plan_issued_in_time_gets_nothing(tree, personas, deadline_rule):
    plan_issued_for(tree, personas, issue_date=dt.date(2026, 11, 10))
    for day in (dt.date(2026, 11, 13), DEADLINE, dt.date(2026, 11, 25)):
        assert due_for(tree["district"], day) == []
    # The units that have not issued theirs are still reminded.
    assert due_for(tree["district2"], DEADLINE) == [("due", DEADLINE)]


def test_a_plan_issued_late_stops_the_reminders(tree, personas, deadline_rule):
    district = tree["district"]
    record(dt.date(2026, 11, 21), district)
    plan_issued_for(tree, personas, issue_date=dt.date(2026, 11, 25))
    assert due_for(district, dt.date(2026, 11, 24)) == []
    assert due_for(district, dt.date(2026, 11, 27)) == []
    assert Notice.objects.filter(agency=district).count() == 1


def test_a_draft_or_a_submitted_plan_is_not_issued(tree, personas, deadline_rule):
    draft = plan_draft(issuer=tree["district"], year=YEAR)
    assert due_for(tree["district"], DEADLINE) == [("due", DEADLINE)]
    Plan.objects.filter(pk=draft.pk).update(status=Plan.Status.SUBMITTED)
    assert due_for(tree["district"], DEADLINE) == [("due", DEADLINE)]


def test_a_deleted_draft_is_not_linked(tree, personas, deadline_rule):
    draft = plan_draft(issuer=tree["district"], year=YEAR)
    assert [o.draft_id for o in plans_owed(year=YEAR) if o.agency == tree["district"]] == [draft.pk]
    Plan.objects.filter(pk=draft.pk).update(status=Plan.Status.DELETED)
    assert [o.draft_id for o in plans_owed(year=YEAR) if o.agency == tree["district"]] == [None]


def test_only_next_years_plan_and_only_where_a_rule_asks(tree, deadline_rule):
    # On 13/11/2025 the 2026 plan (due 20/11/2025) is next year's.
    assert due_for(tree["district"], dt.date(2025, 11, 13)) == [("before_due", dt.date(2025, 11, 13))]
    # From 1/1/2027 next year is 2028, due 20/11/2027: the 2027 plan is no longer chased.
    assert due_for(tree["district"], dt.date(2027, 1, 2)) == []
    deadline_rule.delete()
    assert plan_notices_due(today=DEADLINE) == []


def test_the_units_that_owe_are_the_plan_lists(tree, personas, neighbour, deadline_rule):
    """Same answer as plan_deadline_status (the plan list's reminder) for every
    unit someone may draft or head for; none for a unit without either role,
    nor for one merged away."""
    plan_issued(issuer=tree["district2"], drafter=personas.outsider, head=personas.outsider, year=YEAR,
                issue_date=dt.date(2026, 11, 10))
    merged = AgencyFactory(code="D-Z", parent=tree["district"], kind=Agency.Kind.COMMUNE, is_active=False,
                           dissolved_on=dt.date(2025, 7, 1))
    user_with_roles("drafter-old", (merged, Membership.Role.DRAFTER))
    owed = {o.agency.pk for o in plans_owed(year=YEAR)}
    writers = Agency.objects.filter(memberships__role__in=["drafter", "head"], is_active=True).distinct()
    for agency in writers:
        status = plan_deadline_status(agency=agency, year=YEAR, today=DEADLINE)
        assert (agency.pk in owed) == (status is not None and status["plan"] is None), agency.name
    assert owed == {tree["district"].pk, tree["commune"].pk, neighbour[0].pk}
    assert tree["home_affairs"].pk not in owed  # a reviewer only: nobody there drafts plans


def test_drafters_are_reminded_and_heads_too_once_overdue(tree, personas, deadline_rule):
    drafter2 = user_with_roles("drafter2", (tree["district"], Membership.Role.DRAFTER), email="")
    (before,) = record(dt.date(2026, 11, 13), tree["district"])
    users = set(Notification.objects.filter(notice=before).values_list("user__username", flat=True))
    assert users == {"drafter", "drafter2"}
    assert before.recipients == [personas.drafter.email]  # drafter2 has no address: bell only
    (overdue,) = record(dt.date(2026, 11, 21), tree["district"])
    users = set(Notification.objects.filter(notice=overdue).values_list("user__username", flat=True))
    assert users == {"drafter", "drafter2", "head"}
    assert overdue.recipients == sorted([personas.drafter.email, personas.head.email])
    assert drafter2.notifications.count() == 2


def test_bell_text_and_link(tree, personas, deadline_rule):
    (notice,) = record(dt.date(2026, 11, 13), tree["district"])
    bell = Notification.objects.get(notice=notice, user=personas.drafter)
    assert bell.title == "Kế hoạch tuyên truyền CCHC năm 2027: hạn ban hành 20/11/2026 (còn 7 ngày)"
    assert bell.body.startswith("Ủy ban nhân dân huyện Một chưa ban hành Kế hoạch tuyên truyền cải cách hành chính")
    assert bell.url == reverse("plans:list")
    draft = plan_draft(issuer=tree["district"], year=YEAR)
    (notice,) = record(DEADLINE, tree["district"])
    bell = Notification.objects.get(notice=notice, user=personas.drafter)
    assert bell.title.endswith("(hôm nay là hạn)") and bell.url == reverse("plans:detail", args=[draft.pk])
    assert "Dự thảo đã có trên Cổng" in bell.body
    (notice,) = record(dt.date(2026, 11, 23), tree["district"])
    assert Notification.objects.get(notice=notice, user=personas.head).title.endswith("(đã quá hạn 3 ngày)")


def test_the_email_renders(tree, personas, deadline_rule, settings):
    settings.SITE_URL = "https://kehoach.example.gov.vn"
    draft = plan_draft(issuer=tree["district"], year=YEAR)
    (notice,) = record(dt.date(2026, 11, 21), tree["district"])
    assert notice_send(notice_id=notice.pk) == "sent"
    assert notice_send(notice_id=notice.pk) == "done"  # nothing twice
    (message,) = mail.outbox
    assert message.subject == "Kế hoạch tuyên truyền CCHC năm 2027: hạn ban hành 20/11/2026 (đã quá hạn 1 ngày)"
    assert sorted(message.to) == sorted([personas.drafter.email, personas.head.email])
    assert "Đơn vị: Ủy ban nhân dân huyện Một" in message.body
    assert "Hạn ban hành: 20/11/2026" in message.body
    assert f"Mở dự thảo kế hoạch: https://kehoach.example.gov.vn/plans/{draft.pk}/" in message.body
    html = message.alternatives[0][0]
    assert "<strong>20/11/2026</strong>" in html and "Mở dự thảo kế hoạch</a>" in html
    assert f'href="https://kehoach.example.gov.vn/plans/{draft.pk}/"' in html
    assert message.extra_headers["Message-ID"] == f"<notice-{notice.pk}-overdue-20261121@cchc-portal>"


def test_a_report_email_still_renders_its_facts(tree, personas):
    """The e-mail templates are shared: a report notice keeps its period and due date."""
    world = report_world(tree=tree, personas=personas, leads=("commune",))
    report = world.report(tree["commune"], "Quý III/2026")
    (notice,) = notices_record(due=[DueNotice(report, Notice.Kind.MANUAL, dt.date(2026, 11, 22))])
    assert notice_send(notice_id=notice.pk) == "sent"
    (message,) = mail.outbox
    assert f"Kỳ báo cáo: Quý III/2026 ({report.period.start:%d/%m/%Y} – {report.period.end:%d/%m/%Y})" in message.body
    assert f"Hạn nộp: {report.due_date:%d/%m/%Y}" in message.body and "Mở báo cáo: " in message.body


def test_a_notice_whose_rule_was_removed_is_not_sent(tree, personas, deadline_rule):
    (notice,) = record(dt.date(2026, 11, 13), tree["district"])
    deadline_rule.delete()
    assert notice_send(notice_id=notice.pk) == "done"
    notice.refresh_from_db()
    assert mail.outbox == [] and notice.sent_at is None and "Không còn quy định" in notice.last_error
    assert notices_requeue() == 0  # given up on


def test_requeue_resends_while_the_plan_is_not_issued(tree, personas, deadline_rule):
    (notice,) = record(dt.date(2026, 11, 21), tree["district"])
    Notice.objects.filter(pk=notice.pk).update(created_at=timezone.now() - dt.timedelta(minutes=11))
    try:
        assert notices_requeue() == 1
        plan_issued_for(tree, personas, issue_date=dt.date(2026, 11, 22))
        assert notices_requeue() == 0
    finally:
        send_notice_task.app.control.purge()  # the message went to the test broker; no worker here


def test_the_notification_list_shows_it_to_the_drafter_only(client, tree, personas, deadline_rule):
    record(dt.date(2026, 11, 13))  # the district's and district2's (the outsider drafts there)
    page = personas.login(client, "drafter").get(reverse("reports:notifications")).content.decode()
    assert "Kế hoạch tuyên truyền CCHC năm 2027: hạn ban hành 20/11/2026 (còn 7 ngày)" in page
    assert "Ủy ban nhân dân huyện Một chưa ban hành" in page and f'href="{reverse("plans:list")}"' in page
    assert "Ủy ban nhân dân huyện Hai" not in page
    assert "Đã đọc, mở kế hoạch" in page
    body = client.get("/").content.decode()
    assert 'id="bell-count">1<' in body
    # Another user's notification cannot be marked read from here.
    foreign = Notification.objects.get(user=personas.outsider)
    client.post(reverse("reports:notifications_read"), {"id": foreign.pk})
    foreign.refresh_from_db()
    assert foreign.read_at is None
    page = personas.login(client, "outsider").get(reverse("reports:notifications")).content.decode()
    assert "Ủy ban nhân dân huyện Hai chưa ban hành" in page and "huyện Một" not in page
    assert "(còn 7 ngày)" not in personas.login(client, "reviewer").get(reverse("reports:notifications")).content.decode()


def test_a_second_sweep_records_nothing_new(tree, personas, deadline_rule, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        first = reminders_sweep(today=DEADLINE)
    plan_due = [d for d in first.due if d.owed]
    assert {d.owed.agency.pk for d in plan_due} == {tree["district"].pk, tree["commune"].pk, tree["district2"].pk}
    assert Notice.objects.filter(year=YEAR, kind="due").count() == 3
    second = reminders_sweep(today=DEADLINE)
    assert second.created == 0 and not [d for d in second.due if d.owed]


def test_command_lists_plan_reminders(tree, personas, deadline_rule):
    out = io.StringIO()
    call_command("send_reminders", "--date", "2026-11-20", "--dry-run", stdout=out)
    assert "Ủy ban nhân dân huyện Một – Kế hoạch năm 2027 (hạn ban hành 20/11/2026)" in out.getvalue()
    assert not Notice.objects.exists()


def _units(tree, numbers):
    """Communes under the district, each with a drafter; every third has a
    draft, every fifth has issued its plan. Returns how many owe it."""
    owing = 0
    for index in numbers:
        unit = AgencyFactory(code=f"D-Q{index}", parent=tree["district"], kind=Agency.Kind.COMMUNE)
        user_with_roles(f"q{index}", (unit, Membership.Role.DRAFTER))
        if index % 3 == 0:
            plan_draft(issuer=unit, year=YEAR)
        if index % 5 == 0:
            Plan.objects.filter(pk=plan_draft(issuer=unit, year=YEAR).pk).update(status=Plan.Status.ISSUED)
        else:
            owing += 1
    return owing


@pytest.mark.parametrize("local_rule", [True, False], ids=["province-rule", "central-rule"])
def test_the_plan_part_of_the_sweep_takes_a_fixed_number_of_queries(tree, personas, local_rule):
    owner = tree["province"] if local_rule else None  # a province's rule needs the tree above each unit
    chain, _ = ReportingChain.objects.get_or_create(owner=owner, defaults={"name": "Bộ quy định"})
    PlanDeadline.objects.create(chain=chain, agency_kind="", month=11, day=20)
    counts, owing = {}, 0
    for numbers in (range(3), range(3, 30)):
        owing += _units(tree, numbers)
        record(dt.date(2026, 11, 21))  # notices already sent: every branch runs
        with CaptureQueriesContext(connection) as queries:
            due = plan_notices_due(today=dt.date(2026, 11, 24))
        counts[numbers.stop] = len(queries)
        units = set(Agency.objects.filter(code__startswith="D-Q").values_list("pk", flat=True))
        assert len([d for d in due if d.agency_id in units]) == owing
    # units, deadlines (+ the tree above and its parents for a province's rule), their plans, notices sent
    assert counts[3] == counts[30] == (6 if local_rule else 4), counts


def test_a_notice_has_exactly_one_subject(tree, personas):
    report = report_world(tree=tree, personas=personas, leads=("commune",)).report(tree["commune"], "Quý I/2026")
    plan = Plan.objects.first()
    day = dt.date(2026, 11, 20)
    bad = [
        {},  # nothing
        {"report": report, "agency": tree["district"], "year": YEAR},
        {"agency": tree["district"]},  # a unit without the year
        {"year": YEAR},
        {"report": report, "plan": plan},
        {"plan": plan, "agency": tree["district"], "year": YEAR},
    ]
    for subject in bad:
        with pytest.raises(IntegrityError), transaction.atomic():
            Notice.objects.create(kind="due", day=day, **subject)
    for subject in ({"report": report}, {"agency": tree["district"], "year": YEAR}, {"plan": plan}):
        Notice.objects.create(kind="due", day=day, **subject)
        # The same subject, kind and day twice: refused on PostgreSQL and SQLite alike.
        with pytest.raises(IntegrityError), transaction.atomic():
            Notice.objects.create(kind="due", day=day, **subject)
    # Another year, kind or day of the same unit is another notice.
    Notice.objects.create(kind="due", day=day, agency=tree["district"], year=YEAR + 1)
    Notice.objects.create(kind="overdue", day=day, agency=tree["district"], year=YEAR)
