from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo and national-scale data: the only code that imports every app."""

    name = "demo"
    verbose_name = "Dữ liệu mẫu"
