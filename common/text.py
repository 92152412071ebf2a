"""Text helpers shared by searches."""

import unicodedata


def fold(text: str) -> str:
    """Lower-case text without Vietnamese diacritics, so "tuyen truyen" finds
    "Tuyên truyền" on PostgreSQL and SQLite alike (đ has no decomposition)."""
    decomposed = unicodedata.normalize("NFD", text or "")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.replace("đ", "d").replace("Đ", "D").lower().split())
