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


def agencies_above_sql(*, agency_ids: Iterable[int]) -> tuple[str, list]:
    """agencies_above_ids' set as a SELECT, for embedding as
    `agency_id__in=RawSQL(...)`; an empty list selects nothing."""
    seeds = sorted(set(agency_ids)) or [0]  # no agency has pk 0
    return UP.replace("(%s)", f"({_marks(len(seeds))})").replace(" ORDER BY depth DESC", "").format(
        table=_table()), seeds


def agency_subtree_ids(*, agency_ids: Iterable[int]) -> set[int]:
    """The given agencies and everything below them (one query)."""
    roots = sorted(set(agency_ids))
    if not roots:
        return set()
    return set(_walk(DOWN.replace("(%s)", f"({_marks(len(roots))})"), roots))


def subtree_sql(*, agency_ids: Iterable[int]) -> tuple[str, list]:
    """SELECT of the agencies and everything below them (agency_subtree_ids'
    set), for embedding as `agency_id__in=RawSQL(...)`: the id list stays
    in the database. An empty list selects nothing."""
    roots = sorted(set(agency_ids)) or [0]  # no agency has pk 0
    sql = DOWN.replace("(%s)", f"({_marks(len(roots))})").format(table=_table())
    return sql, roots


def subtree_with_merged_sql(*, agency_ids: Iterable[int]) -> tuple[str, list]:
    """SELECT of the agencies, everything below them and every unit merged
    into one of these (2025), with its subtree: the downward twin of
    agency_heritage (X is here iff one of `agency_ids` is in X's heritage),
    `scope_with_merged`'s set in one statement. For embedding as
    `agency_id__in=RawSQL(...)`; an empty list selects nothing."""
    roots = sorted(set(agency_ids)) or [0]  # no agency has pk 0
    table = _table()
    # UNION, not UNION ALL: a unit reached twice (its old place and its
    # successor both below a root) is walked once, and a loop ends.
    sql = (
        f"WITH RECURSIVE below(id) AS (SELECT id FROM {table} WHERE id IN ({_marks(len(roots))})"
        f" UNION SELECT a.id FROM {table} a JOIN below b"
        f" ON a.parent_id = b.id OR (a.successor_id = b.id AND a.is_active = %s))"
        f" SELECT id FROM below"
    )
    return sql, [*roots, False]


def subtree_with_merged_ids(*, agency_ids: Iterable[int]) -> set[int]:
    """subtree_with_merged_sql's agencies as ids (one query; none for no agency)."""
    if not set(agency_ids):
        return set()
    sql, params = subtree_with_merged_sql(agency_ids=agency_ids)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0] for row in cursor.fetchall()}


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


# Where the physical path starts in `dist` (parent hops since the last merger
# hop): any path through a merger (dist < 64) is preferred to one without.
_PHYSICAL = 1000


