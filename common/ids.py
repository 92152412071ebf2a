"""Ids typed into query strings and posts: ASCII digits within bigint, or nothing."""

from __future__ import annotations

BIGINT_MAX = 2**63 - 1


def parse_id(value: object) -> int | None:
    """"42" -> 42; "abc", "²", "-1", "0", "1e3" and 30-digit numbers -> None
    (str.isdigit() accepts "²", which int() refuses)."""
    text = str(value if value is not None else "").strip()
    if not text or not text.isascii() or not text.isdigit():
        return None
    number = int(text)
    return number if 0 < number <= BIGINT_MAX else None
