"""The system accounts of API tokens hold real roles, but reminders, the
bell and e-mails are for people: they never get them."""

from accounts.api_tokens import api_token_issue
from reports.models import Notification
from reports.services import notices_due, notices_record
from reports.tests.test_reminders import TODAY, of, reminder_rules, year_so_far  # noqa: F401


def test_system_accounts_get_no_bell_and_no_mail(year_so_far, tree, personas):  # noqa: F811
    writer, _ = api_token_issue(name="Quản lý văn bản xã", agency=tree["commune"], roles=["drafter", "head"])
    checker, _ = api_token_issue(name="Phần mềm Nội vụ", agency=tree["home_affairs"], roles=["reviewer"])
    created = notices_record(due=of(tree["commune"], notices_due(today=TODAY)))
    kinds = {n.kind for n in created}
    assert {"overdue", "escalation"} <= kinds
    notified = set(Notification.objects.filter(notice__in=created).values_list("user_id", flat=True))
    assert personas.head.pk in notified and personas.reviewer.pk in notified  # people still hear
    assert writer.user_id not in notified and checker.user_id not in notified
