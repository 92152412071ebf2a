from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "agencies"
    verbose_name = "Cơ quan, đơn vị và phân quyền"

    def ready(self) -> None:
        from . import signals  # noqa: F401  # connects the scope cache's receivers
