"""A criteria set as an XLSX sheet and back: the way a province adapts the
default set (export, edit in Excel, import as its year's set).

The first sheet holds a title line, a «Căn cứ: …» line and then one row a
criterion under the header COLUMNS. «Số hiệu» places the row in the tree
(1.4.2 under 1.4); «Cách tính» takes a Measure's label or code, «Chỉ
tiêu» a counter's code or name, «Nhãn minh chứng» a tag's code or name (a
tag not found is created). The import checks every row first and writes
nothing on any error: the messages name the row and the column."""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.datavalidation import DataValidation

from common.tables import TableError, read_table
from common.text import clean_text, fold
from common.xlsx import FORMULA_STARTS, safe_cell, workbook_bytes
from plans.models import Counter

from . import defaults
from .models import CriteriaSet, Criterion, Level, Measure, Tag
from .thresholds import format_points, thresholds_errors

COLUMNS = ["Số hiệu", "Nội dung", "Điểm tối đa", "Cách tính", "Chỉ tiêu", "Ngưỡng → điểm", "Nhãn minh chứng",
           "Hướng dẫn chấm"]
REQUIRED = ["Số hiệu", "Nội dung", "Điểm tối đa"]
MAX_BYTES = 2 * 1024 * 1024
MAX_UNPACKED = 40 * 1024 * 1024  # a zip bomb is refused before openpyxl unpacks it
MAX_ROWS = 300
MAX_COLUMNS = 20
HEADER_SEARCH_ROWS = 10  # the header may sit below a title and a «Căn cứ» line
SOURCE_PREFIX = "Căn cứ:"
MAX_SCORE_LIMIT = Decimal("9999.99")  # Criterion.max_score: 6 digits, 2 decimals
WIDTHS = [10, 60, 12, 40, 30, 22, 30, 60]
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Line:
    """A criterion as a sheet row, from the database or from the defaults."""

    code: str
    title: str
    max_score: Decimal
    measure: str
    counter: str
    thresholds: str
    tag: str
    guidance: str


def _measure_label(code: str) -> str:
    return Measure(code).label if code in Measure.values else code


