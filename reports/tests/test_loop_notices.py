"""Notices of the approval loop, bell and e-mail: a plan submitted (to the
issuer's heads), returned (to its drafters, with the reason), withdrawn (to
the heads), issued (to each lead unit's heads: "chủ trì N nhiệm vụ"); a
report submitted (to the reviewers over the unit), returned and accepted
(to the unit). Each once per event, whatever repeats; what a move answers is
closed; a user's choice of the bell only is honoured. On the small `tree`."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agencies.models import Membership
from agencies.tests.factories import user_with_roles
from plans import services as plan_services
from plans.models import Plan, PlanTransition
from plans.tests.factories import plan_draft
from reports import services
from reports.models import Notice, Notification, NotificationPreference, Report
from reports.services import notice_send, notices_due, notices_record, notices_requeue, plan_move_notify
from reports.sweep import reminders_sweep
from reports.tasks import send_notice_task
from reports.tests.factories import report_fill, report_sent

Topic = NotificationPreference.Topic
TODAY = timezone.localdate()
ISSUE = {"signer_authority": "TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH", "signer_position": "PHÓ CHỦ TỊCH",
         "signer_name": "Nguyễn Văn An"}


@pytest.fixture
def told(django_capture_on_commit_callbacks):
    """told(action): run `action` (a plan move, in its own transaction as a
    view would) and then what its commit tells (the plan notices only: the
    e-mails stay unsent, no broker in these tests)."""
    def run(action):
        with django_capture_on_commit_callbacks() as callbacks:
            result = action()
        for callback in callbacks:
            if getattr(callback, "func", None) is plan_move_notify:
                callback()
        return result
    return run


@pytest.fixture
def draft(tree, personas):
    """The district's draft for next year, tasks led by the commune (two) and Phòng Nội vụ (one)."""
    return plan_draft(issuer=tree["district"], leads=[tree["commune"], tree["commune"], tree["home_affairs"]],
                      year=TODAY.year + 1, created_by=personas.drafter)


@pytest.fixture
def second_head(tree):
    return user_with_roles("head-b", (tree["district"], Membership.Role.HEAD), first_name="Đỗ Văn Bình")


def bell(notice) -> set[str]:
    return set(Notification.objects.filter(notice=notice).values_list("user__username", flat=True))


def plan_notices(plan, kind) -> list[Notice]:
    return list(Notice.objects.filter(plan=plan, kind=kind).order_by("pk"))


def submit(plan, user):
    return plan_services.plan_submit(plan=plan, user=user)


def issue(plan, user, number=7):
    return plan_services.plan_issue(plan=plan, user=user, number=number, issue_date=TODAY, **ISSUE)


# Plans --------------------------------------------------------------------------------------

def test_a_submitted_plan_tells_the_issuers_heads_once(told, draft, personas, second_head):
    told(lambda: submit(draft, personas.drafter))
    (notice,) = plan_notices(draft, "submitted")
    assert bell(notice) == {"head", "head-b"}  # not the drafter who did it, not the outsider
    assert notice.recipients == ["head-b@example.com", "head@example.com"]
    assert notice.agency == draft.issuer and notice.transition.to_status == "submitted"
    row = Notification.objects.get(notice=notice, user=personas.head)
    assert row.title == f"Dự thảo kế hoạch năm {TODAY.year + 1} chờ phê duyệt"
    assert row.body.startswith(f"Người dùng drafter đã trình dự thảo «{draft.title}» của Ủy ban nhân dân huyện Một")
    assert row.url == f"/plans/{draft.pk}/"
    # Told again (a retry of the callback, a second sweep): nothing new.
    plan_move_notify(transition_id=notice.transition_id)
    assert reminders_sweep(today=TODAY).created == 0
    # A second click on «Trình»: refused, so still one notice.
    with pytest.raises(ValidationError):
        told(lambda: submit(draft, personas.drafter))
    assert Notice.objects.filter(plan=draft).count() == 1


