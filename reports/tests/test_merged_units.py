"""Units merged away in 2025 roll up into their successor in the summary."""

import datetime as dt

from agencies.models import Agency
from agencies.tests.factories import AgencyFactory
from agencies.tree import scope_with_merged
from reports.models import Report
from reports.selectors import period_summary
from reports.tests.factories import report_fill, report_sent, report_world


def test_a_merged_communes_figures_count_under_its_successor(tree, personas):
    successor = AgencyFactory(code="D-XM", parent=tree["district"], kind=Agency.Kind.COMMUNE,
                              name="Ủy ban nhân dân xã Mới")
    world = report_world(tree=tree, personas=personas, leads=("commune",))
    report = report_fill(world.report(tree["commune"], "Quý I/2026"), count=4)
    report_sent(report, by=personas.head, accept_by=personas.reviewer)
    Agency.objects.filter(pk=tree["commune"].pk).update(is_active=False, dissolved_on=dt.date(2026, 7, 1),
                                                       successor=successor)

    summary = period_summary(period=world.periods["Quý I/2026"], root=tree["district"])
    assert tree["commune"].pk not in summary["by_agency"]
    row = summary["by_agency"][successor.pk]
    assert row["name"] == "Ủy ban nhân dân xã Mới" and row["merged_from"] == ["Ủy ban nhân dân xã Một"]
    assert row["tasks"] == Report.objects.get(pk=report.pk).lines.count() and sum(row["counters"].values()) > 0
    assert summary["rolled_into"][tree["commune"].pk] == "Ủy ban nhân dân xã Mới"


def test_a_unit_merged_into_another_province_joins_its_successors_scope(tree):
    other = AgencyFactory(code="Q", kind=Agency.Kind.PROVINCE, name="Ủy ban nhân dân tỉnh Khác")
    Agency.objects.filter(pk=tree["district2"].pk).update(is_active=False, dissolved_on=dt.date(2025, 7, 1),
                                                          successor=other)
    scope, rolled = scope_with_merged(agency_ids=[other.pk])
    assert tree["district2"].pk in scope and rolled[tree["district2"].pk] == other.pk
    assert tree["district"].pk not in scope
