"""The two-tier demo (demo/two_tier.py): thành phố Hải Phòng as since
1/7/2025, its 2026 plan cascaded to the communes, reports in every state with
figures per stretch, and the former Bình Giang communes rolling up into the
xã that took them over."""

import datetime as dt
import io
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Sum

from agencies.models import Agency, Membership
from agencies.scope import user_scope
from demo.two_tier import CITY_TITLE, COMMUNE_PLANS, HEADS, HISTORICAL
from plans.models import Plan, Task
from reports.models import Report, ReportEvent, ReportFigure, ReportLine
from reports.selectors import period_summary

K = Agency.Kind
S = Report.Status
# A fixed day after Quý III's deadlines and before Năm 2026's.
LATE_NOVEMBER = dt.date(2026, 11, 30)


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=io.StringIO())
    return Plan.objects.get(issuer__code="HP", title=CITY_TITLE)


def test_the_city_stands_in_two_tiers(demo):
    city = Agency.objects.get(code="HP")
    below = list(city.children.all())
    assert city.kind == K.PROVINCE and city.is_active
    assert sorted(a.kind for a in below) == [K.COMMUNE] * 4 + [K.DEPARTMENT] * 4
    assert all(a.is_active and not a.children.exists() for a in below)  # no district, nothing under a commune
    assert [a.code for a in below if a.is_home_affairs] == ["HP-SNV"]
    assert {a.short_name for a in below if a.kind == K.COMMUNE} == {
        "UBND phường Hồng Bàng", "UBND phường Lê Thanh Nghị", "UBND xã Bình Giang", "UBND xã Đường An"}
    reviewer = get_user_model().objects.get(username="nv-haiphong")
    assert Membership.objects.filter(user=reviewer, agency__code="HP-SNV", role=Membership.Role.REVIEWER).exists()
    assert user_scope(reviewer).reviewed_ids() == {city.pk, *(a.pk for a in below)}  # the city, not Bình Giang


def test_former_binh_giang_communes_are_history_with_their_successors(demo):
    successors = {}
    for code in HISTORICAL:
        unit = Agency.objects.get(code=code)
        assert not unit.is_active and unit.dissolved_on == dt.date(2025, 7, 1)
        assert unit.parent.code == "HD-BG" and unit.kind == K.COMMUNE
        successors[unit.short_name] = unit.successor.code
    assert successors == {"UBND xã Thái Học": "HP-XBG", "UBND xã Thái Dương": "HP-XBG", "UBND xã Tân Hồng": "HP-XDA"}
    assert sorted(Agency.objects.get(code="HP-XBG").predecessors.values_list("code", flat=True)) == [
        "HD-BG-TD", "HD-BG-THH"]
    # The three-tier journeys' units stay as they stood in January 2025.
    assert Agency.objects.filter(code__in=["HD-BG", "HD-BG-NV", "HD-BG-KS", "HD-BG-VH"], is_active=True).count() == 4


def test_the_city_plan_is_issued_and_cascaded_to_the_communes(demo):
    assert demo.status == Plan.Status.ISSUED and demo.reference == "45/KH-UBND"
    assert demo.issue_date == dt.date(2026, 1, 12)
    assert set(demo.report_rules.values_list("kind", flat=True)) == {"quarter", "half_year", "year"}
    assert set(demo.tasks.values_list("lead_agency__code", flat=True)) == set(HEADS)  # every new unit leads one
    cascaded = Plan.objects.filter(basis_references__linked_plan=demo)
    assert sorted(cascaded.values_list("issuer__code", flat=True)) == sorted(COMMUNE_PLANS)
    for plan in cascaded:
        assert plan.status == Plan.Status.ISSUED and plan.year_start == 2026
        assert plan.clauses.filter(section="content").count() == demo.clauses.filter(section="content").count()
        (own,) = plan.tasks.all()
        assert own.lead_agency_id == plan.issuer_id and own.channel.code == "phat-thanh"


