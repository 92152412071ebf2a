"""A plan issued on paper and recorded in the portal is reported on like any issued plan."""

import datetime as dt

from plans import services as plan_services
from plans.tests.factories import plan_draft
from reports import services
from reports.models import Report
from schedule.calendar import calendar_defaults_ensure
from schedule.models import LevelDeadline, ReportingRule
from schedule.services import periods_ensure


def test_the_lead_agencies_of_a_recorded_plan_owe_reports(tree, personas):
    calendar_defaults_ensure(ReportingRule, LevelDeadline)
    plan = plan_draft(issuer=tree["district"], leads=[tree["commune"]], year=2026)
    plan.report_rules.set(ReportingRule.objects.filter(kind="year"))
    plan_services.plan_record(plan=plan, user=personas.head, number=49, number_text="049",
                              issue_date=dt.date(2026, 1, 5), signer_authority="", signer_position="CHỦ TỊCH",
                              signer_name="Nguyễn Văn An")
    year = next(p for p in periods_ensure(year=2026) if p.rule.kind == "year")
    assert services.reports_ensure(period=year) == 1
    report = Report.objects.get(period=year)
    assert report.agency == tree["commune"] and report.lines.get().task.plan == plan
