"""Reads about the agency tree. Subtree queries use django-tree-queries'
recursive CTE: one query whatever the depth, on PostgreSQL and SQLite alike."""

from __future__ import annotations

from collections.abc import Iterable

from .models import Agency


def agency_ancestor_ids(*, agency_id: int) -> list[int]:
    """The agency and every unit above it, root first (one query)."""
    node = Agency.objects.with_tree_fields().only("id").get(pk=agency_id)
    return list(node.tree_path)


def agency_subtree_ids(*, agency_ids: Iterable[int]) -> set[int]:
    """The given agencies and everything below them (one query)."""
    roots = set(agency_ids)
    if not roots:
        return set()
    ids: set[int] = set()
    for pk, path in Agency.objects.with_tree_fields().values_list("pk", "tree_path"):
        if roots.intersection(path):
            ids.add(pk)
    return ids


def agency_list(*, include_inactive: bool = True):
    """All agencies in tree order with their depth, for pickers and exports."""
    qs = Agency.objects.with_tree_fields().select_related("parent", "successor")
    if not include_inactive:
        qs = qs.filter(is_active=True)
    return qs.order_siblings_by("name")