def test_a_returned_plan_tells_its_drafters_the_reason_each_time(told, draft, personas, tree):
    other_drafter = user_with_roles("drafter-b", (tree["district"], Membership.Role.DRAFTER))
    told(lambda: submit(draft, personas.drafter))
    told(lambda: plan_services.plan_return(plan=draft, user=personas.head, comment="Bổ sung kinh phí mục 3."))
    # The same day, once more: a second notice, keyed by the move, not the day.
    told(lambda: submit(draft, personas.drafter))
    told(lambda: plan_services.plan_return(plan=draft, user=personas.head, comment="Sửa thời gian nhiệm vụ 2."))
    first, second = plan_notices(draft, "returned")
    assert first.day == second.day == TODAY
    assert bell(first) == {"drafter", other_drafter.username}
    row = Notification.objects.get(notice=second, user=other_drafter)
    assert row.title == f"Dự thảo kế hoạch năm {TODAY.year + 1} bị trả lại"
    assert "Lý do: «Sửa thời gian nhiệm vụ 2.»" in row.body and "Người dùng head đã trả lại" in row.body
    # The heads' «chờ phê duyệt» were answered by the returns: read, closed.
    submitted = plan_notices(draft, "submitted")
    assert len(submitted) == 2 and all(n.closed_at for n in submitted)
    assert not Notification.objects.filter(notice__in=submitted, read_at=None).exists()
    # The drafters' first «bị trả lại» closed when it went up again; the second is open.
    assert first.__class__.objects.get(pk=first.pk).closed_at is not None
    assert Notice.objects.get(pk=second.pk).closed_at is None


def test_a_return_reaches_a_head_who_submitted_it_and_a_withdrawal_the_heads(told, draft, personas, second_head):
    told(lambda: submit(draft, second_head))  # a head may submit too
    told(lambda: plan_services.plan_return(plan=draft, user=personas.head, comment="Chưa đủ."))
    assert bell(plan_notices(draft, "returned")[0]) == {"drafter", "head-b"}
    told(lambda: submit(draft, personas.drafter))
    told(lambda: plan_services.plan_withdraw(plan=draft, user=personas.drafter, comment="Sửa lại phụ lục."))
    (withdrawn,) = plan_notices(draft, "withdrawn")
    assert bell(withdrawn) == {"head", "head-b"}
    row = Notification.objects.get(notice=withdrawn, user=personas.head)
    assert row.title.endswith("đã được thu hồi") and "không còn chờ phê duyệt" in row.body


def test_an_issued_plan_tells_each_lead_unit_how_many_tasks_it_leads(told, draft, personas, tree, second_head):
    commune_head = user_with_roles("chu-tich-xa", (tree["commune"], Membership.Role.HEAD))
    nv_head = user_with_roles("truong-phong", (tree["home_affairs"], Membership.Role.HEAD))
    nv_drafter = user_with_roles("chuyen-vien", (tree["home_affairs"], Membership.Role.DRAFTER))
    told(lambda: submit(draft, personas.drafter))
    told(lambda: issue(draft, second_head))
    issued = {n.agency_id: n for n in plan_notices(draft, "issued")}
    assert set(issued) == {tree["commune"].pk, tree["home_affairs"].pk}  # one notice per lead unit
    commune, home_affairs = issued[tree["commune"].pk], issued[tree["home_affairs"].pk]
    assert bell(commune) == {"head", commune_head.username}  # heads only
    assert bell(home_affairs) == {nv_head.username} and nv_drafter.username not in bell(home_affairs)
    assert commune.recipients == ["chu-tich-xa@example.com", "head@example.com"]
    row = Notification.objects.get(notice=commune, user=commune_head)
    assert row.title == "Đơn vị chủ trì 2 nhiệm vụ trong Kế hoạch số 07/KH-UBND"
    assert "Ủy ban nhân dân xã Một chủ trì 2 nhiệm vụ" in row.body
    assert Notification.objects.get(notice=home_affairs).title == (
        "Đơn vị chủ trì 1 nhiệm vụ trong Kế hoạch số 07/KH-UBND")
    # The heads' «chờ phê duyệt» is answered.
    assert not Notification.objects.filter(notice__plan=draft, notice__kind="submitted", read_at=None).exists()
    # The e-mail: the same facts, the count, the link.
    assert notice_send(notice_id=commune.pk) == "sent"
    (message,) = mail.outbox
    assert message.subject == "Đơn vị chủ trì 2 nhiệm vụ trong Kế hoạch số 07/KH-UBND"
    assert "Số nhiệm vụ chủ trì: 2" in message.body and f"/plans/{draft.pk}/" in message.body
    assert "<strong>2</strong>" in message.alternatives[0][0]


def test_a_move_the_plan_has_moved_on_from_tells_nothing(told, draft, personas):
    """Submitted and issued in one go (a head on their own draft, the demo):
    the heads are not asked to approve what is already issued."""
    def both():
        with transaction.atomic():
            submit(draft, personas.drafter)
            issue(draft, personas.head)
    told(both)
    assert not Notice.objects.filter(plan=draft, kind="submitted").exists()
    commune = Notice.objects.get(plan=draft, kind="issued", agency=draft.tasks.first().lead_agency)
    assert bell(commune) == set()  # headed by `head`, who issued it: not told of their own act
    assert Notice.objects.filter(plan=draft).count() == 2  # the commune and Phòng Nội vụ


