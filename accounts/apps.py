from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = "Đăng nhập và nhật ký"

    def ready(self) -> None:
        # Registers this app's permission rules; connects logins, logouts,
        # lockouts and the lower apps' downloads to the audit log.
        from . import rules, signals  # noqa: F401
