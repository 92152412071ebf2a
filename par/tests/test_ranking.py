"""The ranking of the units below a root: ranks (ties share one), units not
started, levels, who may see it, bad query strings, the XLSX, and a fixed
number of queries however many units."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from agencies.models import Agency
from conftest import make_agency
from par import services
from par.models import Assessment, Level
from par.selectors import ranking

pytestmark = pytest.mark.django_db
YEAR = 2026


def scored(agency, *, manual: str = "0", status: str = "submitted", appraised: str | None = None, user=None):
    """The agency's assessment with 1.4.6 (scored by hand) at `manual` points,
    in `status`; appraised to `appraised` points on 1.4.6 if given."""
    assessment = services.assessment_open(agency=agency, year=YEAR)
    item = assessment.items.get(criterion__code="1.4.6")
    services.assessment_item_update(item=item, note="", self_points=Decimal(manual.replace(",", ".")))
    if status == "draft":
        return assessment
    assessment = services.assessment_submit(assessment=assessment, user=user)
    if appraised is not None:
        services.assessment_appraise(assessment=assessment, user=user, decisions={
            item.pk: (Decimal(appraised.replace(",", ".")), "Điều chỉnh")})
    return assessment


def communes_added(tree, count: int, start: int = 0) -> list[Agency]:
    return [make_agency(f"D-C{i}", parent=tree["district"], kind=Agency.Kind.COMMUNE, name=f"Ủy ban nhân dân xã C{i:03}")
            for i in range(start, start + count)]


def rank_url(**params) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("par:ranking") + (f"?{query}" if query else "")


def test_ranks_share_ties_and_units_not_sent_come_last(tree, personas):
    a, b, c, d = communes_added(tree, 4)
    scored(a, manual="0,5", user=personas.head)
    scored(b, manual="0,5", user=personas.head)
    scored(c, manual="0,5", appraised="0,25", user=personas.reviewer)  # the appraised score counts
    scored(d, manual="0,5", status="draft")
    found = ranking(tree["district"], YEAR, Level.COMMUNE)
    by_name = {row.agency.name: row for row in found.rows}
    base = by_name[a.name].score
    assert by_name[a.name].rank == by_name[b.name].rank == 1
    assert by_name[c.name].rank == 3 and by_name[c.name].score == base - Decimal("0.25")
    assert by_name[d.name].rank is None and by_name[d.name].status_label == "Đang tự đánh giá"
    commune = by_name[tree["commune"].name]
    assert commune.assessment is None and commune.rank is None and commune.status_label == "Chưa tự đánh giá"
    assert [row.agency for row in found.rows][:3] == [a, b, c]
    assert found.max_total == Decimal("3.5")
    assert found.counts == {"units": 5, "none": 1, "draft": 1, "submitted": 2, "appraised": 1}
    assert dict(found.distribution())  # three ranked units spread over the bins
    assert sum(count for _, count in found.distribution()) == 3


def test_levels_default_to_the_most_numerous_and_merged_units_need_an_assessment(tree, personas):
    department = make_agency("P-S", parent=tree["province"], kind=Agency.Kind.DEPARTMENT, name="Sở Thử")
    gone = make_agency("D-OLD", parent=tree["district"], kind=Agency.Kind.COMMUNE, name="Xã Cũ", is_active=False,
                       dissolved_on=dt.date(2025, 7, 1))
    found = ranking(tree["province"], YEAR)
    # One commune (D-X; the merged one has no assessment), one department, two districts.
    assert found.level_counts == {Level.COMMUNE: 1, Level.DEPARTMENT: 1, Level.DISTRICT: 2}
    assert found.level == Level.DISTRICT
    assert [lv for lv, _, _ in found.levels] == [Level.COMMUNE, Level.DEPARTMENT, Level.DISTRICT]
    assert gone not in [row.agency for row in found.rows]
    with pytest.raises(ValidationError, match="sáp nhập, giải thể từ 01/07/2025"):
        services.assessment_open(agency=gone, year=YEAR)  # gone before the year
    services.assessment_open(agency=gone, year=YEAR - 1)  # its last year
    assert gone in [row.agency for row in ranking(tree["province"], YEAR - 1, Level.COMMUNE).rows]
    assert [row.agency for row in ranking(tree["province"], YEAR, Level.DEPARTMENT).rows] == [department]
    assert tree["province"] not in [row.agency for row in ranking(tree["province"], YEAR, Level.DISTRICT).rows]


@pytest.mark.parametrize("persona, status", [
    ("reviewer", 200),  # Phòng Nội vụ of the district: its scope
    ("admin", 200),
    ("head", 403),  # heads read their units, they do not rank
    ("drafter", 403),
    ("outsider", 403),
])
def test_ranking_permission_matrix(client, tree, personas, persona, status):
    personas.login(client, persona)
    goc = tree["district"].pk
    assert client.get(rank_url(goc=goc)).status_code == status
    assert client.get(reverse("par:ranking_xlsx") + f"?goc={goc}").status_code == status


def test_reviewer_cannot_rank_outside_their_scope(client, tree, personas):
    personas.login(client, "reviewer")
    assert client.get(rank_url(goc=tree["district2"].pk)).status_code == 403
    assert client.get(rank_url(goc=tree["province"].pk)).status_code == 403
    assert client.get(rank_url(goc=999999)).status_code == 404


@pytest.mark.parametrize("query", [
    {"nam": "abc", "goc": "x", "cap": "zz"},
    {"nam": "-1", "goc": "-5", "cap": ""},
    {"nam": "3000", "goc": "1e3", "cap": "commune' OR 1=1"},
    {"nam": "²", "goc": "99999999999999999999999"},
])
def test_bad_query_strings_give_the_defaults(client, tree, personas, query):
    communes_added(tree, 2)
    personas.login(client, "reviewer")
    response = client.get(rank_url(**query))
    assert response.status_code == 200
    assert response.context["root"] == tree["district"]  # the reviewer's scope root
    assert response.context["year"] == timezone.localdate().year
    assert response.context["ranking"].level == Level.COMMUNE
    assert client.get(reverse("par:ranking_xlsx") + "?" + "&".join(f"{k}={v}" for k, v in query.items())) \
        .status_code == 200


def test_ranking_page_shows_ranks_statuses_and_chart_data(client, tree, personas):
    a, b = communes_added(tree, 2)
    scored(a, manual="0,5", user=personas.head)
    scored(b, manual="0", appraised="0", user=personas.reviewer)
    personas.login(client, "reviewer")
    response = client.get(rank_url(nam=YEAR))
    body = response.content.decode()
    assert "Chưa tự đánh giá" in body and "Đã thẩm định" in body and "Đã gửi, chờ thẩm định" in body
    assert reverse("par:assessment", args=[a.pk, YEAR]) in body
    assert 'id="par-data"' in body and 'id="chart-scores"' in body and 'id="chart-distribution"' in body
    chart = response.context["chart"]
    assert chart["units"] == [a.display_name, b.display_name] and len(chart["self"]) == 2
    assert chart["final"][0] is None and chart["final"][1] is not None


def test_ranking_xlsx_rows_and_no_formula(client, tree, personas):
    evil = make_agency("D-EVIL", parent=tree["district"], kind=Agency.Kind.COMMUNE, name="=1+2 xã")
    scored(evil, manual="0,5", user=personas.head)
    personas.login(client, "reviewer")
    response = client.get(reverse("par:ranking_xlsx") + f"?nam={YEAR}&goc={tree['district'].pk}&cap=commune")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="Xep-hang-CCHC-2026-')
    rows = [[c.value for c in row] for row in load_workbook(io.BytesIO(response.content)).active.iter_rows()]
    assert rows[3][:3] == ["Hạng", "Đơn vị", "Trạng thái"]
    assert rows[4][0] == 1 and rows[4][1] == "'=1+2 xã" and rows[4][2] == "Đã gửi, chờ thẩm định"
    assert rows[5][0] is None and rows[5][2] == "Chưa tự đánh giá"


def _ranking_queries(client) -> int:
    url = rank_url(nam=YEAR, cap="commune")
    client.get(url)  # warm-up: the user's roles and the session in the cache
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_ranking_answers_in_a_fixed_number_of_queries(client, tree, personas):
    personas.login(client, "reviewer")
    for unit in communes_added(tree, 2):  # with D-X: 3 units
        scored(unit, manual="0,5", user=personas.head)
    few = _ranking_queries(client)
    assert len(client.get(rank_url(nam=YEAR)).context["ranking"].rows) == 3
    for index, unit in enumerate(communes_added(tree, 27, start=2)):
        if index % 3 == 0:
            scored(unit, manual="0,25", user=personas.head)
        elif index % 3 == 1:
            scored(unit, manual="0", appraised="0,5", user=personas.reviewer)
    many = _ranking_queries(client)
    assert len(client.get(rank_url(nam=YEAR)).context["ranking"].rows) == 30
    assert many == few, f"{few} queries for 3 units, {many} for 30"


def test_ranking_of_a_year_without_criteria_set_or_units(client, tree, personas):
    personas.login(client, "reviewer")
    response = client.get(rank_url(nam=YEAR - 3))
    assert response.status_code == 200
    assert response.context["ranking"].max_total is None
    assert not Assessment.objects.exists()
