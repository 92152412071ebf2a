"""A rule edit in the calendar reaches the reports of open periods only:
closed periods and reports already sent keep their deadlines."""

import datetime as dt

from reports.models import Report
from reports.tests.factories import report_fill, report_sent
from schedule.models import DueRule, ReportingChain
from schedule.services import rules_save

TODAY = dt.date(2026, 9, 1)  # Quý I and 6 tháng closed; Quý III and the year open


def test_a_province_rule_edit_recomputes_open_reports_only(world, tree, personas):
    q1 = world.periods["Quý I/2026"]
    commune = tree["commune"]
    sent = report_sent(report_fill(world.report(tree["home_affairs"], "Quý III/2026")), by=personas.admin)
    assert world.report(commune, "Quý I/2026").due_date == dt.date(2026, 3, 16)
    assert world.report(commune, "Quý III/2026").due_date == dt.date(2026, 9, 15)
    before_sent = sent.due_date

    chain = ReportingChain.objects.create(owner=tree["province"], name="Quy định của UBND tỉnh Thử")
    changes = rules_save(chain=chain, today=TODAY, rules=[
        DueRule(agency_kind="commune", mode=DueRule.Mode.FIXED_DAY, due_day=16),
        DueRule(agency_kind="office", mode=DueRule.Mode.FIXED_DAY, due_day=17),
        DueRule(agency_kind="district", mode=DueRule.Mode.FIXED_DAY, due_day=18),
    ])
    assert {(c.period.label, c.agency_kind, c.before, c.after) for c in changes} >= {
        ("Quý III/2026", "commune", dt.date(2026, 9, 15), dt.date(2026, 9, 16)),
        ("Năm 2026", "commune", dt.date(2026, 12, 15), dt.date(2026, 12, 16)),
    }
    assert not [c for c in changes if c.period.pk == q1.pk]
    assert world.report(commune, "Quý I/2026").due_date == dt.date(2026, 3, 16)  # closed: kept
    assert world.report(commune, "Quý III/2026").due_date == dt.date(2026, 9, 16)
    assert world.report(commune, "Năm 2026").due_date == dt.date(2026, 12, 16)
    assert Report.objects.get(pk=sent.pk).due_date == before_sent  # sent: judged against its old date
    assert world.report(tree["home_affairs"], "Năm 2026").due_date == dt.date(2026, 12, 17)
