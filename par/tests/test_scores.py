"""The demo units' PAR scores, computed by the portal from their plans and
reports, against figures worked out by hand from the demo's scenario
(demo/reports.py, demo/two_tier.py) and the default criteria
(par/defaults.py):

  1.4.1 plan issued by its deadline         100: 0,5
  1.4.2 share of led tasks done              100: 1; 80: 0,5
  1.4.3 share of reports sent on time        100: 0,5; 80: 0,25
  1.4.4 channels used                        4: 0,5; 2: 0,25
  1.4.5 «tin, bài» on the unit's web page    12: 0,5; 6: 0,25
  1.4.6 by hand                              (0 until the head scores it)
"""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from agencies.models import Agency
from par.models import Assessment, CriteriaSet, Level
from par.selectors import assessment_rows
from par.services import assessment_open
from plans.models import Task

# After Quý III's deadlines (15/09) and before Năm 2026's (15/12).
AS_OF = dt.date(2026, 11, 30)


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=io.StringIO())


def scores(code: str) -> dict[str, tuple[Decimal | None, Decimal]]:
    agency = Agency.objects.get(code=code)
    assessment = assessment_open(agency=agency, year=2026, as_of=AS_OF)
    return {i.criterion.code: (i.measured, i.self_points) for i in assessment.items.select_related("criterion")}


def test_ke_sat_scores_as_worked_out_by_hand(demo):
    """Thị trấn Kẻ Sặt (HD-BG-KS), under the district's 2026 plan:
    - it has no plan of its own for 2026: 1.4.1 = 0;
    - it leads tasks 1 (web page, Hằng tháng) and 2 (niêm yết, Quý I); both
      are «Hoàn thành» in the accepted Quý I report: 2/2 = 100% -> 1;
    - Quý I and 6 tháng sent on their deadlines, Quý III never sent (the
      scenario's «missing»): 2/3 = 66,67% -> below 80% -> 0;
    - channels of those tasks: web page and niêm yết = 2 -> 0,25;
    - the web-page task's «tin, bài» per accepted report is
      target 24 × 3 ÷ 4 + 1 = 19 (demo/reports.py _fill), Quý I and 6 tháng:
      38 -> at least 12 -> 0,5;
    - total 0 + 1 + 0 + 0,25 + 0,5 + 0 = 1,75."""
    web_task = Task.objects.get(lead_agency__code="HD-BG-KS", plan__year_start=2026, channel__code="cong-ttdt")
    assert web_task.target_quantity == 24  # the premise of the hand computation
    assert scores("HD-BG-KS") == {
        "1.4.1": (Decimal(0), Decimal(0)),
        "1.4.2": (Decimal(100), Decimal(1)),
        "1.4.3": (Decimal("66.67"), Decimal(0)),
        "1.4.4": (Decimal(2), Decimal("0.25")),
        "1.4.5": (Decimal(38), Decimal("0.5")),
        "1.4.6": (None, Decimal(0)),
    }
    assert Assessment.objects.get(agency__code="HD-BG-KS").self_total == Decimal("1.75")


def test_other_bình_giang_communes_reports_on_time(demo):
    """Vĩnh Hồng (HD-BG-VH): Quý I accepted, 6 tháng sent on time then
    returned (it was sent by the deadline), Quý III sent: 3/3 -> 0,5.
    Thanh Kỳ (HD-BG-TK): its one task is due in Quý I, so it owes Quý I
    (sent 4 days late) and 6 tháng (on time): 1/2 = 50% -> 0.
    Hùng Thắng (HD-BG-HT): 6 tháng never sent: 2/3 -> 0."""
    assert scores("HD-BG-VH")["1.4.3"] == (Decimal(100), Decimal("0.5"))
    assert scores("HD-BG-TK")["1.4.3"] == (Decimal(50), Decimal(0))
    assert scores("HD-BG-HT")["1.4.3"] == (Decimal("66.67"), Decimal(0))


def test_hai_phong_commune_plan_after_the_city_deadline(demo):
    """xã Bình Giang (HP-XBG): its plan was issued on 19/01/2026, after the
    city's deadline of 20/11/2025 (demo/two_tier.py): 1.4.1 = 0. Its three
    reports (Quý I, 6 tháng, Quý III) were all sent on their deadlines and
    accepted: 3/3 -> 0,5. Of the 3 tasks it leads only the standing one
    (niêm yết, no target) is marked done: 1/3 = 33,33% -> 0."""
    found = scores("HP-XBG")
    assert found["1.4.1"] == (Decimal(0), Decimal(0))
    assert found["1.4.3"] == (Decimal(100), Decimal("0.5"))
    assert found["1.4.2"] == (Decimal("33.33"), Decimal(0))
    agency = Agency.objects.get(code="HP-XBG")
    measured = assessment_open(agency=agency, year=2026, as_of=AS_OF).items.get(criterion__code="1.4.1").computation
    assert "trễ 60 ngày" in measured["summary"]  # 20/11/2025 -> 19/01/2026


def test_the_sums_of_groups_and_the_evidence_behind_each_criterion(demo):
    assessment = assessment_open(agency=Agency.objects.get(code="HD-BG-KS"), year=2026, as_of=AS_OF)
    rows = {row.criterion.code: row for row in assessment_rows(assessment)}
    assert rows["1.4"].self_points == rows["1"].self_points == Decimal("1.75")
    # The district's plan carries the criterion's tag, so the files of the
    # unit's sent reports (Quý I and 6 tháng, two each) prove every criterion.
    assert [e.original_name for e in rows["1.4.2"].evidence][:1] == ["Ảnh bảng tin CCHC Kẻ Sặt – Quý I-2026.png"]
    assert len(rows["1.4.2"].evidence) == 4


def test_the_default_set_is_made_once_per_year_and_level_and_copied_forward(demo):
    assessment_open(agency=Agency.objects.get(code="HD-BG-KS"), year=2026, as_of=AS_OF)
    assessment_open(agency=Agency.objects.get(code="HD-BG-VH"), year=2026, as_of=AS_OF)
    assert CriteriaSet.objects.filter(year=2026, level=Level.COMMUNE).count() == 1
    this_year = CriteriaSet.objects.get(year=2026, level=Level.COMMUNE)
    this_year.criteria.filter(code="1.4.5").update(thresholds="10: 0,5")  # the province adapted it
    assessment_open(agency=Agency.objects.get(code="HD-BG-KS"), year=2027, as_of=dt.date(2027, 11, 30))
    next_year = CriteriaSet.objects.get(year=2027, level=Level.COMMUNE)
    assert next_year.copied_from == this_year
    assert next_year.criteria.get(code="1.4.5").thresholds == "10: 0,5"
    assert next_year.criteria.get(code="1.4.2").parent.code == "1.4"
