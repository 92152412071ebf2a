"""A version of the reports per province (tree root), kept in the shared
cache: the dashboard's cache keys hold the versions of the roots a page
covers, so a report changed in one province misses that province's pages
and the national ones, not the other provinces'.

The report services bump the version of the report's root (and of the
roots of the units it was merged into: its figures count there too) on
every submit, return, acceptance and record; code that creates or changes
many reports at once (reports_ensure, a rule edit) bumps every root with
`reports_changed_everywhere`. A version lost from the cache (a restart, an
eviction) comes back as a new number, never an old one, so it can only
cause a miss. After a change, the dashboard's warm task (enqueued by name:
the dashboard is above reports) renders the affected pages again, and the
summary's (reports/tasks.py) adds up the figures of the summaries last viewed there."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable

from celery import current_app
from django.core.cache import cache
from django.db import transaction

from agencies.models import Agency
from agencies.tree import agencies_above_ids

logger = logging.getLogger(__name__)
PREFIX = "reports-version:"
EVERYWHERE = "all"
# dashboard/tasks.py; by name, as the notices enqueue theirs.
WARM_TASK = "dashboard.tasks.dashboard_warm_task"
# reports/tasks.py: the period summaries' figures added up again.
SUMMARY_WARM_TASK = "reports.tasks.summary_warm_task"
WARMING = "reports-warming:"
SUMMARY_WARMING = "reports-summary-warming:"
# A warm task not started by then (a worker down or busy) leaves the pages to their viewers.
WARMING_SECONDS = 5


def _fresh() -> int:
    """A number no earlier version of a key can have had."""
    return time.time_ns()


def versions(root_ids: Iterable[int]) -> dict[str, int]:
    """{root id or "all": version} for these roots and the version of every
    root, in one cache read (a missing one is set anew)."""
    keys = {PREFIX + str(pk): str(pk) for pk in root_ids} | {PREFIX + EVERYWHERE: EVERYWHERE}
    found = cache.get_many(list(keys))
    for key in keys.keys() - found.keys():
        cache.add(key, _fresh(), None)
        found[key] = cache.get(key, 0)
    return {keys[key]: value for key, value in found.items()}


def _bump(name: str) -> None:
    key = PREFIX + name
    try:
        cache.incr(key)
    except ValueError:  # not in the cache (any more)
        cache.set(key, _fresh(), None)


def province_roots(agency_ids: Iterable[int]) -> set[int]:
    """The roots of the agencies' trees and of the trees of the units they
    were merged into (their reports count with their successors). Two
    statements, and one more per step along a chain of mergers."""
    seen: set[int] = set()
    todo = set(agency_ids)
    while todo:
        seen |= todo
        todo = set(Agency.objects.filter(pk__in=todo, successor__isnull=False)
                   .values_list("successor_id", flat=True)) - seen
    above = agencies_above_ids(agency_ids=seen)
    return set(Agency.objects.filter(pk__in=above, parent__isnull=True).values_list("pk", flat=True))


def reports_changed(*, agency_ids: Iterable[int]) -> set[int]:
    """Reports of these agencies changed: bump their provinces' versions now
    and, once the transaction commits, warm their dashboards. Returns the roots."""
    roots = province_roots(agency_ids)
    for pk in sorted(roots):
        _bump(str(pk))
    # And again at commit: a page built in between read the old rows and
    # must not be kept under the new version.
    transaction.on_commit(lambda: _committed(roots))
    return roots


def reports_changed_everywhere() -> None:
    """Many reports changed (created in bulk, new deadlines): every dashboard misses once."""
    _bump(EVERYWHERE)
    transaction.on_commit(lambda: _bump(EVERYWHERE))


def _committed(roots: set[int]) -> None:
    for pk in sorted(roots):
        _bump(str(pk))
    flags = [prefix + str(pk) for pk in sorted(roots) for prefix in (WARMING, SUMMARY_WARMING)]
    try:
        # Until the warm task has claimed the pages it builds, viewers keep
        # the pages' latest build rather than build them too (dashboard/cache.py).
        cache.set_many(dict.fromkeys(flags, 1), WARMING_SECONDS)
        current_app.send_task(WARM_TASK, args=[sorted(roots)], ignore_result=True)
        current_app.send_task(SUMMARY_WARM_TASK, args=[sorted(roots)], ignore_result=True)
    except Exception:  # a broker that is down only leaves the pages cold
        cache.delete_many(flags)
        logger.warning("Dashboard warm task not enqueued", exc_info=True)


def warming(root_ids: Iterable[int]) -> bool:
    """Whether the warm task was enqueued for any of these roots and has not claimed its pages yet."""
    return bool(cache.get_many([WARMING + str(pk) for pk in root_ids]))


def warm_started(root_ids: Iterable[int]) -> None:
    """The warm task has claimed its pages for these roots."""
    cache.delete_many([WARMING + str(pk) for pk in root_ids])


def summary_warming(root_ids: Iterable[int]) -> bool:
    """Whether the summary's warm task was enqueued for any of these roots and has not finished."""
    return bool(cache.get_many([SUMMARY_WARMING + str(pk) for pk in root_ids]))


def summary_warmed(root_ids: Iterable[int]) -> None:
    cache.delete_many([SUMMARY_WARMING + str(pk) for pk in root_ids])
