from django.apps import AppConfig


class CommonConfig(AppConfig):
    """Helpers every app may use; knows no model of the portal."""

    name = "common"
    verbose_name = "Tiện ích chung"

    def ready(self) -> None:
        from .lookups import register

        register()
