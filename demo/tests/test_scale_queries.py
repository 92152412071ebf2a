"""The compliance dashboard on the national-scale generator (demo/scale.py):
query counts that do not grow with the number of agencies, and roll-ups and
paging at a size the small dashboard tests do not reach. Moved here from
dashboard/tests/test_dashboard.py, which may not import demo."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency
from dashboard.charts import chart_data
from dashboard.figures import DashboardFigures
from dashboard.filters import PAGE_SIZE, AgencyTable, TableFilters, dashboard_periods, default_period
from dashboard.scope import dashboard_node, dashboard_scope_for_user
from dashboard.tests.factories import expected_counts
from demo.loader import DEMO_PASSWORD
from demo.scale import scale_generate
from reports.models import Report
from schedule.models import ReportingPeriod

# The dashboard keeps fragments in the cache; ids repeat between tests.
pytestmark = pytest.mark.usefixtures("empty_cache")


URL = reverse("dashboard:index")
XLSX = reverse("dashboard:xlsx")


def as_user(client, name):
    assert client.login(username=name, password=DEMO_PASSWORD)
    return client


def q3_scale():
    return ReportingPeriod.objects.get(rule__kind="quarter", end_month=9, year=timezone.localdate().year)


def _user(username):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


# Roll-ups and paging at scale -------------------------------------------------------------

def test_branches_roll_up_each_units_subtree(client, db):
    scale_generate(provinces=3, departments=2, communes=30, tasks=2, prefix="T")
    response = as_user(client, "t-national").get(URL, {"period": q3_scale().pk})
    branches = {b["name"]: b for b in response.context["figures"].branches}
    assert len(branches) == 3
    for province in Agency.objects.filter(code__startswith="T-P", kind="province"):
        reports = Report.objects.filter(period=q3_scale(), agency__in=[province, *province.children.all()])
        row = branches[province.display_name]
        assert {k: row[k] for k in expected_counts([])} == expected_counts(reports)


def test_the_table_pages_at_national_scale(client, db):
    scale_generate(provinces=2, departments=2, communes=120, tasks=1, prefix="T")
    response = as_user(client, "t-national").get(URL, {"period": q3_scale().pk, "page": 2})
    page = response.context["table"].page
    assert page.number == 2 and page.paginator.count == 2 * 3 + 120
    assert len(page.object_list) == PAGE_SIZE


# Queries do not grow with the number of agencies ----------------------------------------

def _count(client, url, params=None, **headers):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {}, **headers)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def _page_counts(client, username):
    client.force_login(_user(username))
    cache.clear()
    counts = {"dashboard (cold)": _count(client, URL)}
    counts["dashboard (warm)"] = _count(client, URL)
    cache.clear()
    # Sorted, not filtered: a filter can leave a random small dataset with no
    # row at all, and an empty page skips its query whatever the size.
    counts["table (htmx)"] = _count(client, URL, {"kind": "", "sort": "-name"},
                                    HTTP_HX_REQUEST="true", HTTP_HX_TARGET="agency-table")
    counts["xlsx"] = _count(client, XLSX)
    counts["plan list"] = _count(client, reverse("plans:list"))
    counts["report list"] = _count(client, reverse("reports:index"))
    return counts


@pytest.mark.parametrize("provinces", [1, 3], ids=["one province", "several provinces"])
def test_query_counts_are_the_same_at_10_and_1000_agencies(client, db, provinces):
    # agencies = provinces x (1 UBND + 2 departments) + communes
    scale_generate(provinces=provinces, departments=2, communes=10 - 3 * provinces, tasks=2, prefix="S10")
    small = _page_counts(client, "s10-national")
    scale_generate(provinces=provinces, departments=2, communes=1000 - 3 * provinces, tasks=2, prefix="S1K")
    assert Agency.objects.filter(code__startswith="S1K-").count() == 1000
    large = _page_counts(client, "s1k-national")
    assert small == large
    assert large["dashboard (warm)"] < large["dashboard (cold)"]


def _province_head(prefix: str) -> str:
    """A head of the first province (read scope: its whole subtree, issue 13)."""
    from django.contrib.auth import get_user_model

    from agencies.models import Membership

    province = Agency.objects.filter(code__startswith=f"{prefix}-", parent=None).order_by("pk").first()
    user = get_user_model().objects.create_user(f"{prefix.lower()}-province-head", password=DEMO_PASSWORD)
    Membership.objects.create(user=user, agency=province, role=Membership.Role.HEAD)
    return user.username


def test_a_province_heads_query_counts_are_the_same_at_10_and_1000_agencies(client, db):
    # A head reads the subtree: the dashboard, the plan list and the report
    # list's section of the units below cost the same whatever its size.
    scale_generate(provinces=1, departments=2, communes=7, tasks=2, prefix="S10")
    small = _page_counts(client, _province_head("S10"))
    scale_generate(provinces=1, departments=2, communes=997, tasks=2, prefix="S1K")
    large = _page_counts(client, _province_head("S1K"))
    assert small == large
    response = client.get(reverse("reports:index"))
    assert response.context["lists"]["below"] and response.context["lists"]["found"].paginator.count > 1000
    node = client.get(URL).context["node"]
    assert node.subtree and not node.drafts


def test_dashboard_selectors_run_a_fixed_number_of_statements(db, django_assert_num_queries):
    scale_generate(provinces=2, departments=2, communes=40, tasks=2, prefix="T")
    user = _user("t-national")
    today = timezone.localdate()
    # memberships (prefetched onto the user); seeds inside other seeds
    with django_assert_num_queries(2):
        scope = dashboard_scope_for_user(user=user)
    with django_assert_num_queries(0):
        node = dashboard_node(user=user, scope=scope, agency_id=None)
    periods = dashboard_periods(today=today)
    period = default_period(periods, today)
    figures = DashboardFigures(node=node, period=period, periods=periods, plan=None, today=today)
    # trend (also the period's counts), by kind, by branch, areas, channels and their counters,
    # the rollup's lines by area x channel, the counters' ids, flows of the stretches inside the period,
    # stocks of the period, and (kept a minute) the agency tree and the one the province rollups were built on
    with django_assert_num_queries(12):
        charts = chart_data(figures)
    assert charts["trend"]["labels"] and figures.kpi["total"] == 2 * 3 + 40
    table = AgencyTable(node=node, period=period, plan=None, filters=TableFilters(),
                                  today=today, page_number=None)
    # count, page, parents
    with django_assert_num_queries(3):
        assert len(table.page.object_list) == 2 * 3 + 40 and table.parents
