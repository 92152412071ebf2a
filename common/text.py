"""Text helpers shared by searches."""

import re
import unicodedata


def fold(text: str) -> str:
    """Lower-case text without Vietnamese diacritics, so "tuyen truyen" finds
    "Tuyên truyền" on PostgreSQL and SQLite alike (đ has no decomposition)."""
    decomposed = unicodedata.normalize("NFD", text or "")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.replace("đ", "d").replace("Đ", "D").lower().split())


# C0 control characters other than tab, line feed and carriage return: DOCX and
# XLSX (XML) cannot hold them and PostgreSQL refuses NUL. Pasted from Word or
# PDFs, they would make a stored plan impossible to print.
CONTROL_CHARS = dict.fromkeys(c for c in range(32) if c not in (9, 10, 13)) | {0x7F: None}


def clean_text(value: str) -> str:
    """Composed Unicode (NFC: Unikey's "tổ hợp" and macOS input arrive
    decomposed) without control characters."""
    return unicodedata.normalize("NFC", value or "").translate(CONTROL_CHARS)


# XML 1.0 has no place for surrogates or U+FFFE/U+FFFF either: DOCX and XLSX would refuse them.
NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")


def xml_text(value: str) -> str:
    """clean_text, and nothing an XML file (DOCX, XLSX) cannot hold."""
    return NOT_XML.sub("", clean_text(value))


def file_name_part(text: str) -> str:
    """ "Quý III/2026" -> "Quy-III-2026": ASCII only in download names, so
    every browser and mail client keeps them intact."""
    text = unicodedata.normalize("NFKD", (text or "").replace("Đ", "D").replace("đ", "d"))
    text = text.encode("ascii", "ignore").decode()
    return "-".join(part for part in "".join(c if c.isalnum() else " " for c in text).split())
