"""Reading an uploaded table (CSV or XLSX) the way every importer needs it:
checked by content and size, streamed, bounded in rows and columns, with row
positions kept so messages name the row as the user sees it in the file.

The agency import and the user import share it; each turns a `TableError`
into its own refusal."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

import openpyxl

from .text import clean_text

ZIP_SIGNATURE = b"PK\x03\x04"


class TableError(Exception):
    """The file cannot be read as a table; the message says why, in Vietnamese."""


def _filled(row: list[Any]) -> bool:
    return any(value is not None and clean_text(str(value)).strip() for value in row)


def read_table(*, content: bytes, filename: str, max_rows: int, max_columns: int,
               max_bytes: int | None = None, too_many_rows: str | None = None) -> list[list[Any]]:
    """The rows of a CSV (UTF-8, with or without BOM, "," or ";") or XLSX file.

    At most `max_rows` filled rows after the header (`too_many_rows` is the
    refusal, default a generic one) and `max_columns` cells a row; an XLSX is
    streamed with its declared size ignored, so a small file that declares a
    huge sheet costs no memory. Blank rows keep their place; trailing ones go."""
    name = (filename or "").lower()
    if max_bytes is not None and len(content) > max_bytes:
        raise TableError(f"Tệp lớn hơn {max_bytes // (1024 * 1024)} MB.")
    if not content:
        raise TableError("Tệp rỗng.")
    if name.endswith(".xlsx"):
        if not content.startswith(ZIP_SIGNATURE):
            raise TableError("Tệp .xlsx không hợp lệ (nội dung không phải Excel).")
        rows: Iterable[list[Any]] = _xlsx_rows(content, max_columns)
    elif name.endswith(".csv"):
        if content.startswith(ZIP_SIGNATURE):
            raise TableError("Tệp .csv không hợp lệ (nội dung là tệp nén/Excel; hãy đổi đuôi thành .xlsx).")
        rows = _csv_rows(content, max_columns)
    else:
        raise TableError("Chỉ nhận tệp .csv hoặc .xlsx.")
    message = too_many_rows or f"Tệp có quá {max_rows:,} dòng dữ liệu; hãy chia thành nhiều tệp.".replace(",", ".")
    return _limited(rows, max_rows, message)


def _xlsx_rows(content: bytes, max_columns: int) -> Iterator[list[Any]]:
    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise TableError("Không đọc được tệp Excel (tệp hỏng hoặc không phải .xlsx).") from exc
    try:
        if not book.worksheets:
            raise TableError("Tệp Excel không có trang tính nào.")
        sheet = book.worksheets[0]
        # The declared size ignored: "A1:XFD4000" with 4,000 empty rows made
        # every row 16,384 cells wide (500 MB for a 15 KB file).
        sheet.reset_dimensions()
        try:
            for row in sheet.iter_rows(values_only=True, max_col=max_columns):
                yield list(row)
        except TableError:
            raise
        except Exception as exc:  # a broken sheet inside a valid ZIP
            raise TableError("Không đọc được tệp Excel (nội dung trang tính bị hỏng).") from exc
    finally:
        book.close()


def _csv_rows(content: bytes, max_columns: int) -> Iterator[list[Any]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TableError("Tệp CSV phải được lưu với mã hóa UTF-8.") from exc
    # NUL and other control characters go before the csv module sees them.
    text = clean_text(text)
    # Excel with Vietnamese regional settings saves CSV with ";".
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        for row in csv.reader(io.StringIO(text), delimiter=delimiter):
            yield row[:max_columns]
    except csv.Error as exc:
        raise TableError("Tệp CSV không đọc được: có ô quá dài hoặc dấu ngoặc kép không được đóng.") from exc


def _limited(rows: Iterable[list[Any]], max_rows: int, too_many_rows: str) -> list[list[Any]]:
    kept: list[list[Any]] = []
    filled = 0
    for row in rows:
        if _filled(row):
            filled += 1
            if filled > max_rows + 1:  # + the header
                raise TableError(too_many_rows)
        elif len(kept) >= 2 * max_rows + 100:  # millions of blank lines cost memory too
            raise TableError("Tệp có quá nhiều dòng trống; hãy xóa các dòng trống rồi nhập lại.")
        kept.append(row)
    while kept and not _filled(kept[-1]):
        kept.pop()
    return kept
