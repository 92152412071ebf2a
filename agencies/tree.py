"""Every recursive walk of the agency tree, in one place: one statement
whatever the depth, on PostgreSQL and SQLite alike. Callers get ids, Agency
rows, or a CTE to embed in their own statement; none writes its own SQL walk.

The walks start at the given nodes and follow only their branch
(tree-queries' CTE covers the whole tree: 16-36 ms nationally against under
1 ms for these). depth < 64 stops a loop a bad import could make."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from .models import Agency


def _table() -> str:
    return connection.ops.quote_name(Agency._meta.db_table)


def _walk(sql: str, params: list) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(sql.format(table=_table()), params)
        return [row[0] for row in cursor.fetchall()]


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


def agency_lineage(*, agency_id: int) -> list[Agency]:
    """The agency and every unit above it as rows, root first (one query);
    empty if there is no such agency."""
    table = _table()
    sql = (
        f"WITH RECURSIVE up(id, depth) AS (SELECT id, 0 FROM {table} WHERE id = %s"
        f" UNION ALL SELECT a.parent_id, up.depth + 1 FROM {table} a JOIN up ON a.id = up.id"
        f" WHERE a.parent_id IS NOT NULL AND up.depth < 64)"
        f" SELECT a.* FROM {table} a JOIN up ON a.id = up.id ORDER BY up.depth DESC"
    )
    return list(Agency.objects.raw(sql, [agency_id]))


def agencies_inside(*, agency_ids: Iterable[int], root_ids: Iterable[int]) -> set[int]:
    """Those of `agency_ids` that sit strictly below one of `root_ids` (one query walking up)."""
    seeds, roots = sorted(set(agency_ids)), sorted(set(root_ids))
    if not seeds or not roots:
        return set()
    table = _table()
    sql = (
        f"WITH RECURSIVE up(seed, id, depth) AS ("
        f" SELECT a.id, a.parent_id, 0 FROM {table} a WHERE a.id IN ({_marks(len(seeds))})"
        f" AND a.parent_id IS NOT NULL"
        f" UNION ALL SELECT up.seed, a.parent_id, up.depth + 1 FROM {table} a JOIN up ON a.id = up.id"
        f" WHERE a.parent_id IS NOT NULL AND up.depth < 64)"
        f" SELECT DISTINCT seed FROM up WHERE id IN ({_marks(len(roots))})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, seeds + roots)
        return {row[0] for row in cursor.fetchall()}


def branch_scope_cte(*, seeds: list[tuple[int, bool]], start_depth: int, name: str = "dash_scope") -> tuple[str, list]:
    """WITH RECURSIVE <name>(id, branch, depth, descend): the seeds, and the
    subtrees of those marked True, each agency with the branch it rolls up
    into (its ancestor at depth 1 below a seed started at depth 0; the seed
    itself when started at depth 1). For embedding in a statement that
    groups by branch, so no id list travels between Python and the database."""
    table = _table()
    all_ids = [pk for pk, _ in seeds]
    subtree_ids = [pk for pk, subtree in seeds if subtree] or [0]
    sql = (
        f"WITH RECURSIVE {name}(id, branch, depth, descend) AS ("
        f" SELECT id, id, {int(start_depth)}, CASE WHEN id IN ({_marks(len(subtree_ids))}) THEN 1 ELSE 0 END"
        f" FROM {table} WHERE id IN ({_marks(len(all_ids))})"
        f" UNION ALL SELECT a.id, CASE WHEN s.depth = 0 THEN a.id ELSE s.branch END, s.depth + 1, 1"
        f" FROM {table} a JOIN {name} s ON a.parent_id = s.id WHERE s.descend = 1 AND s.depth < 64)"
    )
    return sql, subtree_ids + all_ids


def merged_into_cte(*, scope: str, name: str = "merged") -> str:
    """A further CTE, `<name>(id, depth)`, to append to a WITH RECURSIVE that
    defines `scope`: the units merged into a unit of the scope from outside
    it (a historical unit whose successor is in the scope), with their
    subtrees. With it a statement adds the 2025 predecessors' reports under
    their successors, as `scope_with_merged` does in Python."""
    table = _table()
    return (
        f", {name}(id, depth) AS ("
        f" SELECT m.id, 0 FROM {table} m WHERE m.is_active = %s AND m.successor_id IN (SELECT id FROM {scope})"
        f" AND m.id NOT IN (SELECT id FROM {scope})"
        f" UNION ALL SELECT a.id, {name}.depth + 1 FROM {table} a JOIN {name} ON a.parent_id = {name}.id"
        f" WHERE {name}.depth < 64)"
    )


def scope_with_merged(*, agency_ids: Iterable[int]) -> tuple[set[int], dict[int, int]]:
    """The agencies' subtrees plus every unit merged into one of them (2025:
    district units, communes, provinces), with their subtrees; and, for each
    historical unit in that scope whose successor is in it, the unit its
    figures roll up into (the end of the successor chain, inside the scope).
    A few queries: one per round of merges found."""
    scope = agency_subtree_ids(agency_ids=agency_ids)
    frontier = set(scope)
    for _ in range(8):  # a unit is merged a handful of times at most
        merged = list(
            Agency.objects.filter(successor_id__in=frontier, is_active=False).exclude(pk__in=scope)
            .values_list("pk", flat=True)
        )
        if not merged:
            break
        added = agency_subtree_ids(agency_ids=merged) - scope
        scope |= added
        frontier = added
    successor_of = dict(
        Agency.objects.filter(pk__in=scope, is_active=False, successor__isnull=False).values_list("pk", "successor_id")
    )
    rolled = {}
    for pk in successor_of:
        target, seen = successor_of[pk], {pk}
        while target in successor_of and target not in seen:  # merged again later
            seen.add(target)
            target = successor_of[target]
        if target in scope:
            rolled[pk] = target
    return scope, rolled
