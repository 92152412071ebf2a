"""Fixtures and helpers of the report endpoint tests: the small `tree`, the
district's 2026 plan with every period's (draft) reports (as in
reports/tests/conftest.py), an API client per persona and ETag helpers."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from agencies.models import Membership
from agencies.tests.factories import user_with_roles
from reports.models import Report
from reports.tests.factories import commune_added, report_world

Q1, HALF, Q3, YEAR = "Quý I/2026", "6 tháng đầu năm 2026", "Quý III/2026", "Năm 2026"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def neighbour(tree):
    """(commune, head2): a commune beside tree["commune"] with its own head."""
    return commune_added(tree)


@pytest.fixture
def world(tree, personas, neighbour, media):
    """Tasks led by the commune (two), Phòng Nội vụ and the neighbour commune;
    every 2026 report created, all still drafts."""
    return report_world(tree=tree, personas=personas, leads=("commune", "commune", "home_affairs", neighbour[0]))


@pytest.fixture
def commune_drafter(tree):
    return user_with_roles("cdrafter", (tree["commune"], Membership.Role.DRAFTER))


def api(user=None) -> APIClient:
    """An API client signed in as `user` (the browser session), or anonymous."""
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


def detail_url(report) -> str:
    return reverse("api:report_detail", args=[report.pk])


def tag(report: Report) -> str:
    """The report's current ETag, read from the database."""
    report.refresh_from_db()
    return f'"{report.pk}-{report.lock_version}"'
