from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "agencies"
    verbose_name = "Cơ quan, đơn vị và phân quyền"

    def ready(self) -> None:
        from common.files import FileOwner, register_file_owner

        from . import signals  # noqa: F401  # connects the scope cache's receivers
        from .signing import SIGNING_PREFIX, signing_certificate_names

        register_file_owner(FileOwner(label="chứng thư số của đơn vị", prefix=SIGNING_PREFIX,
                                      names=signing_certificate_names))