def branch_scope_cte(*, seeds: list[tuple[int, bool]], start_depth: int, name: str = "dash_scope") -> tuple[str, list]:
    """WITH RECURSIVE <name>(id, branch, via, merged_unit): the seeds, the
    subtrees of those marked True, and the units merged into any of these
    (2025: a historical unit whose successor is here) with their subtrees, as
    `scope_with_merged` takes them in; each agency once, with the branch it
    rolls up into (its ancestor at depth 1 below a seed started at depth 0; the
    seed itself when started at depth 1). A merged unit rolls up where its
    successor does, as a child of it would: when the scope holds both its old
    place and its successor, it counts under the successor (the nearest merger
    wins), never twice. `via`: the successor through which a unit came into
    the scope and `merged_unit` the unit merged into it (the unit itself or an
    ancestor), both NULL for a unit in its own place. For embedding in a
    statement that groups by branch, so no id list travels between Python and
    the database."""
    table = _table()
    all_ids = [pk for pk, _ in seeds]
    subtree_ids = [pk for pk, subtree in seeds if subtree] or [0]
    walk = f"{name}_walk"
    # a reached through a merger into w (a dissolved unit whose successor is w);
    # checked first, so a unit merged into its own parent is marked as merged.
    merger = "(a.successor_id = w.id AND a.is_active = %s)"
    sql = (
        f"WITH RECURSIVE {walk}(id, branch, depth, descend, dist, via, merged_unit) AS ("
        f" SELECT id, id, {int(start_depth)}, CASE WHEN id IN ({_marks(len(subtree_ids))}) THEN 1 ELSE 0 END,"
        f" {_PHYSICAL}, CAST(NULL AS BIGINT), CAST(NULL AS BIGINT)"
        f" FROM {table} WHERE id IN ({_marks(len(all_ids))})"
        f" UNION ALL SELECT a.id, CASE WHEN w.depth = 0 THEN a.id ELSE w.branch END, w.depth + 1,"
        f" CASE WHEN {merger} THEN w.descend ELSE 1 END,"
        f" CASE WHEN {merger} THEN 0 ELSE w.dist + 1 END,"
        f" CASE WHEN {merger} THEN w.id ELSE w.via END,"
        f" CASE WHEN {merger} THEN a.id ELSE w.merged_unit END"
        f" FROM {table} a JOIN {walk} w ON (a.parent_id = w.id AND w.descend = 1) OR {merger}"
        f" WHERE w.depth < 64),"
        # A unit reached twice (its old place and its successor are both in the
        # scope, or two seeds overlap) keeps one row: the nearest merger first.
        f" {name}(id, branch, via, merged_unit) AS ("
        f" SELECT id, branch, via, merged_unit FROM ("
        f" SELECT id, branch, via, merged_unit,"
        f" ROW_NUMBER() OVER (PARTITION BY id ORDER BY dist, depth, branch) AS pick FROM {walk}) ranked"
        f" WHERE pick = 1)"
    )
    params = [*subtree_ids, *all_ids, *([False] * 5)]
    return sql, params


def merged_into_ids_sql(*, agency_id: int) -> tuple[str, list]:
    """SELECT of the agency and every unit merged into it, directly or through
    earlier mergers (a unit merged into a unit that was itself merged later):
    the units whose work the agency carries on. Without their subtrees: only
    a unit that was merged, not its offices, handed its tasks over. For
    embedding as `pk__in=RawSQL(...)`."""
    table = _table()
    sql = (
        f"WITH RECURSIVE carried(id, depth) AS (SELECT id, 0 FROM {table} WHERE id = %s"
        f" UNION ALL SELECT a.id, c.depth + 1 FROM {table} a JOIN carried c ON a.successor_id = c.id"
        f" WHERE a.is_active = %s AND c.depth < 64) SELECT id FROM carried"
    )
    return sql, [agency_id, False]


def agency_heritage(*, agency_id: int) -> list[tuple[int, int]]:
    """Every unit the agency's figures reach, walking up the tree and across
    mergers (a dissolved unit to its successor), as (unit, how): 0 a unit above
    it in the tree, 1 a unit it was merged into (successor links only, from
    the agency itself), 2 anything reached through a merger and then up (the
    successor's ancestors, a successor of an ancestor); a unit reached two
    ways comes twice. One query; empty if there is no such agency."""
    table = _table()
    # Each step goes to the parent (n = 0) or, for a dissolved unit, to its
    # successor (n = 1): one recursive reference, as PostgreSQL requires.
    sql = (
        f"WITH RECURSIVE heir(id, how, depth) AS (SELECT id, 0, 0 FROM {table} WHERE id = %s"
        f" UNION ALL SELECT CASE WHEN k.n = 0 THEN a.parent_id ELSE a.successor_id END,"
        f" CASE WHEN k.n = 1 AND (h.how = 1 OR h.depth = 0) THEN 1 WHEN k.n = 0 AND h.how = 0 THEN 0 ELSE 2 END,"
        f" h.depth + 1"
        f" FROM heir h JOIN {table} a ON a.id = h.id CROSS JOIN (SELECT 0 AS n UNION ALL SELECT 1) k"
        f" WHERE h.depth < 64 AND ((k.n = 0 AND a.parent_id IS NOT NULL)"
        f" OR (k.n = 1 AND a.is_active = %s AND a.successor_id IS NOT NULL)))"
        f" SELECT DISTINCT id, how FROM heir"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [agency_id, False])
        return [(row[0], row[1]) for row in cursor.fetchall()]


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
