from django.apps import AppConfig


class CommonConfig(AppConfig):
    """Helpers every app may use; knows no model of the portal."""

    name = "common"
    verbose_name = "Tiện ích chung"

    def ready(self) -> None:
        from .files import storage_check
        from .health import register_check

        register_check("storage", storage_check)