def test_reports_in_every_state_with_figures_per_stretch(demo):
    reports = Report.objects.filter(agency__code__in=HEADS).select_related("period", "agency")
    by = {(r.period.label, r.agency.code): r for r in reports}
    assert len(by) == 4 * len(HEADS)  # Quý I, 6 tháng, Quý III, Năm 2026 for each unit
    assert by["Quý I/2026", "HP-LTN"].status == S.ACCEPTED and by["Quý I/2026", "HP-LTN"].days_late == 4
    assert by["Quý I/2026", "HP-HB"].recorded and by["Quý I/2026", "HP-HB"].status == S.ACCEPTED
    returned = by["6 tháng đầu năm 2026", "HP-HB"]
    assert returned.status == S.RETURNED and returned.lines.exclude(review_comment="").count() == 1
    missing = by["6 tháng đầu năm 2026", "HP-LTN"]
    assert missing.status == S.DRAFT and missing.due_date < LATE_NOVEMBER
    assert by["Quý III/2026", "HP-STP"].status == S.SUBMITTED  # awaiting review
    assert by["Quý III/2026", "HP-HB"].status == S.DRAFT
    # xã Đường An has sent nothing yet: Quý I, then the 6-month stretch on top
    # of it, is the head's journey (cchc_portal/tests/test_figures_journey.py).
    unsent = [by[label, "HP-XDA"] for label in ("Quý I/2026", "6 tháng đầu năm 2026", "Quý III/2026")]
    assert all(r.status == S.DRAFT and not r.events.exists() for r in unsent)
    assert not ReportFigure.objects.filter(line__report__in=unsent).exists()
    quarter_three = Counter(r.status for (label, _), r in by.items() if label == "Quý III/2026")
    assert quarter_three == {S.SUBMITTED: 4, S.ACCEPTED: 2, S.DRAFT: 2}  # README: 4 awaiting review, 2 missing
    assert {r.status for label, r in by.items() if label[0] == "Năm 2026"} == {S.DRAFT}
    assert all(r.due_date > LATE_NOVEMBER for label, r in by.items() if label[0] == "Năm 2026")
    # Every sent report says what it did, in its results text.
    sent = [r for r in by.values() if r.status != S.DRAFT]
    assert all(r.results.startswith("Từ ") for r in sent)

    # xã Bình Giang: each report gives its own stretch only.
    starts = {label: {line.stretch_start for line in by[label, "HP-XBG"].lines.all()}
              for label in ("Quý I/2026", "6 tháng đầu năm 2026", "Quý III/2026", "Năm 2026")}
    assert starts == {"Quý I/2026": {dt.date(2025, 12, 15)}, "6 tháng đầu năm 2026": {dt.date(2026, 3, 15)},
                      "Quý III/2026": {dt.date(2026, 6, 15)}, "Năm 2026": {dt.date(2026, 9, 15)}}
    for report in sent:
        for line in report.lines.select_related("task__channel"):
            expected = {c.code for c in line.task.channel.counter_set.filter(is_active=True)}
            assert set(line.figures.values_list("counter__code", flat=True)) == expected


def flow(agency_codes, labels, counter="tin_bai_cong"):
    return ReportFigure.objects.filter(
        line__report__agency__code__in=agency_codes, line__report__period__label__in=labels,
        line__report__status=S.ACCEPTED, counter__code=counter,
    ).aggregate(total=Sum("value"))["total"]


def test_the_city_summary_adds_up_the_year_so_far(demo):
    half = Report.objects.get(agency__code="HP-XBG", period__label="6 tháng đầu năm 2026").period
    summary = period_summary(period=half, root=Agency.objects.get(code="HP"))
    xbg = next(row for row in summary["by_agency"].values() if row["name"] == "UBND xã Bình Giang")
    year_so_far = flow(["HP-XBG"], ["Quý I/2026", "6 tháng đầu năm 2026"])
    assert xbg["counters"]["tin_bai_cong"] == year_so_far > flow(["HP-XBG"], ["6 tháng đầu năm 2026"])
    assert xbg["merged_from"] == []  # its predecessors were gone before 2026
    units = {r.agency.code for r in summary["accepted"]}
    assert {"HP-XBG", "HP-SNV"} <= units and not {"HP-HB", "HP-XDA"} & units  # returned or unsent: not counted
    assert any("UBND xã Bình Giang" in g["paragraphs"][0] for part in summary["narrative_groups"]
               for g in part["units"] if part["key"] == "results")


def test_merged_units_count_under_their_successor_in_the_city_summary(demo):
    half_2025 = Report.objects.get(agency__code="HD-BG-THH", period__label="6 tháng đầu năm 2025")
    assert half_2025.status == S.ACCEPTED and half_2025.recorded
    summary = period_summary(period=half_2025.period, root=Agency.objects.get(code="HP"))
    rows = {row["name"]: row for row in summary["by_agency"].values()}
    assert set(rows) == {"UBND xã Bình Giang", "UBND xã Đường An"}
    assert rows["UBND xã Bình Giang"]["merged_from"] == ["UBND xã Thái Dương", "UBND xã Thái Học"]
    assert rows["UBND xã Đường An"]["merged_from"] == ["UBND xã Tân Hồng"]
    # Quý I's stretch and 15/03-14/06 of both former communes, under the xã that took them over.
    assert rows["UBND xã Bình Giang"]["counters"]["tin_bai_cong"] == flow(
        ["HD-BG-THH", "HD-BG-TD"], ["Quý I/2025", "6 tháng đầu năm 2025"])
    assert summary["rolled_into"][half_2025.agency_id] == "UBND xã Bình Giang"


def test_load_demo_twice_creates_nothing_new(demo):
    models = (Agency, Membership, get_user_model(), Plan, Task, Report, ReportLine, ReportFigure, ReportEvent)
    before = [m.objects.count() for m in models]
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert [m.objects.count() for m in models] == before
    assert "Báo cáo mẫu mới: 0." in out.getvalue()
