"""What the dashboard keeps in the cache, and for how long.

A page's content (everything under the menu: pickers, charts, tables) is
kept whole in the shared cache, under a key made of the node, the viewer's
seeds, the query string and a fingerprint: the date ("missing" depends on
it) and the version of the reports of every province the node covers
(reports/versions.py). A report changed in one province misses that
province's pages and the national ones once (the cache is shared): the
warm task (tasks.py), enqueued at commit, claims the pages last seen there
and builds them again; until it has, and while anyone builds a page, the
other viewers get the page's latest build of the day at once (a change
shows a build later, a few hundred milliseconds), or wait for the first
build when there is none."""

from __future__ import annotations

import datetime as dt
import hashlib
import time

from celery import current_app
from django.core.cache import cache

from agencies.models import Agency
from agencies.tree import agencies_above_ids
from reports.models import RootRollupTree
from reports.rollup import tree_state
from reports.versions import versions

# Seconds a page is kept: the key holds the reports' versions, so this only
# bounds how long an agency or plan edit takes to show.
CACHE_SECONDS = 300
# Periods, the tree above a unit and issued plans change rarely (yearly,
# by an administrator); read once a minute.
TREE_SECONDS = 60
# A page another process is building is waited for this long, then built here too.
BUILD_WAIT_SECONDS = 5
# Pages the warm task builds again after a change, per province: the last seen.
WARM_RECIPES = 8


def _key(name: str) -> str:
    return "dashboard:" + hashlib.md5(name.encode(), usedforsecurity=False).hexdigest()


def kept(key: str, seconds: int, compute):
    """`compute()` kept in the cache for a few seconds: for facts that change
    rarely (periods, the tree, issued plans) and are read on every page."""
    key = _key(key)
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return value


def node_roots(node) -> list[int]:
    """The tree roots (provinces) whose reports the node's figures count."""
    if node.agency is not None:
        return [node.lineage_ids[0] if node.lineage_ids else node.agency.pk]
    seed_ids = sorted(s.agency_id for s in node.seeds)

    def read() -> list[int]:
        above = agencies_above_ids(agency_ids=seed_ids)
        return sorted(Agency.objects.filter(pk__in=above, parent__isnull=True).values_list("pk", flat=True))

    return kept(f"roots:{seed_ids}", TREE_SECONDS, read)


def reports_fingerprint(*, roots: list[int], today: dt.date) -> str:
    """Part of the page keys: changes with the date and with the version of
    the reports of any of these roots (one cache read, no statement)."""
    found = versions(roots)
    return f"{today:%Y%m%d}-" + "-".join(f"{name}.{found[name]}" for name in sorted(found))


def page_key(*, node, query: dict[str, str], table_only: bool, fingerprint: str) -> str:
    """The key of one page's content: who sees it (the node, the seeds its
    breadcrumb starts from, whether the table opens drafts), what was asked
    and the reports' fingerprint (empty: the key of the page's latest build)."""
    seeds = ",".join(f"{s.agency_id}{'' if s.subtree else 'o'}{'d' if s.drafts else ''}" for s in node.seeds)
    asked = "&".join(f"{k}={v}" for k, v in sorted(query.items()))
    return _key(f"page:{node.key}:{seeds}:{node.drafts}:{table_only}:{asked}:{fingerprint}")


def _busy(key: str) -> str:
    return key + ":busy"


def claim(key: str) -> bool:
    """Mark the page as being built here (the warm task claims all its pages
    before building the first); False when another process builds it."""
    return bool(cache.add(_busy(key), 1, BUILD_WAIT_SECONDS))


def page_cached(key: str, build, *, latest: str = "", fingerprint: str = "", claimed: bool = False,
                warming=lambda: False):
    """The cached page, or `build()` kept. While another process builds the
    same page (the warm task right after a change, or a burst of viewers),
    or is about to (`warming()`: the warm task is enqueued), it is built
    once: the others get the page's latest build if it is of the same day (a
    change younger than one build is not shown yet, as if it came a moment
    later), else wait for the new one."""
    value = cache.get(key)
    if value is not None:
        return value

    def last():
        found = cache.get(latest) if latest else None
        return found[1] if found is not None and found[0].split("-")[0] == fingerprint.split("-")[0] else None

    if not claimed and not claim(key):
        value = last()
        if value is not None:
            return value
        deadline = time.monotonic() + BUILD_WAIT_SECONDS
        while time.monotonic() < deadline:
            time.sleep(0.02)
            value = cache.get(key)
            if value is not None:
                return value
    elif not claimed and warming():
        value = last()
        if value is not None:
            cache.delete(_busy(key))
            return value
    try:
        value = build()
        cache.set_many({key: value, **({latest: (fingerprint, value)} if latest else {})}, CACHE_SECONDS)
    finally:
        cache.delete(_busy(key))
    return value


def _recipes_key(root: int) -> str:
    return f"dashboard:recipes:{root}"


def remember(*, roots: list[int], recipe: tuple) -> None:
    """Note that this page was built, under each of its roots, for the warm
    task: the newest WARM_RECIPES per root (a recipe: node and query)."""
    keys = [_recipes_key(pk) for pk in roots]
    found = cache.get_many(keys)
    changed = {key: [*found.get(key, []), recipe][-WARM_RECIPES:] for key in keys if recipe not in found.get(key, [])}
    if changed:
        cache.set_many(changed, CACHE_SECONDS * 12)


def recipes(root_ids: list[int]) -> list[tuple]:
    """The pages last built for these roots, each once."""
    found = cache.get_many([_recipes_key(pk) for pk in root_ids])
    seen: list[tuple] = []
    for pk in root_ids:
        for recipe in found.get(_recipes_key(pk), []):
            if recipe not in seen:
                seen.append(recipe)
    return seen


# dashboard/tasks.py, by name: the tasks module imports the pages, which import this.
REBUILD_TASK = "dashboard.tasks.dashboard_rollup_rebuild_task"


def _rollup_tree() -> tuple[bool, frozenset[int], frozenset[frozenset[int]]]:
    state = tree_state()
    built = RootRollupTree.objects.values_list("stamp", flat=True).first()
    roots = frozenset(pk for pk, root in state.root_of.items() if pk == root)
    return built == state.stamp, roots, state.sharing


def rollup_roots(node) -> list[int] | None:
    """The roots whose rollups (reports/rollup.py RootRollup) add up to the
    node's figures: a whole tree, or whole trees whose scopes share no unit,
    built on the tree as it is. None: add up the reports' rollup instead
    (and, when the tree changed, have the root rollups built again)."""
    built, roots, sharing = kept("rollup-tree", TREE_SECONDS, _rollup_tree)
    if not built:
        if cache.add("dashboard:rollup-rebuild", 1, CACHE_SECONDS):
            current_app.send_task(REBUILD_TASK, ignore_result=True)
        return None
    if node.agency is not None:
        return [node.agency.pk] if node.subtree and node.agency.pk in roots else None
    ids = {s.agency_id for s in node.seeds}
    if not all(s.subtree for s in node.seeds) or not ids <= roots or any(pair <= ids for pair in sharing):
        return None
    return sorted(ids)