def _book(title: str, source: str, lines: list[Line]) -> bytes:
    # A criterion with children scores their sum: its «Cách tính» stays empty, as the import asks.
    parents = {line.code.rpartition(".")[0] for line in lines if "." in line.code}
    lines = [dataclasses.replace(line, measure="") if line.code in parents else line for line in lines]
    book = Workbook()
    sheet = book.active
    sheet.title = "Bộ tiêu chí"
    sheet.append([safe_cell(title)])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([safe_cell(f"{SOURCE_PREFIX} {source}".strip())])
    sheet.append([])
    sheet.append(COLUMNS)
    for cell in sheet[4]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for line in lines:
        sheet.append([safe_cell(v) for v in (line.code, line.title, line.max_score, _measure_label(line.measure),
                                             line.counter, line.thresholds, line.tag, line.guidance)])
    for row in sheet.iter_rows(min_row=5, max_col=len(COLUMNS)):
        row[0].number_format = "@"  # «1.10» stays text, not the number 1.1
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for index, width in enumerate(WIDTHS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "C5"
    _guide(book)
    measures = DataValidation(type="list", formula1="='Hướng dẫn'!$A$3:$A$8", allow_blank=True,
                              showErrorMessage=False)
    sheet.add_data_validation(measures)
    measures.add(f"D5:D{max(5, 4 + len(lines) + 200)}")
    return workbook_bytes(book)


def _guide(book: Workbook) -> None:
    """A second sheet (not read by the import): the measures, counters and tags to choose from."""
    guide = book.create_sheet("Hướng dẫn")
    guide.append(["Cách tính (ghi tên hoặc mã)", "Mã"])
    guide.append(["Ngưỡng → điểm: từ cao xuống thấp, «ngưỡng: điểm» cách nhau bởi dấu chấm phẩy, "
                  "ví dụ «100: 1; 80: 0,5»; dưới ngưỡng thấp nhất được 0 điểm.", ""])
    for value, label in Measure.choices:
        guide.append([label, value])
    guide.append([])
    guide.append(["Chỉ tiêu số liệu (cho «Tổng một chỉ tiêu»)", "Mã"])
    for counter in Counter.objects.order_by("position", "label"):
        guide.append([safe_cell(counter.label), counter.code])
    guide.append([])
    guide.append(["Nhãn minh chứng (nhãn chưa có sẽ được tạo)", "Mã"])
    for tag in Tag.objects.order_by("position", "name"):
        guide.append([safe_cell(tag.name), tag.code])
    for cell in (guide["A1"], guide["B1"]):
        cell.font = Font(bold=True)
    guide.column_dimensions["A"].width = 80
    guide.column_dimensions["B"].width = 24


def criteria_set_export(criteria_set: CriteriaSet) -> bytes:
    """The set as an XLSX file the import reads back unchanged. Three queries."""
    criteria = criteria_set.criteria.select_related("counter", "tag").order_by("position", "pk")
    lines = [Line(c.code, c.title, c.max_score, c.measure, c.counter.code if c.counter else "", c.thresholds,
                  c.tag.name if c.tag else "", c.guidance) for c in criteria]
    return _book(criteria_set.title, criteria_set.source, lines)


def criteria_template_export(level: str = Level.COMMUNE) -> bytes:
    """«Tải file mẫu»: the default set (par/defaults.py) as criteria_set_default_create would make it."""
    counters = set(Counter.objects.filter(code__in=[row[4] for row in defaults.CRITERIA if row[4]])
                   .values_list("code", flat=True))
    lines = []
    for code, title, max_score, kind, counter, thresholds, guidance, tag_code in defaults.CRITERIA:
        if kind == Measure.COUNTER_TOTAL and counter not in counters:
            kind, counter, thresholds = Measure.MANUAL, "", ""
        lines.append(Line(code, title, Decimal(max_score), kind, counter, thresholds,
                          defaults.TAGS.get(tag_code, ""), guidance))
    return _book(defaults.TITLES[level], "Bộ mặc định của cổng (ví dụ để điều chỉnh)", lines)


# Import ---------------------------------------------------------------------

def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = clean_text(str(value)).strip()
    if text[:1] == "'" and text[1:2] in FORMULA_STARTS:
        text = text[1:]  # the quote safe_cell put before a cell that looked like a formula
    return text


def _key(text: str) -> str:
    return fold(text).rstrip(".")


def _decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise InvalidOperation
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
    else:
        text = _text(value).replace(" ", "")
        if "," in text:
            text = text.replace(".", "").replace(",", ".")
        number = Decimal(text)
    if not number.is_finite():
        raise InvalidOperation
    return number


def _measures() -> dict[str, str]:
    """Label, label without its bracket, or code -> the measure's code."""
    known: dict[str, str] = {"": Measure.MANUAL}
    for value, label in Measure.choices:
        known[_key(value)] = value
        known[_key(label)] = value
        known[_key(re.sub(r"\s*\(.*\)\s*$", "", label))] = value
    return known


def _tag_code(name: str, taken: set[str]) -> str:
    base = slugify(fold(name))[:36] or "nhan"
    code, n = base, 2
    while code in taken:
        code, n = f"{base}-{n}", n + 1
    taken.add(code)
    return code


@dataclass
class _Row:
    number: int
    code: str
    title: str
    max_score: Decimal
    measure: str
    counter: Counter | None
    thresholds: str
    tag: str  # the key of the tag (found or to create)
    guidance: str


def _header(rows: list[list[Any]]) -> tuple[int, dict[str, int], str, str]:
    """(header row index, column -> index, title, source) or ValidationError."""
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        cells = [_key(_text(v)) for v in row]
        if _key("Số hiệu") in cells:
            columns = {name: cells.index(_key(name)) for name in COLUMNS if _key(name) in cells}
            missing = [name for name in REQUIRED if name not in columns]
            if missing:
                raise ValidationError({"file": "Thiếu cột " + ", ".join(f"«{m}»" for m in missing)
                                       + f" ở dòng tiêu đề (dòng {index + 1})."})
            above = [_text(row[0]) for row in rows[:index] if row and _text(row[0])]
            source = next((a[len(SOURCE_PREFIX):].strip() for a in above if a.startswith(SOURCE_PREFIX)), "")
            title = next((a for a in above if not a.startswith(SOURCE_PREFIX)), "")
            return index, columns, title, source
    raise ValidationError({"file": "Không tìm thấy dòng tiêu đề có cột «Số hiệu» trong "
                                   f"{HEADER_SEARCH_ROWS} dòng đầu. Hãy dùng tệp mẫu."})


def _read(content: bytes) -> tuple[str, str, list[_Row], dict[str, str]]:
    """Every row checked; (title, source, rows, tags to create: key -> name) or a ValidationError
    carrying all the problems found."""
    if not content.startswith(b"PK\x03\x04"):
        raise ValidationError({"file": "Tệp không phải Excel .xlsx (nội dung không đúng định dạng)."})
    if len(content) > MAX_BYTES:
        raise ValidationError({"file": f"Tệp lớn hơn {MAX_BYTES // (1024 * 1024)} MB."})
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ValidationError({"file": "Không đọc được tệp Excel (tệp hỏng hoặc không phải .xlsx)."}) from None
    if unpacked > MAX_UNPACKED:
        raise ValidationError({"file": "Tệp Excel giải nén ra quá lớn; hãy lưu lại tệp chỉ với bảng tiêu chí."})
    try:
        rows = read_table(content=content, filename="bo-tieu-chi.xlsx", max_rows=MAX_ROWS, max_columns=MAX_COLUMNS,
                          max_bytes=MAX_BYTES,
                          too_many_rows=f"Tệp có quá {MAX_ROWS} tiêu chí; hãy kiểm tra lại tệp.")
    except TableError as problem:
        raise ValidationError({"file": str(problem)}) from None
    start, columns, title, source = _header(rows)
    measures = _measures()
    counters: dict[str, Counter] = {}
    for counter in Counter.objects.order_by("-position", "-pk"):  # the first in order wins a shared label
        counters[_key(counter.label)] = counter
    for counter in Counter.objects.all():
        counters[_key(counter.code)] = counter
    tags_by_code = {_key(code): code for code in Tag.objects.values_list("code", flat=True)}
    tags_by_name: dict[str, list[str]] = {}
    for code, name in Tag.objects.values_list("code", "name"):
        tags_by_name.setdefault(_key(name), []).append(code)
    new_tags: dict[str, str] = {}
    errors: list[str] = []
    parsed: list[_Row] = []

    def cell(row: list[Any], name: str) -> Any:
        index = columns.get(name)
        return row[index] if index is not None and index < len(row) else None

    for index, row in enumerate(rows[start + 1:], start=start + 2):
        if not any(_text(v) for v in row):
            continue

        def error(column: str, message: str, number: int = index) -> None:
            errors.append(f"Dòng {number}, cột «{column}»: {message}")

        code = _text(cell(row, "Số hiệu")).rstrip(".").replace(" ", "")
        title_text = _text(cell(row, "Nội dung"))
        if not code:
            error("Số hiệu", "chưa ghi số hiệu.")
        elif len(code) > 20:
            error("Số hiệu", "dài quá 20 ký tự.")
        if not title_text:
            error("Nội dung", "chưa ghi nội dung tiêu chí.")
        max_score = Decimal(0)
        score_ok = False  # a bad maximum is reported once, not again under the thresholds
        raw_score = cell(row, "Điểm tối đa")
        if raw_score is None or _text(raw_score) == "":
            error("Điểm tối đa", "chưa ghi điểm tối đa.")
        else:
            try:
                max_score = _decimal(raw_score)
            except (InvalidOperation, ValueError):
                error("Điểm tối đa", f"«{_text(raw_score)}» không phải là số.")
            else:
                if max_score < 0 or max_score > MAX_SCORE_LIMIT or max_score != max_score.quantize(Decimal("0.01")):
                    error("Điểm tối đa", "phải từ 0 đến 9999,99, tối đa hai chữ số thập phân.")
                    max_score = Decimal(0)
                else:
                    score_ok = True
        measure_text = _text(cell(row, "Cách tính"))
        kind = measures.get(_key(measure_text))
        if kind is None:
            error("Cách tính", f"«{measure_text}» không phải cách tính nào của cổng (xem trang «Hướng dẫn» "
                               "của tệp mẫu).")
            kind = Measure.MANUAL
        counter_text = _text(cell(row, "Chỉ tiêu"))
        counter = counters.get(_key(counter_text)) if counter_text else None
        if counter_text and counter is None:
            error("Chỉ tiêu", f"không có chỉ tiêu số liệu «{counter_text}».")
        elif kind == Measure.COUNTER_TOTAL and counter is None:
            error("Chỉ tiêu", "cách tính «Tổng một chỉ tiêu số liệu» cần ghi chỉ tiêu (mã hoặc tên).")
        thresholds = _text(cell(row, "Ngưỡng → điểm"))
        problem = thresholds_errors(thresholds, max_score=max_score if score_ok else None)
        if len(thresholds) > 200:
            error("Ngưỡng → điểm", "dài quá 200 ký tự.")
        elif problem:
            error("Ngưỡng → điểm", problem)
        elif kind != Measure.MANUAL and not thresholds:
            error("Ngưỡng → điểm", "cách tính tự động cần ngưỡng quy ra điểm, ví dụ «100: 1; 80: 0,5».")
        tag_text = _text(cell(row, "Nhãn minh chứng"))
        tag_key = ""
        if tag_text:
            if _key(tag_text) in tags_by_code:
                tag_key = tags_by_code[_key(tag_text)]
            elif len(tags_by_name.get(_key(tag_text), [])) == 1:
                tag_key = tags_by_name[_key(tag_text)][0]
            elif _key(tag_text) in tags_by_name:
                error("Nhãn minh chứng", f"có nhiều nhãn cùng tên «{tag_text}»: hãy ghi mã nhãn.")
            elif len(tag_text) > 200:
                error("Nhãn minh chứng", "tên nhãn dài quá 200 ký tự.")
            else:
                tag_key = "new:" + _key(tag_text)
                new_tags.setdefault(tag_key, tag_text)
        parsed.append(_Row(index, code, title_text, max_score, kind, counter, thresholds, tag_key,
                           _text(cell(row, "Hướng dẫn chấm"))))

    by_code: dict[str, _Row] = {}
    for row in parsed:
        if not row.code:
            continue
        if row.code in by_code:
            errors.append(f"Dòng {row.number}, cột «Số hiệu»: số hiệu «{row.code}» trùng với dòng "
                          f"{by_code[row.code].number}.")
            continue
        by_code[row.code] = row
    children: dict[str, list[_Row]] = {}
    for row in by_code.values():
        if "." in row.code:
            parent = row.code.rpartition(".")[0]
            if parent not in by_code:
                errors.append(f"Dòng {row.number}, cột «Số hiệu»: chưa có tiêu chí «{parent}» chứa tiêu chí "
                              f"«{row.code}».")
            else:
                children.setdefault(parent, []).append(row)
    for code, below in children.items():
        parent = by_code[code]
        total = sum((r.max_score for r in below), Decimal(0))
        if total > parent.max_score:
            errors.append(f"Dòng {parent.number}, cột «Điểm tối đa»: tổng điểm tối đa các tiêu chí con "
                          f"({format_points(total)}) vượt điểm tối đa của tiêu chí «{code}» "
                          f"({format_points(parent.max_score)}).")
        if parent.measure != Measure.MANUAL:
            errors.append(f"Dòng {parent.number}, cột «Cách tính»: tiêu chí «{code}» có tiêu chí con, điểm là tổng "
                          "điểm các tiêu chí con: để trống cách tính.")
    if not parsed and not errors:
        errors.append("Tệp không có tiêu chí nào dưới dòng tiêu đề.")
    if errors:
        errors.sort(key=_row_number)
        raise ValidationError({"file": errors})
    return title, source, parsed, new_tags


def _row_number(message: str) -> int:
    found = re.match(r"Dòng (\d+)", message)
    return int(found.group(1)) if found else 0


def _content(file: Any) -> bytes:
    if isinstance(file, bytes | bytearray):
        return bytes(file)
    size = getattr(file, "size", None)
    if size is not None and size > MAX_BYTES:
        raise ValidationError({"file": f"Tệp lớn hơn {MAX_BYTES // (1024 * 1024)} MB."})
    if hasattr(file, "seek"):
        file.seek(0)
    content = file.read(MAX_BYTES + 1)
    if len(content) > MAX_BYTES:
        raise ValidationError({"file": f"Tệp lớn hơn {MAX_BYTES // (1024 * 1024)} MB."})
    return content


def criteria_set_import(file: Any, *, year: int, level: str, replace: bool = False,
                        title: str = "") -> CriteriaSet:
    """The year's set for the level from an XLSX file (bytes or a file object).

    Every row is checked before anything is written; on any problem a
    ValidationError keyed by the import form's fields («file»: the rows'
    messages, with row numbers and columns; «replace»: the set of that year
    exists) and nothing is written. An existing set is replaced only when
    `replace` is set and no unit has assessed itself with it."""
    if level not in Level.values:
        raise ValidationError({"level": "Chọn cấp của bộ tiêu chí."})
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": "Năm đánh giá phải từ 2000 đến 2100."})
    content = _content(file)
    sheet_title, source, rows, new_tags = _read(content)
    with transaction.atomic():
        existing = CriteriaSet.objects.select_for_update().filter(year=year, level=level).first()
        if existing is not None:
            if not replace:
                raise ValidationError({"replace": f"Năm {year} đã có bộ tiêu chí cấp «{Level(level).label}». "
                                                  "Chọn «Thay thế bộ đã có» để ghi đè."})
            if existing.assessments.exists():
                raise ValidationError({"replace": f"Bộ tiêu chí năm {year} cấp «{Level(level).label}» đã được "
                                                  "đơn vị dùng để tự đánh giá: không thay thế được."})
        taken = set(Tag.objects.values_list("code", flat=True))
        made = Tag.objects.bulk_create([Tag(code=_tag_code(name, taken), name=name[:200])
                                        for name in new_tags.values()])
        tag_ids = dict(Tag.objects.filter(code__in={r.tag for r in rows if r.tag and not r.tag.startswith("new:")})
                       .values_list("code", "pk"))
        tag_ids |= {key: tag.pk for key, tag in zip(new_tags, made, strict=True)}
        name = title.strip() or sheet_title or defaults.TITLES[Level(level)]
        if existing is not None:
            existing.criteria.all().delete()
            existing.title, existing.source = name[:255], source[:255]
            existing.save(update_fields=["title", "source"])
            criteria_set = existing
        else:
            criteria_set = CriteriaSet.objects.create(year=year, level=level, title=name[:255], source=source[:255])
        created = Criterion.objects.bulk_create([
            Criterion(criteria_set=criteria_set, position=position, code=r.code, title=r.title,
                      max_score=r.max_score, measure=r.measure, counter=r.counter, thresholds=r.thresholds,
                      tag_id=tag_ids.get(r.tag), guidance=r.guidance)
            for position, r in enumerate(rows, start=1)])
        ids = {c.code: c for c in created}
        for criterion in created:
            if "." in criterion.code:
                criterion.parent = ids[criterion.code.rpartition(".")[0]]
        Criterion.objects.bulk_update([c for c in created if c.parent is not None], ["parent"])
    return criteria_set


def export_name(criteria_set: CriteriaSet) -> str:
    return f"bo-tieu-chi-{criteria_set.level}-{criteria_set.year}.xlsx"
