"""Writes to the agency tree: import and export of the agency list.

A province loads its 100-200 agencies from one CSV or XLSX file. The import is
all or nothing: every row is checked, every problem is reported with its row
and column, and nothing is written unless the whole file is good. Parents and
successors may be named anywhere in the file (two passes), so a file exported
in any order imports again.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

import openpyxl
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from openpyxl.styles import Font

from common import tables
from common.text import clean_text
from common.xlsx import workbook_bytes, xlsx_row

from .models import Agency

# (field, column header). The header row is what users see in the file.
COLUMNS: list[tuple[str, str]] = [
    ("code", "Mã"),
    ("name", "Tên đầy đủ"),
    ("short_name", "Tên ngắn"),
    ("kind", "Loại"),
    ("abbreviation", "Viết tắt"),
    ("place_name", "Địa danh"),
    ("parent", "Mã đơn vị cấp trên"),
    ("email", "Thư điện tử"),
    ("is_home_affairs", "Cơ quan Nội vụ"),
    ("is_active", "Đang hoạt động"),
    ("dissolved_on", "Ngày sáp nhập/giải thể"),
    ("successor", "Mã đơn vị sáp nhập vào"),
]
HEADER_TO_FIELD = {header.lower(): name for name, header in COLUMNS} | {
    name: name for name, _ in COLUMNS
}
REQUIRED = ("code", "name", "kind")

KIND_ALIASES = {
    **{value: value for value in Agency.Kind.values},
    "tỉnh": Agency.Kind.PROVINCE,
    "thành phố": Agency.Kind.PROVINCE,
    "huyện": Agency.Kind.DISTRICT,
    "xã": Agency.Kind.COMMUNE,
    "phường": Agency.Kind.COMMUNE,
    "thị trấn": Agency.Kind.COMMUNE,
    "đặc khu": Agency.Kind.COMMUNE,
    "sở": Agency.Kind.DEPARTMENT,
    "ban": Agency.Kind.DEPARTMENT,
    "ngành": Agency.Kind.DEPARTMENT,
    "phòng": Agency.Kind.OFFICE,
    "văn phòng": Agency.Kind.OFFICE,
    "đơn vị": Agency.Kind.UNIT,
    "trung tâm": Agency.Kind.UNIT,
    "tổ chức": Agency.Kind.ORGANIZATION,
}
# How the export writes each kind: the words a civil servant types, which the
# import reads back.
KIND_WORDS = {
    Agency.Kind.PROVINCE: "tỉnh",
    Agency.Kind.DISTRICT: "huyện",
    Agency.Kind.COMMUNE: "xã",
    Agency.Kind.DEPARTMENT: "sở",
    Agency.Kind.OFFICE: "phòng",
    Agency.Kind.UNIT: "đơn vị",
    Agency.Kind.ORGANIZATION: "tổ chức",
}
TRUE_WORDS = {"có", "x", "1", "true", "yes", "đúng"}
FALSE_WORDS = {"không", "", "0", "false", "no", "sai"}


class AgencyImportError(Exception):
    """The file was refused; `errors` lists every problem, nothing was written."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class ImportResult:
    created: int
    updated: int


def _header_label(field_name: str) -> str:
    return dict(COLUMNS)[field_name]


def _row_of(message: str) -> int:
    """Sort key: errors are listed in row order whichever check found them."""
    return int(message.split(",", 1)[0].removeprefix("Dòng ").split(":")[0])


def _cell_error(row_number: int, field_name: str, message: str) -> str:
    return f"Dòng {row_number}, cột «{_header_label(field_name)}»: {message}."


# A sheet is read only this wide: the known columns and room for a few
# unknown ones to be named in the refusal; cells further right are not read.
MAX_IMPORT_COLUMNS = 2 * len(COLUMNS)


def _max_rows() -> int:
    return getattr(settings, "AGENCY_IMPORT_MAX_ROWS", 5_000)


def _read_rows(*, content: bytes, filename: str) -> list[list]:
    limit = _max_rows()
    try:
        return tables.read_table(
            content=content, filename=filename, max_rows=limit, max_columns=MAX_IMPORT_COLUMNS,
            too_many_rows=f"Tệp có quá nhiều dòng: mỗi lần nhập tối đa {limit} đơn vị; hãy chia tệp ra.",
        )
    except tables.TableError as exc:
        raise AgencyImportError([str(exc)]) from exc


def _text(value) -> str:
    """Cell text in composed Unicode (NFC): Unikey's "Unicode tổ hợp" and macOS
    write decomposed letters that would not match headers or codes."""
    if value is None:
        return ""
    # Without control characters (NUL anywhere in the file: PostgreSQL refuses it).
    return clean_text(str(value)).strip()