def test_a_move_whose_telling_was_lost_is_caught_up_by_the_sweep_once(draft, personas):
    submit(draft, personas.drafter)  # its commit's callback never runs here: a process that died
    assert not Notice.objects.exists()
    first = reminders_sweep(today=TODAY)
    (notice,) = plan_notices(draft, "submitted")
    assert notice.pk in [n.pk for n in Notice.objects.all()] and first.created >= 1
    assert bell(notice) == {"head"}
    assert reminders_sweep(today=TODAY).created == 0
    # A week later it is no longer news.
    PlanTransition.objects.update(created_at=timezone.now() - dt.timedelta(days=9))
    Notice.objects.all().delete()
    assert not [d for d in reminders_sweep(today=TODAY, dry_run=True).due if d.move]


def test_a_plan_whose_years_are_over_tells_its_leads_nothing(told, tree, personas):
    old = plan_draft(issuer=tree["district"], leads=[tree["commune"]], year=TODAY.year - 1)
    told(lambda: plan_services.plan_record(plan=old, user=personas.head, number=3,
                                           issue_date=dt.date(TODAY.year - 1, 1, 5), **ISSUE))
    assert not Notice.objects.filter(plan=old, kind="issued").exists()


# Reports ------------------------------------------------------------------------------------

@pytest.fixture
def q1(world, tree):
    return report_fill(world.report(tree["commune"], "Quý I/2026"))


def test_a_submitted_report_tells_the_reviewers_over_the_unit_once(q1, personas, tree):
    province_reviewer = user_with_roles("so-noi-vu", (tree["province"], Membership.Role.REVIEWER))
    user_with_roles("other-reviewer", (tree["district2"], Membership.Role.REVIEWER))
    services.report_submit(report=q1, user=personas.head)
    (notice,) = Notice.objects.filter(report=q1, kind="submitted")
    assert bell(notice) == {"reviewer", province_reviewer.username}  # not the sibling district's
    assert notice.event.kind == "submitted" and notice.recipients == ["reviewer@example.com", "so-noi-vu@example.com"]
    row = Notification.objects.get(notice=notice, user=personas.reviewer)
    assert row.title == "Báo cáo Quý I/2026 của Ủy ban nhân dân xã Một chờ xem xét"
    assert row.url == f"/reports/{q1.pk}/"
    with pytest.raises(ValidationError):  # a double submit: refused, nothing new
        services.report_submit(report=q1, user=personas.head)
    reminders_sweep(today=TODAY)
    assert list(Notice.objects.filter(report=q1)) == [notice]


def test_returned_twice_in_a_day_two_notices_with_the_reason(q1, personas):
    report_sent(q1, by=personas.head, return_by=personas.reviewer, return_comment="Thiếu minh chứng.")
    report_sent(q1, by=personas.head, return_by=personas.reviewer, return_comment="Số liệu quý chưa khớp.")
    first, second = Notice.objects.filter(report=q1, kind="returned").order_by("pk")
    assert first.day == second.day and first.event_id != second.event_id
    row = Notification.objects.get(notice=second, user=personas.head)
    assert "Ý kiến: «Số liệu quý chưa khớp.»" in row.body
    assert bell(second) == {"head"}  # the commune's people; the district's drafter has no say there
    # Resubmitted: the first return is answered; the second submission reached the reviewer anew.
    assert Notice.objects.get(pk=first.pk).closed_at is not None
    assert Notice.objects.filter(report=q1, kind="submitted").count() == 2
    # The sweep knows both returns were told of.
    assert not [d for d in notices_due(today=TODAY) if d.report.pk == q1.pk and d.kind == "returned"]


def test_an_accepted_report_tells_the_units_heads_and_closes_the_reviewers_bell(q1, personas, tree):
    second_reviewer = user_with_roles("reviewer-b", (tree["home_affairs"], Membership.Role.REVIEWER))
    report_sent(q1, by=personas.head, accept_by=personas.reviewer)
    (notice,) = Notice.objects.filter(report=q1, kind="accepted")
    assert bell(notice) == {"head"}  # heads only: the drafter is not told
    row = Notification.objects.get(notice=notice)
    assert row.title == "Báo cáo Quý I/2026 đã được tiếp nhận"
    assert row.body.endswith("Ý kiến: «Báo cáo đầy đủ.».")
    # The other reviewer's «chờ xem xét» is read: nothing awaits review now.
    waiting = Notification.objects.get(notice__report=q1, notice__kind="submitted", user=second_reviewer)
    assert waiting.read_at is not None


