"""A unit merged into one of the scope's units from elsewhere counts on the
dashboard as it does in the summary (BC): the two never disagree."""

import datetime as dt

from django.urls import reverse

from agencies.models import Agency
from reports.selectors import period_summary
from reports.tests.factories import report_fill, report_sent, report_world

Q1 = "Quý I/2026"


def test_a_unit_merged_in_from_another_branch_counts_on_the_dashboard_and_in_the_summary(client, tree, personas,
                                                                                      empty_cache):
    world = report_world(tree=tree, personas=personas, leads=("commune", "district2"))
    merged = world.report(tree["district2"], Q1)
    report_sent(report_fill(merged, count=6), by=personas.outsider, accept_by=personas.admin)
    own = world.report(tree["commune"], Q1)
    report_sent(report_fill(own, count=4), by=personas.head, accept_by=personas.reviewer)
    Agency.objects.filter(pk=tree["district2"].pk).update(is_active=False, dissolved_on=dt.date(2026, 7, 1),
                                                         successor=tree["district"])

    personas.login(client, "reviewer")
    response = client.get(reverse("dashboard:index"), {"period": world.periods[Q1].pk})
    kpi = response.context["figures"].kpi
    assert kpi["total"] >= 2 and kpi["accepted"] == 2  # the merged unit's accepted report is in
    outputs = response.context["figures"].outputs
    summary = period_summary(period=world.periods[Q1], root=tree["district"])
    assert summary["totals"]["counters"] == {code: total for code, _, total in outputs["counter_totals"] if total}
