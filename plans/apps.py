from django.apps import AppConfig


class PlansConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "plans"
    verbose_name = "Kế hoạch tuyên truyền"

    def ready(self) -> None:
        from common.files import FileOwner, register_file_owner

        from . import rules  # noqa: F401 (registers this app's permission rules)
        from .documents.storage import STORED_PREFIX, stored_names

        # An issued plan's PDF/DOCX is made again when missing: not "required".
        register_file_owner(FileOwner(label="văn bản kế hoạch", prefix=STORED_PREFIX, names=stored_names,
                                      required=False))
