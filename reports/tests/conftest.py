"""Fixtures for the report tests: the small `tree` with a second commune, and
the district's 2026 plan with its periods and (draft) reports."""

import pytest

from reports.tests.factories import commune_added, report_world


@pytest.fixture
def media(settings, tmp_path):
    """Evidence files go to a folder of this test's own."""
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
