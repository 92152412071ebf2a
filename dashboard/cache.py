"""What the dashboard keeps in the cache, and for how long.

The page shows its figures through cached template fragments whose keys hold
a fingerprint of the year's reports (count and latest update): every submit,
save, return and acceptance changes it, so a warm page costs the login, the
user's roles and no aggregate at all."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.core.cache import cache
from django.db.models import Count, Max

from reports.models import Report
from schedule.models import ReportingPeriod

# Seconds a rendered part of the page is kept; the keys hold a fingerprint of
# the reports, so this only bounds how long an agency or plan edit takes to show.
CACHE_SECONDS = 300
# How long the fingerprint of the reports is trusted before it is read again:
# under load this saves a statement per page; a change shows within it.
FINGERPRINT_SECONDS = 2
# Periods, the tree above a unit and issued plans change rarely (yearly,
# by an administrator); read once a minute.
TREE_SECONDS = 60


def kept(key: str, seconds: int, compute):
    """`compute()` kept in the cache for a few seconds: for facts that change
    rarely (periods, the tree, issued plans) and are read on every page."""
    key = "dashboard:" + hashlib.md5(key.encode(), usedforsecurity=False).hexdigest()
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return value


def reports_fingerprint(*, periods: list[ReportingPeriod], today: dt.date) -> str:
    """Part of the dashboard's cache keys: it changes when a report of these
    periods is created, deleted, saved, submitted or reviewed (every service
    saves Report.updated_at; bulk_create fills it too), and every day, since
    "missing" depends on the date. One statement on the period index, read at
    most every FINGERPRINT_SECONDS per process. Agency and plan edits are not
    seen: CACHE_SECONDS bounds those."""
    ids = [p.pk for p in periods]

    def read() -> str:
        row = Report.objects.filter(period_id__in=ids).aggregate(n=Count("pk"), last=Max("updated_at"))
        return f"{row['n']}-{row['last'].timestamp() if row['last'] else 0}"

    return f"{today:%Y%m%d}-" + kept(f"fingerprint:{ids}", FINGERPRINT_SECONDS, read)
