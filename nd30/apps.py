from django.apps import AppConfig


class Nd30Config(AppConfig):
    """The official document toolkit (Nghị định 30/2020/NĐ-CP): letterhead,
    signature, print CSS, PDF and DOCX building blocks. Knows no Plan or
    Report; plans and reports build their documents from these parts."""

    name = "nd30"
    verbose_name = "Thể thức văn bản (Nghị định 30)"
