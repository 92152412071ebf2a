"""A unit merged away (2025) is read through its successor: the successor's
reviewers and heads open its reports and evidence; nobody writes into them
through the merger; outsiders still get 404. And a report line's "earlier in
the year" total follows the task across the merger."""

import datetime as dt

import pytest
from django.urls import reverse

from agencies.models import Agency, Membership
from agencies.permissions import can
from agencies.tests.factories import AgencyFactory, user_with_roles
from plans.models import Task
from reports import services
from reports.models import Report
from reports.rules import REPORT_EDIT, REPORT_RECORD, REPORT_REVIEW, REPORT_SUBMIT, REPORT_VIEW, SUMMARY_VIEW
from reports.selectors import year_to_date_before
from reports.tests.factories import PDF, line_counters, report_fill, report_sent

Role = Membership.Role
Q1, HALF, Q3, YEAR = "Quý I/2026", "6 tháng đầu năm 2026", "Quý III/2026", "Năm 2026"


@pytest.fixture
def merger(tree, personas, world):
    """xã Một (tree["commune"], under the district) merged on 01/07/2026 into
    xã Mới, a commune of the sibling district, with its own head and the
    sibling district's Phòng Nội vụ reviewer. Returns (successor, its head, its reviewer)."""
    successor = AgencyFactory(code="D2-M", parent=tree["district2"], kind=Agency.Kind.COMMUNE,
                              name="Ủy ban nhân dân xã Mới")
    home_affairs2 = AgencyFactory(code="D2-NV", parent=tree["district2"], name="Phòng Nội vụ huyện Hai",
                                  is_home_affairs=True)
    head = user_with_roles("head-moi", (successor, Role.HEAD))
    reviewer = user_with_roles("reviewer2", (home_affairs2, Role.REVIEWER))
    Agency.objects.filter(pk=tree["commune"].pk).update(is_active=False, dissolved_on=dt.date(2026, 7, 1),
                                                       successor=successor)
    return successor, head, reviewer


def log_in(client, user, personas):
    client.logout()
    assert client.login(username=user.username, password=personas.password)
    return client


def test_the_successors_reviewer_and_head_read_the_merged_units_reports_and_evidence(
        client, world, tree, personas, neighbour, merger):
    report = world.report(tree["commune"], Q1)
    evidence = services.evidence_add(report=report, name="bien-ban.pdf", content=PDF,
                                     content_type="application/pdf", user=personas.head)
    report_sent(report_fill(Report.objects.get(pk=report.pk)), by=personas.head, accept_by=personas.reviewer)
    detail = reverse("reports:detail", args=[report.pk])
    download = reverse("reports:evidence", args=[report.pk, evidence.pk])
    _successor, head, reviewer = merger
    # The sibling district's head too: reading follows the subtree, and a unit
    # merged into one below it sits there (as its dashboard rolls it up).
    for user in (reviewer, head, personas.outsider):
        log_in(client, user, personas)
        assert client.get(detail).status_code == 200, user
        response = client.get(download)
        assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    # ... but not the merged unit's unsent draft, which only the successor itself reads.
    draft = reverse("reports:detail", args=[world.report(tree["commune"], YEAR).pk])
    assert client.get(draft).status_code == 404
    assert log_in(client, head, personas).get(draft).status_code == 200
    # Outsiders: the neighbour commune's head.
    log_in(client, neighbour[1], personas)
    assert client.get(detail).status_code == 404
    assert client.get(download).status_code == 404


def test_reading_through_a_merger_never_writes(client, world, tree, personas, merger):
    _successor, head, reviewer = merger
    draft = world.report(tree["commune"], YEAR)
    assert can(head, REPORT_VIEW, draft) and not can(head, REPORT_EDIT, draft) and not can(head, REPORT_SUBMIT, draft)
    assert can(reviewer, REPORT_VIEW, draft) and not can(reviewer, REPORT_RECORD, draft)
    log_in(client, head, personas)
    page = client.get(reverse("reports:detail", args=[draft.pk]))
    assert page.status_code == 200 and not page.context["may_edit"] and not page.context["may_submit"]
    response = client.post(reverse("reports:detail", args=[draft.pk]), {
        "action": "save", "lock_version": draft.lock_version, "results": "Sửa qua đơn vị mới",
        "shortcomings": "", "proposals": ""})
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.results != "Sửa qua đơn vị mới" and draft.status == Report.Status.DRAFT

    submitted = report_sent(report_fill(world.report(tree["commune"], Q3)), by=personas.head)
    assert not can(reviewer, REPORT_REVIEW, submitted) and can(personas.reviewer, REPORT_REVIEW, submitted)
    log_in(client, reviewer, personas)
    response = client.post(reverse("reports:review", args=[submitted.pk]), {"decision": "accept", "comment": ""})
    assert response.status_code == 403
    assert Report.objects.get(pk=submitted.pk).status == Report.Status.SUBMITTED
    # Printing the old unit's summary and reminding it stay with its own reviewers.
    assert not can(reviewer, SUMMARY_VIEW, tree["commune"])


def test_a_units_year_to_date_follows_its_task_into_the_successor(tree, personas, world, neighbour, merger):
    successor, head, _reviewer = merger
    q1 = report_fill(world.report(tree["commune"], Q1), count=4)
    report_sent(q1, by=personas.head, accept_by=personas.reviewer)
    # A task the neighbour commune led in Quý I and handed to xã Mới without a
    # merger: the neighbour's figures are its own, not the successor's.
    report_sent(report_fill(world.report(neighbour[0], Q1), count=9), by=neighbour[1], accept_by=personas.reviewer)
    moved = Task.objects.filter(plan=world.plan, lead_agency__in=[tree["commune"], neighbour[0]])
    handed = {task.pk: task.lead_agency_id for task in moved}
    moved.update(lead_agency=successor)
    services.reports_ensure(period=world.periods[HALF])
    half = Report.objects.get(agency=successor, period=world.periods[HALF])
    before = year_to_date_before(report=half)

    lines = {line.task_id: line for line in half.lines.select_related("task__channel")}
    assert set(lines) == set(handed)
    for task_id, line in lines.items():
        flows = [c for c in line_counters(line) if c.kind == "flow"]
        if handed[task_id] == tree["commune"].pk:
            assert flows and before[line.pk] == {c.pk: 4 for c in flows}  # xã Một's Quý I, carried on
        else:
            assert line.pk not in before  # never another active unit's figures
