"""The dashboard's page cache (dashboard/cache.py) on generated provinces: a page is kept whole per
node and query under the version of its provinces' reports, so a change in
one province misses that province's pages and the national ones only, and
the warm task builds them again; a warm page runs no statement on reports."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.models import Agency
from agencies.tree import agency_subtree_ids
from dashboard.tasks import dashboard_warm_task
from demo.scale import scale_generate
from reports import services
from reports.models import Report

pytestmark = pytest.mark.usefixtures("empty_cache")

URL = reverse("dashboard:index")
# A statement that adds up reports (their rows or their rollups).
FIGURES = re.compile(r'"reports_(report|reportrollup|reportrollupfigure|rootrollup)"')


@pytest.fixture
def country(db):
    """Two provinces; the national reviewer signed in by the test."""
    scale_generate(provinces=2, departments=2, communes=8, tasks=2, prefix="T")
    first, second = Agency.objects.filter(code__startswith="T-", parent=None).order_by("pk")
    return first, second, get_user_model().objects.get(username="t-national")


def statements(client, params=None):
    """(statements that add up reports, all statements) of one page."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL, params or {})
    assert response.status_code == 200
    return sum(bool(FIGURES.search(q["sql"])) for q in ctx.captured_queries), len(ctx.captured_queries)


def a_change_in(province, user):
    """A report of the province accepted, through the service."""
    report = Report.objects.filter(agency_id__in=agency_subtree_ids(agency_ids=[province.pk]),
                                   status=Report.Status.SUBMITTED).first()
    services.report_accept(report=report, user=user)
    return report


def test_a_warm_page_adds_up_nothing_and_its_statements_stay_few(client, country):
    first, _, national = country
    client.force_login(national)
    cold_figures, cold = statements(client)
    warm_figures, warm = statements(client)
    assert cold_figures > 0 and warm_figures == 0
    # session, user, roles: what any signed-in page reads; the page itself none.
    assert warm <= 5 and warm < cold
    assert statements(client, {"agency": first.pk})[0] > 0
    assert statements(client, {"agency": first.pk})[0] == 0


def test_a_change_in_one_province_misses_it_and_the_national_page_only(client, country):
    first, second, national = country
    client.force_login(national)
    for params in ({}, {"agency": first.pk}, {"agency": second.pk}):
        statements(client, params)
    a_change_in(first, national)
    assert statements(client, {"agency": second.pk})[0] == 0  # the other province: still kept
    assert statements(client, {"agency": first.pk})[0] > 0
    assert statements(client)[0] > 0


def test_the_warm_task_builds_the_changed_pages_again(client, country):
    first, second, national = country
    client.force_login(national)
    for params in ({}, {"agency": first.pk}):
        statements(client, params)
    report = a_change_in(first, national)
    # Called as the worker would (the worker test pattern of reports/tests is
    # heavier than this needs: the task is a function of ids).
    assert dashboard_warm_task([first.pk]) == 2
    assert statements(client)[0] == 0
    assert statements(client, {"agency": first.pk})[0] == 0
    page = client.get(URL, {"agency": first.pk, "status": "accepted"}, HTTP_HX_REQUEST="true",
                      HTTP_HX_TARGET="agency-table")
    assert report.agency.code in page.content.decode()
