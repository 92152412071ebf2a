from django.apps import AppConfig


class PlansConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "plans"
    verbose_name = "Kế hoạch tuyên truyền"

    def ready(self) -> None:
        from common.files import FileOwner, register_file_owner

        from . import rules  # noqa: F401 (registers this app's permission rules)
        from .documents.storage import (
            DRAFTS_PREFIX,
            SIGNED_PREFIX,
            STORED_PREFIX,
            draft_stored_names,
            signed_copy_names,
            stored_names,
        )

        # An issued plan's PDF/DOCX is made again when missing: not "required".
        register_file_owner(FileOwner(label="văn bản kế hoạch", prefix=STORED_PREFIX, names=stored_names,
                                      required=False))
        # A draft's PDF made after a save: kept while the plan is not issued.
        register_file_owner(FileOwner(label="bản in dự thảo kế hoạch", prefix=DRAFTS_PREFIX,
                                      names=draft_stored_names, required=False))
        # A signed copy cannot be made again: a missing one is a fault to report.
        register_file_owner(FileOwner(label="bản ký số kế hoạch", prefix=SIGNED_PREFIX, names=signed_copy_names))
