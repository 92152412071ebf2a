"""XLSX of the PAR pages: the ranking of a root's units, and one unit's
assessment (criterion, points, computation, records, evidence). Every cell
through common.xlsx.safe_cell (no formula runs when the file is opened)."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from common.xlsx import column_widths, workbook_bytes, xlsx_row

from .models import Assessment
from .selectors import Ranking, Row
from .thresholds import format_points

BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")


def points_number(value: Decimal | None) -> float | None:
    """Points as an XLSX number (None stays an empty cell)."""
    return None if value is None else float(value)


def _header(sheet, values: list[str]) -> None:
    sheet.append(xlsx_row(values))
    for cell in sheet[sheet.max_row]:
        cell.font = BOLD
        cell.alignment = WRAP


def _titled_sheet(name: str, title: str) -> tuple[Workbook, Worksheet]:
    """A workbook whose one sheet, `name`, starts with `title` in large bold."""
    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)  # a new workbook's one sheet
    sheet.title = name
    sheet.append(xlsx_row([title]))
    sheet["A1"].font = Font(bold=True, size=13)
    return book, sheet


def ranking_xlsx(ranking: Ranking) -> bytes:
    book, sheet = _titled_sheet("Xếp hạng", f"Xếp hạng Chỉ số CCHC (công tác tuyên truyền) năm {ranking.year}")
    sheet.append(xlsx_row([f"{ranking.root.name} · {ranking.level_label}"
                           + (f" · điểm tối đa {format_points(ranking.max_total)}" if ranking.max_total else "")]))
    sheet.append([])
    _header(sheet, ["Hạng", "Đơn vị", "Trạng thái", "Điểm tự đánh giá", "Điểm thẩm định", "Điểm xếp hạng",
                    "Ngày gửi", "Ngày thẩm định"])
    for row in ranking.rows:
        a = row.assessment
        sheet.append(xlsx_row([
            row.rank, row.agency.name, row.status_label,
            points_number(a.self_total) if a else None, points_number(a.final_total) if a else None,
            points_number(row.score),
            timezone.localdate(a.submitted_at) if a and a.submitted_at else None,
            timezone.localdate(a.appraised_at) if a and a.appraised_at else None,
        ]))
    for cells in sheet.iter_rows(min_row=5, min_col=4, max_col=6):
        for cell in cells:
            cell.number_format = "0.00"
    column_widths(sheet, [7, 50, 24, 12, 12, 12, 12, 13])
    sheet.freeze_panes = "A5"
    return workbook_bytes(book)


def _records_text(row: Row) -> str:
    records = (row.item.computation or {}).get("records", []) if row.item else []
    marks = {True: "✓ ", False: "✗ ", None: ""}
    return "\n".join(f"{marks.get(r.get('ok'))}{r.get('label', '')}" for r in records)


def assessment_xlsx(assessment: Assessment, rows: list[Row]) -> bytes:
    book, sheet = _titled_sheet("Tự đánh giá",
                                f"Tự đánh giá Chỉ số CCHC năm {assessment.year} – {assessment.agency.name}")
    status = assessment.get_status_display()
    totals = f"Điểm tự đánh giá: {format_points(assessment.self_total)}"
    if assessment.final_total is not None:
        totals += f" · điểm thẩm định: {format_points(assessment.final_total)}"
    sheet.append(xlsx_row([f"{assessment.criteria_set.title} · {status} · {totals}"]))
    sheet.append([])
    _header(sheet, ["Số hiệu", "Tiêu chí", "Điểm tối đa", "Cách tính", "Kết quả tính", "Hồ sơ căn cứ",
                    "Quy tắc tính điểm", "Điểm tự chấm", "Điểm thẩm định", "Ý kiến thẩm định",
                    "Giải trình của đơn vị", "Tệp bổ sung", "Tệp minh chứng"])
    for row in rows:
        criterion, item = row.criterion, row.item
        summary = (item.computation or {}).get("summary", "") if item else ""
        appraised = item.appraised_points if item else None
        if row.is_group and assessment.final_total is not None:
            appraised = row.points
        sheet.append(xlsx_row([
            criterion.code, criterion.title, points_number(criterion.max_score),
            "" if row.is_group else criterion.get_measure_display(), summary, _records_text(row),
            "" if row.is_group else row.criterion.rule_text, points_number(row.self_points), points_number(appraised),
            item.appraisal_comment if item else "", item.note if item else "", item.file_name if item else "",
            "\n".join(e.original_name for e in row.evidence),
        ]))
        if row.is_group:
            for cell in sheet[sheet.max_row]:
                cell.font = BOLD
    for cells in sheet.iter_rows(min_row=5):
        for cell in cells:
            cell.alignment = WRAP
    for cells in sheet.iter_rows(min_row=5, min_col=8, max_col=9):
        for cell in cells:
            cell.number_format = "0.00"
    column_widths(sheet, [8, 45, 9, 28, 40, 45, 28, 10, 10, 30, 30, 20, 30])
    sheet.freeze_panes = "C5"
    return workbook_bytes(book)
