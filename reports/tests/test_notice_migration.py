"""The migrations of notices keep every existing notice: letting a notice be
about a plan (0009) keeps the reports' once-a-day key; keying the notices of
events by the event (0010) ties a kept "returned" notice to its return, so
the sweep does not tell of it again."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from reports.models import Notice as CurrentNotice
from reports.models import ReportEvent
from reports.services import notices_due
from reports.tests.factories import report_fill, report_sent, report_world

BEFORE = [("reports", "0008_report_recorded")]
AFTER = [("reports", "0009_notice_about_report_plan_year_or_plan")]
LATEST = [("reports", "0010_notice_events_closing_and_preferences")]


def migrated_fully():
    """Back to the latest migration of every app (whatever comes after 0010)."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_existing_notices_are_kept(tree, personas):
    world = report_world(tree=tree, personas=personas, leads=("commune",))
    report = world.report(tree["commune"], "Quý I/2026")
    CurrentNotice.objects.all().delete()  # the plan's issue, told of: no subject 0008 knew
    try:
        old = migrate(BEFORE)
        OldNotice = old.get_model("reports", "Notice")
        OldNotification = old.get_model("reports", "Notification")
        notice = OldNotice.objects.create(report_id=report.pk, kind="overdue", day=dt.date(2026, 4, 21),
                                          recipients=["head@example.com"], sent_at=dt.datetime(2026, 4, 21, 7, tzinfo=dt.UTC))
        OldNotification.objects.create(user_id=personas.head.pk, notice=notice, title="Quá hạn", body="…", url="/")
        OldNotice.objects.create(report_id=report.pk, kind="manual", day=dt.date(2026, 4, 22))
        new = migrate(AFTER)
        Notice = new.get_model("reports", "Notice")
        kept = Notice.objects.get(pk=notice.pk)
        assert (kept.report_id, kept.kind, kept.day, kept.recipients) == (
            report.pk, "overdue", dt.date(2026, 4, 21), ["head@example.com"])
        assert kept.sent_at is not None and kept.agency_id is None and kept.year is None and kept.plan_id is None
        assert Notice.objects.count() == 2 and kept.notifications.count() == 1
        with pytest.raises(IntegrityError), transaction.atomic():
            Notice.objects.create(report_id=report.pk, kind="overdue", day=dt.date(2026, 4, 21))
    finally:
        migrated_fully()


@pytest.mark.django_db(transaction=True)
def test_a_kept_return_notice_is_tied_to_its_return(tree, personas):
    world = report_world(tree=tree, personas=personas, leads=("commune",))
    report = report_fill(world.report(tree["commune"], "Quý I/2026"))
    report_sent(report, by=personas.head, return_by=personas.reviewer)
    returned = ReportEvent.objects.get(report=report, kind="returned")
    CurrentNotice.objects.all().delete()
    try:
        old = migrate(AFTER)
        OldNotice = old.get_model("reports", "Notice")
        day = timezone.localtime(returned.created_at).date()
        kept = OldNotice.objects.create(report_id=report.pk, kind="returned", day=day, recipients=["a@example.com"])
        other = OldNotice.objects.create(report_id=report.pk, kind="overdue", day=day)
        new = migrate(LATEST)
        Notice = new.get_model("reports", "Notice")
        assert Notice.objects.get(pk=kept.pk).event_id == returned.pk
        assert Notice.objects.get(pk=other.pk).event_id is None
        assert Notice.objects.count() == 2
        # The sweep knows the return was told of.
        assert [d for d in notices_due(today=day) if d.kind == "returned"] == []
    finally:
        migrated_fully()
