"""The edges of the measures and of the appraisal rules: huge figures,
nothing to measure, a flow line with an empty stretch, a unit that is its
own home-affairs office, two appraisers on one page, a year not begun."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from agencies.models import Agency, Membership
from agencies.permissions import can
from common.money import money_format
from conftest import make_agency
from par import services
from par.rules import PAR_APPRAISE
from par.services import NOT_MEASURED
from reports.models import ReportFigure, ReportLine
from reports.tests.factories import report_fill, report_sent, report_world

pytestmark = pytest.mark.django_db
YEAR = 2026
AS_OF = dt.date(YEAR, 11, 30)


@pytest.fixture
def world(tree, personas):
    return report_world(tree=tree, personas=personas, leads=("commune", "commune"))


def item(assessment, code):
    return assessment.items.select_related("criterion").get(criterion__code=code)


def opened(agency, year=YEAR, as_of=AS_OF):
    return services.assessment_open(agency=agency, year=year, as_of=as_of)


def web_figures(report) -> list[ReportFigure]:
    return list(ReportFigure.objects.filter(line__report=report, counter__code="tin_bai_cong"))


def test_a_huge_counter_total_is_kept_not_a_500(world, tree, personas):
    q1 = report_fill(world.report(tree["commune"], "Quý I/2026"))
    report_sent(q1, by=personas.head, on=dt.date(YEAR, 3, 15), accept_by=personas.reviewer)
    figures = web_figures(q1)
    assert figures, "the plan has a web-page task"
    ReportFigure.objects.filter(pk__in=[f.pk for f in figures]).update(value=100_000_000_000)
    found = item(opened(tree["commune"]), "1.4.5")
    assert found.measured == Decimal(100_000_000_000) * len(figures)
    assert f"{money_format(int(found.measured))} tin, bài" in found.computation["summary"]


def test_a_flow_line_with_an_empty_stretch_counts_nothing(world, tree, personas):
    """As reports/figures.py: a line whose stretch starts after its period's
    end (its days were counted by another report) adds nothing."""
    q1 = report_fill(world.report(tree["commune"], "Quý I/2026"), count=5)
    report_sent(q1, by=personas.head, on=dt.date(YEAR, 3, 15), accept_by=personas.reviewer)
    counted = sum(f.value for f in web_figures(q1))
    assert item(opened(tree["commune"]), "1.4.5").measured == counted
    ReportLine.objects.filter(report=q1).update(stretch_start=q1.period.end + dt.timedelta(days=1))
    assert item(opened(tree["commune"]), "1.4.5").measured == 0


def test_nothing_to_measure_is_scored_by_hand_not_zero(tree, personas):
    """A commune given no task: «tasks done» cannot be computed; the head
    scores it (the office above appraises), where it used to get 0."""
    assessment = opened(tree["commune"])
    tasks = item(assessment, "1.4.2")
    assert tasks.measured is None and tasks.by_hand
    assert tasks.computation["summary"].endswith(NOT_MEASURED)
    services.assessment_item_update(item=tasks, note="Không được giao nhiệm vụ chủ trì.", self_points=Decimal(1))
    assessment.refresh_from_db()
    assert item(assessment, "1.4.2").self_points == Decimal(1)
    # Opening it again keeps the head's points (nothing was measured since).
    assert item(opened(tree["commune"]), "1.4.2").self_points == Decimal(1)
    with pytest.raises(ValidationError):
        services.assessment_item_update(item=item(assessment, "1.4.2"), note="", self_points=Decimal(2))


def test_a_home_affairs_department_does_not_appraise_itself(tree, personas, make_user):
    home = make_agency("P-SNV", parent=tree["province"], kind=Agency.Kind.DEPARTMENT, name="Sở Nội vụ",
                       is_home_affairs=True)
    other = make_agency("P-STP", parent=tree["province"], kind=Agency.Kind.DEPARTMENT, name="Sở Tư pháp")
    reviewer = make_user("so-nv", (home, Membership.Role.REVIEWER))
    assert can(reviewer, PAR_APPRAISE, other)
    assert not can(reviewer, PAR_APPRAISE, home)
    assert can(personas.admin, PAR_APPRAISE, home)


def test_a_second_appraisal_from_an_older_page_is_refused(tree, personas):
    assessment = opened(tree["commune"])
    assessment = services.assessment_submit(assessment=assessment, user=personas.head, as_of=AS_OF)
    seen = assessment.lock_version
    leaf = item(assessment, "1.4.4")
    services.assessment_appraise(assessment=assessment, user=personas.reviewer, lock_version=seen,
                                 decisions={leaf.pk: (Decimal(0), "Không có ảnh.")})
    assessment.refresh_from_db()
    with pytest.raises(ValidationError, match="vừa được người khác cập nhật"):
        services.assessment_appraise(assessment=assessment, user=personas.reviewer, lock_version=seen,
                                     decisions={leaf.pk: (None, "")})
    assert item(assessment, "1.4.4").appraised_points == Decimal(0)


def test_a_year_not_begun_is_not_opened(tree):
    with pytest.raises(ValidationError, match="Chưa đến năm 2027"):
        opened(tree["commune"], year=YEAR + 1, as_of=AS_OF)


def test_a_visit_with_nothing_new_writes_nothing(world, tree, personas):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    q1 = report_fill(world.report(tree["commune"], "Quý I/2026"))
    report_sent(q1, by=personas.head, on=dt.date(YEAR, 3, 15), accept_by=personas.reviewer)
    first = opened(tree["commune"])
    with CaptureQueriesContext(connection) as queries:
        again = opened(tree["commune"])
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == []
    assert again.self_total == first.self_total and again.items.count() == 6
    # A change in the data is written.
    ReportFigure.objects.filter(line__report=q1, counter__code="tin_bai_cong").update(value=50)
    with CaptureQueriesContext(connection) as queries:
        opened(tree["commune"])
    assert any(q["sql"].startswith("UPDATE") and "par_assessmentitem" in q["sql"] for q in queries.captured_queries)
    assert item(opened(tree["commune"]), "1.4.5").measured == 50 * len(web_figures(q1))
