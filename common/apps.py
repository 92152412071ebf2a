from django.apps import AppConfig


class CommonConfig(AppConfig):
    """Helpers every app may use; knows no model of the portal."""

    name = "common"
    verbose_name = "Tiện ích chung"

    def ready(self) -> None:
        from .files import storage_check
        from .health import register_check

        # The core checks (database, cache, broker, worker) are in health.py; storage
        # lives with the file helpers that know object storage.
        register_check("storage", storage_check)
