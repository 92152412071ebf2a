from django.apps import AppConfig


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = "Báo cáo"

    def ready(self) -> None:
        from schedule.signals import due_dates_changed

        from . import rules  # noqa: F401 (registers this app's permission rules)

        due_dates_changed.connect(_due_dates_changed, dispatch_uid="reports_due_refresh")


def _due_dates_changed(sender, *, period_ids, **kwargs) -> None:
    """A rule edit in schedule reached open periods: recompute their reports."""
    from .services import reports_due_refresh

    reports_due_refresh(period_ids=period_ids)