def _parse_bool(value, *, default: bool) -> bool:
    word = _text(value).lower()
    if word == "":
        return default
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError('phải là "có" hoặc "không"')


def _parse_date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    if not text:
        return None
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError("ngày phải viết dạng dd/mm/yyyy")


def _parse_kind(value) -> str:
    kind = KIND_ALIASES.get(_text(value).lower())
    if kind is None:
        raise ValueError("loại không hợp lệ (tỉnh, huyện, xã, sở, phòng, đơn vị, tổ chức)")
    return kind


def agency_import(*, content: bytes, filename: str) -> ImportResult:
    """Create or update agencies from a CSV/XLSX file, keyed by code."""
    return agency_import_rows(rows=_read_rows(content=content, filename=filename))


@transaction.atomic
def agency_import_rows(*, rows: list[list]) -> ImportResult:
    """Create or update agencies from a table whose first row names the columns
    (Vietnamese headers as in COLUMNS, or the field names). All or nothing:
    every problem is reported at once, with its row and column."""
    if not rows:
        raise AgencyImportError(["Tệp không có dữ liệu."])
    columns = _columns(rows[0])
    parsed, errors = _parse_rows(rows, columns)
    # Links are checked with the rest, so one upload lists every problem.
    errors += _unknown_links(parsed)
    if errors:
        raise AgencyImportError(sorted(errors, key=_row_of))
    saved, created, updated, errors = _save_fields(parsed)
    if not errors:
        errors = _save_links(parsed, saved)
    if errors:
        transaction.set_rollback(True)
        raise AgencyImportError(errors)
    return ImportResult(created=created, updated=updated)


Parsed = list[tuple[int, dict]]  # (row number, values by field name)


def _columns(header_row: list) -> dict[str, int]:
    """Field name -> column index; unknown or missing headers refuse the file."""
    columns = {}
    for index, cell in enumerate(header_row):
        field_name = HEADER_TO_FIELD.get(_text(cell).lower())
        if field_name:
            columns[field_name] = index
    unknown = [_text(cell) for cell in header_row if _text(cell) and _text(cell).lower() not in HEADER_TO_FIELD]
    missing = [_header_label(f) for f in REQUIRED if f not in columns]
    header_errors = []
    if missing:
        header_errors.append(f"Dòng 1: thiếu cột {', '.join(missing)}.")
    if unknown:
        # A misspelt "Mã đơn vị cấp trên" would otherwise import every row as a root.
        header_errors.append(f"Dòng 1: không nhận ra cột {', '.join(f'«{u}»' for u in unknown)}.")
    if header_errors:
        raise AgencyImportError(header_errors)
    return columns


def _parse_value(field_name: str, raw):
    if field_name == "kind":
        return _parse_kind(raw)
    if field_name in ("is_home_affairs", "is_active"):
        return _parse_bool(raw, default=field_name == "is_active")
    if field_name == "dissolved_on":
        return _parse_date(raw)
    return _text(raw)


def _parse_rows(rows: list[list], columns: dict[str, int]) -> tuple[Parsed, list[str]]:
    """Every non-empty row as typed values, and every cell error (codes unique in the file)."""
    errors: list[str] = []
    parsed: Parsed = []
    seen_codes: dict[str, int] = {}
    for row_number, row in enumerate(rows[1:], start=2):
        cells = {f: (row[i] if i < len(row) else None) for f, i in columns.items()}
        if all(_text(v) == "" for v in cells.values()):
            continue
        values: dict = {}
        for field_name, raw in cells.items():
            try:
                values[field_name] = _parse_value(field_name, raw)
            except ValueError as exc:
                errors.append(_cell_error(row_number, field_name, str(exc)))
        for field_name in REQUIRED:
            if field_name in values and not values[field_name]:
                errors.append(_cell_error(row_number, field_name, "không được để trống"))
        code = values.get("code", "")
        if code in seen_codes:
            errors.append(_cell_error(row_number, "code", f"mã «{code}» trùng với dòng {seen_codes[code]}"))
        elif code:
            seen_codes[code] = row_number
        parsed.append((row_number, values))
    return parsed, errors


def _unknown_links(parsed: Parsed) -> list[str]:
    """Parents and successors named neither in the file nor in the database."""
    in_file = {values.get("code") for _, values in parsed} - {None, ""}
    linked = {values.get(f) for _, values in parsed for f in ("parent", "successor")} - {None, ""}
    known = in_file | set(Agency.objects.filter(code__in=linked).values_list("code", flat=True))
    return [
        _cell_error(row_number, field_name, f"không có đơn vị mã «{values[field_name]}»")
        for row_number, values in parsed
        for field_name in ("parent", "successor")
        if values.get(field_name) and values[field_name] not in known
    ]