def test_a_submission_closes_the_reports_reminders(q1, personas, tree, settings):
    Report.objects.filter(pk=q1.pk).update(due_date=TODAY - dt.timedelta(days=2))
    overdue = [d for d in notices_due(today=TODAY) if d.report.pk == q1.pk and d.kind == "overdue"]
    (notice,) = notices_record(due=overdue)
    commune_drafter = user_with_roles("van-thu-xa", (tree["commune"], Membership.Role.DRAFTER))
    Notification.objects.create(user=commune_drafter, notice=notice, title="…", body="…", url="/")
    assert Notification.objects.filter(notice=notice, read_at=None).count() == 2
    q1.refresh_from_db()
    services.report_submit(report=q1, user=personas.head)
    notice.refresh_from_db()
    assert notice.closed_at is not None
    assert not Notification.objects.filter(notice=notice, read_at=None).exists()
    # Its e-mail, not sent yet, never goes: neither by the queued task nor by the requeue.
    assert notice_send(notice_id=notice.pk) == "done" and mail.outbox == []
    Notice.objects.update(created_at=timezone.now() - dt.timedelta(hours=1))
    try:
        assert notices_requeue() == 1  # the reviewers' «chờ xem xét», not the closed reminder
    finally:
        send_notice_task.app.control.purge()  # the message went to the test broker; no worker here


# Preferences --------------------------------------------------------------------------------

def test_bell_only_keeps_the_bell_and_drops_the_email(told, draft, personas, second_head, q1):
    NotificationPreference.objects.create(user=second_head, topic=Topic.PLAN_SUBMITTED, email=False)
    NotificationPreference.objects.create(user=personas.head, topic=Topic.REPORT_RETURNED, email=False)
    told(lambda: submit(draft, personas.drafter))
    (notice,) = plan_notices(draft, "submitted")
    assert bell(notice) == {"head", "head-b"}
    assert notice.recipients == ["head@example.com"]  # head-b chose the bell only for this topic
    report_sent(q1, by=personas.head, return_by=personas.reviewer)
    (returned,) = Notice.objects.filter(report=q1, kind="returned")
    assert "head" in bell(returned) and "head@example.com" not in returned.recipients
    # Another topic of the same user still mails.
    told(lambda: plan_services.plan_return(plan=draft, user=personas.head, comment="Sửa."))
    told(lambda: submit(draft, second_head))
    assert "head@example.com" in plan_notices(draft, "submitted")[-1].recipients


def test_the_unit_mailbox_still_gets_the_reminders_of_a_head_on_the_bell_only(q1, personas, tree):
    from agencies.models import Agency

    Agency.objects.filter(pk=tree["commune"].pk).update(email="xamot@example.gov.vn")
    NotificationPreference.objects.create(user=personas.head, topic=Topic.REPORT_DEADLINE, email=False)
    Report.objects.filter(pk=q1.pk).update(due_date=TODAY)
    (notice,) = notices_record(due=[d for d in notices_due(today=TODAY) if d.report.pk == q1.pk])
    assert notice.kind == "due" and notice.recipients == ["xamot@example.gov.vn"]
    assert "head" in bell(notice)


def test_a_report_email_tells_the_reason_of_a_return(q1, personas, settings):
    settings.SITE_URL = "https://kehoach.example.gov.vn"
    report_sent(q1, by=personas.head, return_by=personas.reviewer, return_comment="Bổ sung ảnh niêm yết.")
    notice = Notice.objects.get(report=q1, kind="returned")
    assert notice_send(notice_id=notice.pk) == "sent"
    (message,) = mail.outbox
    assert "Ý kiến xem xét: Bổ sung ảnh niêm yết." in message.body
    assert f"https://kehoach.example.gov.vn/reports/{q1.pk}/" in message.body
    assert Plan.objects.count() == 1


def test_telling_of_plan_moves_takes_a_fixed_number_of_queries(tree, personas, django_assert_num_queries):
    """The sweep's catch-up reads the moves of many plans at once: latest
    moves, the leads' task counts and units, the submitters."""
    numbers = iter(range(1, 100))

    def moves(count):
        plans = [plan_draft(issuer=tree["district"], leads=[tree["commune"]], year=TODAY.year + 1)
                 for _ in range(count)]
        for plan in plans:
            submit(plan, personas.drafter)
        for plan in plans[::2]:
            plan_services.plan_return(plan=plan, user=personas.head, comment="Sửa.")
        for plan in plans[1::2]:
            issue(plan, personas.head, number=next(numbers))
        return list(PlanTransition.objects.filter(plan__in=plans).select_related("plan__issuer", "user"))

    from reports.services import plan_moves_due

    few, many = moves(2), moves(8)
    with django_assert_num_queries(4):
        assert len(plan_moves_due(transitions=few)) == 2
    with django_assert_num_queries(4):
        assert len(plan_moves_due(transitions=many)) == 8  # four returns, four issues to the commune
