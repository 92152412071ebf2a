from functools import partial

from django.apps import AppConfig
from django.db import transaction


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = "Báo cáo"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from common.health import register_check
        from plans.models import PlanTransition
        from schedule.signals import due_dates_changed

        from . import rules  # noqa: F401 (registers this app's permission rules)
        from .health import reminders_health

        register_check("reminders", reminders_health)

        due_dates_changed.connect(_due_dates_changed, dispatch_uid="reports_due_refresh")
        # Plans sit below reports and import nothing of them: every move of a
        # plan is a PlanTransition row, and its notices follow from it here.
        post_save.connect(_plan_moved, sender=PlanTransition, dispatch_uid="reports_plan_moved")
        _register_evidence_files()
        _register_summary_files()


def _register_evidence_files() -> None:
    """An evidence row deleted, however (the service, the admin, its report
    deleted): its file goes once the delete is committed. And the orphan
    sweep's view of evidence: files under evidence/ that rows name."""
    from django.db.models.signals import post_delete

    from common.files import FileOwner, register_file_owner

    from .models import Evidence

    post_delete.connect(_evidence_deleted, sender=Evidence, dispatch_uid="reports_evidence_file")
    register_file_owner(FileOwner(
        label="minh chứng", prefix="evidence/",
        names=lambda: Evidence.objects.values_list("file", flat=True).iterator(),
    ))


def _register_summary_files() -> None:
    """Summary documents built by the worker: derived files (asked for again
    if lost), removed with their job."""
    from django.db.models.signals import post_delete

    from common.files import FileOwner, register_file_owner

    from .models import SUMMARY_JOB_PREFIX, SummaryDocumentJob

    post_delete.connect(_evidence_deleted, sender=SummaryDocumentJob, dispatch_uid="reports_summary_job_file")
    register_file_owner(FileOwner(
        label="báo cáo tổng hợp", prefix=SUMMARY_JOB_PREFIX, required=False,
        names=lambda: SummaryDocumentJob.objects.exclude(file="").values_list("file", flat=True).iterator(),
    ))


def _evidence_deleted(sender, *, instance, **kwargs) -> None:
    from common.files import delete_on_commit

    delete_on_commit(instance.file.storage, instance.file.name or "")


def _due_dates_changed(sender, *, period_ids, **kwargs) -> None:
    """A rule edit in schedule reached open periods: recompute their reports."""
    from .services import reports_due_refresh

    reports_due_refresh(period_ids=period_ids)


def _plan_moved(sender, *, instance, created, raw=False, **kwargs) -> None:
    """A plan moved: tell of it once the move is committed (a move rolled
    back tells nobody). robust: a notice that fails never undoes the move;
    the daily sweep records the notices of a move that were missed."""
    if not created or raw:
        return
    from plans.models import Plan

    from .services import plan_move_notify

    callback = partial(plan_move_notify, transition_id=instance.pk)
    # Django's robust on_commit logs a failure with func.__qualname__, which
    # a bare partial lacks (the log line itself would raise).
    callback.__qualname__ = plan_move_notify.__qualname__  # type: ignore[attr-defined]
    transaction.on_commit(callback, robust=True)
    if instance.to_status == Plan.Status.ISSUED:
        # Its units' reports for the periods under way, now rather than at
        # tomorrow's sweep (which makes them if this fails).
        issued = partial(_plan_issued, plan_id=instance.plan_id)
        issued.__qualname__ = _plan_issued.__qualname__  # type: ignore[attr-defined]
        transaction.on_commit(issued, robust=True)


def _plan_issued(*, plan_id: int) -> None:
    from django.utils import timezone

    from .services import reports_ensure_current

    reports_ensure_current(today=timezone.localdate(), plan_ids=[plan_id])