def _save_fields(parsed: Parsed) -> tuple[dict[str, Agency], int, int, list[str]]:
    """Pass 1: every agency without its links, so rows may name units further down."""
    existing = {a.code: a for a in Agency.objects.filter(code__in=[values["code"] for _, values in parsed])}
    errors: list[str] = []
    created = updated = 0
    saved: dict[str, Agency] = {}
    for row_number, values in parsed:
        agency = existing.get(values["code"]) or Agency(code=values["code"])
        is_new = agency.pk is None
        for field_name, value in values.items():
            if field_name not in ("parent", "successor"):
                setattr(agency, field_name, value)
        if not agency.is_active and agency.dissolved_on is None:
            errors.append(
                f"Dòng {row_number}, cột «{_header_label('dissolved_on')}»: "
                "đơn vị ngừng hoạt động phải có ngày sáp nhập/giải thể."
            )
            continue
        try:
            agency.full_clean(exclude=["parent", "successor"], validate_constraints=False)
        except ValidationError as exc:
            for field_name, messages in exc.message_dict.items():
                label = _header_label(field_name) if field_name in dict(COLUMNS) else field_name
                errors.extend(f"Dòng {row_number}, cột «{label}»: {message}" for message in messages)
            continue
        agency.save()
        saved[agency.code] = agency
        created += is_new
        updated += not is_new
    return saved, created, updated, errors


def _save_links(parsed: Parsed, saved: dict[str, Agency]) -> list[str]:
    """Pass 2: links by code, checked for loops before anything is saved."""
    errors: list[str] = []
    for row_number, values in parsed:
        agency = saved[values["code"]]
        for field_name in ("parent", "successor"):
            if field_name not in values:
                continue
            code = values[field_name]
            target = (saved.get(code) or Agency.objects.get(code=code)) if code else None
            if target is not None and target.pk == agency.pk:
                errors.append(
                    f"Dòng {row_number}, cột «{_header_label(field_name)}»: "
                    "không thể trỏ tới chính đơn vị này."
                )
                continue
            setattr(agency, field_name, target)
    parent_of = dict(Agency.objects.values_list("pk", "parent_id"))
    parent_of.update({a.pk: a.parent_id for a in saved.values()})
    for row_number, values in parsed:
        node, seen = saved[values["code"]].pk, set()
        while node is not None and node not in seen:
            seen.add(node)
            node = parent_of.get(node)
        if node is not None:
            errors.append(
                f"Dòng {row_number}, cột «{_header_label('parent')}»: "
                "đơn vị cấp trên tạo thành vòng lặp (một đơn vị nằm dưới chính nó)."
            )
    if not errors:
        for agency in saved.values():
            agency.save(update_fields=["parent", "successor"])
    return errors


def _export_rows() -> list[list]:
    from .selectors import agency_list

    rows: list[list] = [[header for _, header in COLUMNS]]
    for agency in agency_list():
        rows.append(
            [
                agency.code,
                agency.name,
                agency.short_name,
                KIND_WORDS[agency.kind],
                agency.abbreviation,
                agency.place_name,
                agency.parent.code if agency.parent else "",
                agency.email,
                "có" if agency.is_home_affairs else "không",
                "có" if agency.is_active else "không",
                agency.dissolved_on.strftime("%d/%m/%Y") if agency.dissolved_on else "",
                agency.successor.code if agency.successor else "",
            ]
        )
    return rows


def agency_export(*, file_format: str) -> bytes:
    """The whole agency list as CSV or XLSX, in tree order, parents first."""
    rows = [xlsx_row(row) for row in _export_rows()]
    if file_format == "csv":
        buffer = io.StringIO()
        csv.writer(buffer).writerows(rows)
        return buffer.getvalue().encode("utf-8-sig")
    if file_format == "xlsx":
        book = openpyxl.Workbook()
        sheet = book.create_sheet("Đơn vị", 0)
        book.remove(book.worksheets[1])  # the empty default sheet
        sheet.title = "Đơn vị"
        for row in rows:
            sheet.append(row)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for column, width in zip("ABCDEFGHIJKL", (18, 48, 28, 12, 10, 16, 18, 26, 10, 10, 14, 18), strict=False):
            sheet.column_dimensions[column].width = width
        return workbook_bytes(book)
    raise ValueError(f"Unknown format {file_format!r}")
