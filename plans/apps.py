from django.apps import AppConfig


class PlansConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "plans"
    verbose_name = "Kế hoạch tuyên truyền"

    def ready(self) -> None:
        from . import rules  # noqa: F401 (registers this app's permission rules)
