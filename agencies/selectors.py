"""Reads about agencies. Tree walks are in agencies/tree.py."""

from __future__ import annotations

from .models import Agency


def agency_list(*, include_inactive: bool = True):
    """All agencies in tree order with their depth, for pickers and exports."""
    qs = Agency.objects.with_tree_fields().select_related("parent", "successor")
    if not include_inactive:
        qs = qs.filter(is_active=True)
    return qs.order_siblings_by("name")
