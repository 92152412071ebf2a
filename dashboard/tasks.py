"""Celery tasks of the dashboard: thin entry points taking ids."""

from celery import shared_task
from django.utils import timezone

from reports.versions import WARM_TASK


@shared_task(name=WARM_TASK, ignore_result=True)
def dashboard_warm_task(root_ids: list[int]) -> int:
    """Reports of these provinces changed (reports/versions.py): build their
    dashboards and the national ones again before anyone asks."""
    from .pages import dashboard_warm

    return dashboard_warm(root_ids, today=timezone.localdate())


@shared_task(name="dashboard.tasks.dashboard_rollup_rebuild_task", ignore_result=True)
def dashboard_rollup_rebuild_task() -> str:
    """The agency tree changed: the per-province rollups built again on it."""
    from reports.rollup import roots_rebuild

    return roots_rebuild()
