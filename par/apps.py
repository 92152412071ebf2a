from django.apps import AppConfig


class ParConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "par"
    verbose_name = "Chỉ số CCHC (PAR Index)"

    def ready(self) -> None:
        from common.files import FileOwner, register_file_owner

        from . import rules, tag_rules  # noqa: F401 (register this app's permission rules)
        from .models import AssessmentItem, EvidencePack

        register_file_owner(FileOwner(
            label="tệp bổ sung tự đánh giá", prefix="par/items/",
            names=lambda: AssessmentItem.objects.exclude(file="").values_list("file", flat=True)))
        # A pack is built again on demand: a missing one is not a fault.
        register_file_owner(FileOwner(
            label="bộ hồ sơ minh chứng", prefix="par/packs/",
            names=lambda: EvidencePack.objects.exclude(file="").values_list("file", flat=True), required=False))
