"""The whole daily sweep (reminders_sweep: periods, reports, the due notices,
recording, enqueueing, the requeue) costs the same SQL statements and broker
messages whatever the number of units: pinned at 1 and at 100 communes, each
with overdue reports, a returned one, an escalation to the reviewers and the
notices of next year's plan. A second sweep the same day records nothing and
costs fewer still."""

import datetime as dt

import pytest
from celery import current_app
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agencies.models import Agency, Membership
from agencies.tests.factories import AgencyFactory, user_with_roles
from reports import services
from reports.models import Notice, Notification, Report, ReportEvent, ReportLine
from reports.services.notices import SEND_BATCH
from reports.sweep import reminders_sweep
from reports.tests.factories import report_world

TODAY = dt.date(2026, 11, 22)
HALF = "6 tháng đầu năm 2026"
# The whole first sweep of the day, and a second one the same day.
FIRST_SWEEP_STATEMENTS = 64
SECOND_SWEEP_STATEMENTS = 32


@pytest.fixture(autouse=True)
def reminder_rules(settings):
    settings.REMINDER_DAYS_BEFORE = [7, 1]
    settings.REMINDER_OVERDUE_EVERY_DAYS = 3
    settings.REMINDER_ESCALATE_AFTER_DAYS = 7


@pytest.fixture
def published(monkeypatch):
    """Every broker message this process publishes (the real publish runs)."""
    app = current_app._get_current_object()
    sent: list[tuple] = []
    publish = app.send_task

    def counted(name, args=None, **kwargs):
        sent.append((name, args))
        return publish(name, args=args, **kwargs)

    monkeypatch.setattr(app, "send_task", counted)
    yield sent
    app.control.purge()  # no worker here: leave the test queue empty


def communes(tree, count: int) -> list[Agency]:
    """tree["commune"] and `count - 1` more communes of the district, each with a head."""
    units = [tree["commune"]]
    for index in range(count - 1):
        unit = AgencyFactory(code=f"D-S{index}", parent=tree["district"], kind=Agency.Kind.COMMUNE,
                             name=f"Ủy ban nhân dân xã Số {index}", email=f"xa-{index}@example.test")
        user_with_roles(f"head-s{index}", (unit, Membership.Role.HEAD))
        units.append(unit)
    return units


@pytest.mark.parametrize("units", [1, 100])
def test_the_whole_sweep_costs_the_same_statements_at_1_and_100_units(units, tree, personas, media, published,
                                                                       django_capture_on_commit_callbacks):
    leads = communes(tree, units)
    world = report_world(tree=tree, personas=personas, leads=leads)
    # Each unit's half-year report returned (as report_return leaves it): the returns' notices too.
    returned = Report.objects.filter(period=world.periods[HALF], agency__in=leads)
    returned.update(status=Report.Status.RETURNED, submitted_at=timezone.now())
    ReportEvent.objects.bulk_create(ReportEvent(report=report, kind=ReportEvent.Kind.RETURNED, user=personas.reviewer,
                                                comment="Bổ sung số liệu") for report in returned)
    lines = ReportLine.objects.count()
    ReportLine.objects.filter(report__period__label="Năm 2026", task__lead_agency=leads[0]).delete()

    with CaptureQueriesContext(connection) as first, django_capture_on_commit_callbacks(execute=True):
        result = reminders_sweep(today=TODAY)
    kinds = set(Notice.objects.values_list("kind", flat=True))
    assert {"overdue", "escalation", "returned"} <= kinds
    assert result.created == Notice.objects.count() >= 3 * units
    assert Notification.objects.filter(notice__kind="overdue").count() >= units
    assert ReportLine.objects.count() == lines  # the missing lines made again, nothing else
    assert len(published) == -(-result.created // SEND_BATCH)  # one message per batch of notices
    assert sorted(pk for _, (ids,) in published for pk in ids) == sorted(Notice.objects.values_list("pk", flat=True))
    assert len(first.captured_queries) == FIRST_SWEEP_STATEMENTS, "\n".join(
        q["sql"][:150] for q in first.captured_queries)

    published.clear()
    with CaptureQueriesContext(connection) as second, django_capture_on_commit_callbacks(execute=True):
        again = reminders_sweep(today=TODAY)
    assert again.created == 0 and not published
    assert len(second.captured_queries) == SECOND_SWEEP_STATEMENTS, "\n".join(
        q["sql"][:150] for q in second.captured_queries)


def test_issuing_a_plan_makes_its_reports_for_the_periods_under_way(tree, personas, media,
                                                                    django_capture_on_commit_callbacks):
    from plans.tests.factories import plan_issued
    from schedule.models import ReportingRule
    from schedule.services import periods_ensure

    today = timezone.localdate()
    periods = periods_ensure(year=today.year)
    with django_capture_on_commit_callbacks(execute=True):
        plan = plan_issued(issuer=tree["district"], drafter=personas.drafter, head=personas.head, year=today.year,
                           leads=[tree["commune"]], report_rules=ReportingRule.objects.filter(kind="year"))
    year = next(p for p in periods if p.rule.kind == "year")
    report = Report.objects.get(agency=tree["commune"], period=year)  # made at once, not at tomorrow's sweep
    assert list(report.lines.values_list("task__plan", flat=True)) == [plan.pk]
    assert not Report.objects.exclude(period=year).exists()  # only the kinds the plan reports on
    reminders_sweep(today=today)
    assert Report.objects.count() == 1 and report.lines.count() == 1  # the daily check finds nothing missing


def test_a_batch_cuts_each_send_off_before_its_claim_expires(settings):
    from reports.services import claim_timeout
    from reports.tasks import send_cut_off, send_notices_task

    assert send_cut_off() == 2 * settings.EMAIL_TIMEOUT < claim_timeout().total_seconds()
    assert send_notices_task.acks_late and send_notices_task.max_retries == settings.REMINDER_RETRY_BUDGET


def test_only_the_missing_reports_and_lines_are_made_again_as_they_were(world, tree):
    from schedule.services import periods_ensure

    def snapshot():
        return sorted(ReportLine.objects.values_list(
            "report__agency", "report__period", "report__due_date", "report__status", "task", "stretch_start", "state",
            "percent", "note"))

    before = snapshot()
    year = world.periods["Năm 2026"]
    Report.objects.filter(period=year, agency=tree["commune"]).delete()  # a whole report
    ReportLine.objects.filter(report__period=year, task__lead_agency=tree["home_affairs"]).delete()  # a line
    Report.objects.filter(period=world.periods["Quý III/2026"]).update(status=Report.Status.SUBMITTED)
    ReportLine.objects.filter(report__period=world.periods["Quý III/2026"]).delete()  # sent: takes no new line
    created = sum(services.reports_ensure(period=period) for period in periods_ensure(year=2026))
    assert created == 1
    assert snapshot() == [row for row in before if not (row[1] == world.periods["Quý III/2026"].pk)]
    assert sum(services.reports_ensure(period=period) for period in periods_ensure(year=2026)) == 0
