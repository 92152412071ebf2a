import pytest

from .factories import DashboardWorld, dashboard_world


@pytest.fixture
def world(tree, personas) -> DashboardWorld:
    """The district's units reporting in every state (see factories.py)."""
    return dashboard_world(tree=tree, personas=personas)
