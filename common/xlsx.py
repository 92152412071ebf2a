"""What every XLSX the portal writes shares: cells that cannot run as
formulas, text openpyxl accepts, dates shown dd/mm/yyyy, columns wide enough
to read, and the file as bytes."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

from .text import xml_text

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
MIN_WIDTH, MAX_WIDTH = 6, 60


def safe_cell(value: Any) -> Any:
    """Spreadsheet apps run cells that start with = + - @ as formulas; control
    characters pasted from Word are not allowed in XLSX at all."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", xml_text(value))
        if value[:1] in FORMULA_STARTS:
            return "'" + value
    return value


def xlsx_row(values: Iterable[Any], sheet: WriteOnlyWorksheet | None = None) -> list[Any]:
    """Safe cells; on a write-only sheet (large exports, no going back to
    format afterwards) dates come as cells already shown dd/mm/yyyy."""
    row = [safe_cell(value) for value in values]
    if sheet is None:
        return row
    return [_dated(sheet, value) if isinstance(value, dt.date) else value for value in row]


def _dated(sheet: WriteOnlyWorksheet, value: dt.date) -> Any:
    cell: Any = WriteOnlyCell(sheet)
    cell.value = value
    cell.number_format = DATETIME_FORMAT if isinstance(value, dt.datetime) else DATE_FORMAT
    return cell


def column_widths(sheet: Any, widths: Iterable[int]) -> None:
    """Fixed widths, for write-only sheets: set before the first row."""
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width


def sheet_finish(sheet: Worksheet) -> None:
    """Dates as dd/mm/yyyy (Excel's default follows the reader's locale and
    often shows yyyy-mm-dd) and each column as wide as its longest line,
    within limits, unless the export set a width itself."""
    widths: dict[int, int] = {}
    for row in sheet.iter_rows():
        for column, cell in enumerate(row, start=1):
            value = cell.value
            if value is None:
                continue
            if isinstance(value, dt.datetime):
                cell.number_format = DATETIME_FORMAT
                length = 16
            elif isinstance(value, dt.date):
                cell.number_format = DATE_FORMAT
                length = 10
            else:
                length = max((len(line) for line in str(value).splitlines()), default=0)
            widths[column] = max(widths.get(column, 0), length)
    chosen = set(sheet.column_dimensions)  # widths the export set itself
    for column, length in widths.items():
        letter = get_column_letter(column)
        if letter not in chosen:
            sheet.column_dimensions[letter].width = min(max(length + 2, MIN_WIDTH), MAX_WIDTH)


def workbook_bytes(book: Workbook) -> bytes:
    for sheet in book.worksheets:
        if isinstance(sheet, Worksheet):  # write-only sheets set theirs up front
            sheet_finish(sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
