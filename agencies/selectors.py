"""Reads about the agency tree: one recursive query whatever the depth, on
PostgreSQL and SQLite alike."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from .models import Agency


def _walk(sql: str, params: list) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(sql.format(table=connection.ops.quote_name(Agency._meta.db_table)), params)
        return [row[0] for row in cursor.fetchall()]


# Recursive CTEs that start at the given nodes and walk only their branch
# (tree-queries' CTE covers the whole tree: 16-36 ms nationally against
# under 1 ms for these). depth < 64 stops a loop a bad import could make.
UP = (
    "WITH RECURSIVE up(id, parent_id, depth) AS ("
    " SELECT id, parent_id, 0 FROM {table} WHERE id IN (%s)"
    " UNION ALL SELECT a.id, a.parent_id, up.depth + 1 FROM {table} a JOIN up ON a.id = up.parent_id"
    " WHERE up.depth < 64) SELECT id FROM up ORDER BY depth DESC"
)
DOWN = (
    "WITH RECURSIVE down(id, depth) AS ("
    " SELECT id, 0 FROM {table} WHERE id IN (%s)"
    " UNION ALL SELECT a.id, down.depth + 1 FROM {table} a JOIN down ON a.parent_id = down.id"
    " WHERE down.depth < 64) SELECT id FROM down"
)


def _marks(count: int) -> str:
    return ", ".join(["%s"] * count)


def agency_ancestor_ids(*, agency_id: int) -> list[int]:
    """The agency and every unit above it, root first (one query)."""
    ids = _walk(UP.replace("(%s)", f"({_marks(1)})"), [agency_id])
    if not ids:
        raise Agency.DoesNotExist(agency_id)
    return ids


def agencies_above_ids(*, agency_ids: Iterable[int]) -> set[int]:
    """The given agencies and every unit above any of them (one query)."""
    seeds = sorted(set(agency_ids))
    if not seeds:
        return set()
    return set(_walk(UP.replace("(%s)", f"({_marks(len(seeds))})"), seeds))


def agency_subtree_ids(*, agency_ids: Iterable[int]) -> set[int]:
    """The given agencies and everything below them (one query)."""
    roots = sorted(set(agency_ids))
    if not roots:
        return set()
    return set(_walk(DOWN.replace("(%s)", f"({_marks(len(roots))})"), roots))


def agency_list(*, include_inactive: bool = True):
    """All agencies in tree order with their depth, for pickers and exports."""
    qs = Agency.objects.with_tree_fields().select_related("parent", "successor")
    if not include_inactive:
        qs = qs.filter(is_active=True)
    return qs.order_siblings_by("name")
