from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """The compliance dashboard: read-only, no models of its own."""

    name = "dashboard"
    verbose_name = "Theo dõi"

    def ready(self) -> None:
        from . import rules  # noqa: F401 (registers this app's permission rules)
