"""What every XLSX the portal writes shares: cells that cannot run as
formulas, text openpyxl accepts, and the file as bytes."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Spreadsheet apps run cells that start with = + - @ as formulas; control
    characters pasted from Word are not allowed in XLSX at all."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value[:1] in FORMULA_STARTS:
            return "'" + value
    return value


def xlsx_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(value) for value in values]


def workbook_bytes(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
