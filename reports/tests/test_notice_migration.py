"""The migration that lets a notice be about a plan keeps every existing notice
(all about reports) and their once-a-day key."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from reports.tests.factories import report_world

BEFORE = [("reports", "0008_report_recorded")]
AFTER = [("reports", "0009_notice_about_report_plan_year_or_plan")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_existing_notices_are_kept(tree, personas):
    world = report_world(tree=tree, personas=personas, leads=("commune",))
    report = world.report(tree["commune"], "Quý I/2026")
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
        migrate(AFTER)
