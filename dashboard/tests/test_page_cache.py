"""The page cache right after a change: a page is built once (by the warm
task or the first viewer); the viewers arriving meanwhile get its latest
build at once instead of waiting or building it again."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dashboard import pages
from dashboard.cache import claim
from dashboard.scope import dashboard_node, dashboard_scope_for_user
from reports import versions
from reports.versions import reports_changed

pytestmark = pytest.mark.usefixtures("empty_cache")

URL = reverse("dashboard:index")
FIGURES = re.compile(r'"reports_(report|reportrollup|reportrollupfigure|rootrollup)"')


def figure_statements(client):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL)
    assert response.status_code == 200
    return sum(bool(FIGURES.search(q["sql"])) for q in ctx.captured_queries)


def test_while_the_changed_page_is_built_elsewhere_viewers_get_its_latest_build(client, world, personas):
    client.force_login(personas.reviewer)
    assert figure_statements(client) > 0
    reports_changed(agency_ids=[world.tree["commune"].pk])
    user = personas.reviewer
    node = dashboard_node(user=user, scope=dashboard_scope_for_user(user=user), agency_id=None)
    _, key, _, _ = pages._keys(node=node, query={}, today=timezone.localdate(), table_only=False)
    assert claim(key)  # the warm task is building the new page
    assert figure_statements(client) == 0  # the latest build, at once
    assert not claim(key)  # and the build was left to its claimant
    assert pages.dashboard_page(node=node, query={}, today=timezone.localdate(), claimed=True).html
    assert figure_statements(client) == 0  # the new page, built once


def test_with_no_latest_build_a_viewer_builds_the_page(client, world, personas):
    client.force_login(personas.reviewer)
    assert figure_statements(client) > 0
    reports_changed(agency_ids=[world.tree["commune"].pk])
    assert figure_statements(client) > 0  # nobody else building: built here, fresh
    assert figure_statements(client) == 0


def test_right_after_a_change_viewers_leave_the_build_to_the_warm_task(client, world, personas):
    client.force_login(personas.reviewer)
    assert figure_statements(client) > 0
    root = world.tree["province"].pk
    reports_changed(agency_ids=[world.tree["commune"].pk])
    cache.set(versions.WARMING + str(root), 1, versions.WARMING_SECONDS)  # as at commit, the task enqueued
    assert figure_statements(client) == 0  # not built here: the latest build
    assert pages.dashboard_warm([root], today=timezone.localdate()) == 1
    assert not versions.warming([root])
    assert figure_statements(client) == 0  # built once, by the warm task
