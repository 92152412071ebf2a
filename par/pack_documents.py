"""The documents the evidence pack prints itself: its index (PDF with the
ND30 letterhead, and XLSX) and a unit's report as PDF (the portal keeps no
single-report document elsewhere). Plain data in, bytes out; the pack
(par/pack.py) decides what goes in."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from agencies.models import Agency
from common.money import money_format
from common.xlsx import column_widths, workbook_bytes, xlsx_row
from nd30.parts import Letterhead, agency_letterhead, date_text, printable
from reports.models import Report

from .exports import points_number
from .thresholds import format_points


@dataclass
class IndexRow:
    """A criterion as the index prints it."""

    code: str
    title: str
    max_score: Decimal
    summary: str  # the measure's sentence, or how it is scored by hand
    note: str  # the unit's own explanation
    self_points: Decimal
    appraised_points: Decimal | None
    comment: str
    files: list[str] = field(default_factory=list)  # names in the ZIP
    is_group: bool = False

    @property
    def depth(self) -> int:
        return self.code.count(".")


@dataclass
class PackIndex:
    agency: Agency
    year: int
    status: str  # the assessment's status, as shown
    self_total: Decimal
    final_total: Decimal | None
    max_total: Decimal
    set_title: str
    rows: list[IndexRow]
    plans: list[str]  # ZIP names
    reports: list[str]
    built_on: object = None  # a date

    @property
    def title(self) -> str:
        return f"Danh mục hồ sơ minh chứng Chỉ số cải cách hành chính năm {self.year}"


def _letterhead(agency: Agency, day) -> Letterhead:
    parent, lines = agency_letterhead(agency)
    place = agency.place_name or agency.short_name or agency.name
    return Letterhead(parent=parent, agency_lines=lines, number_line="", date_line=f"{place}, {date_text(day)}")


def index_pdf(index: PackIndex) -> bytes:
    from nd30.pdf import html_to_pdf  # WeasyPrint loads only when a pack is built

    day = index.built_on or timezone.localdate()
    context = {
        "letterhead": printable(_letterhead(index.agency, day)),
        "index": index,
        "rows": [{"code": row.code, "title": printable(row.title), "max_score": format_points(row.max_score),
                  "summary": printable(row.summary), "note": printable(row.note),
                  "self_points": format_points(row.self_points),
                  "appraised_points": format_points(row.appraised_points), "comment": printable(row.comment),
                  "files": row.files, "is_group": row.is_group} for row in index.rows],
        "self_total": format_points(index.self_total),
        "final_total": format_points(index.final_total) if index.final_total is not None else "",
        "max_total": format_points(index.max_total),
    }
    return html_to_pdf(render_to_string("documents/par_pack_index.html", context))


XLSX_COLUMNS = [("Số hiệu", 9), ("Tiêu chí", 50), ("Điểm tối đa", 10), ("Cách tính, kết quả đo", 50),
                ("Giải trình của đơn vị", 30), ("Điểm tự chấm", 10), ("Điểm thẩm định", 10),
                ("Ý kiến thẩm định", 30), ("Tệp minh chứng trong hồ sơ", 60)]


def index_xlsx(index: PackIndex) -> bytes:
    """The same index as a sheet: a few lines about the unit, then a table
    whose header row starts with «Số hiệu» (points as numbers, one file a line)."""
    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)  # a new workbook's one sheet
    sheet.title = "Muc luc"
    column_widths(sheet, [width for _, width in XLSX_COLUMNS])
    sheet.append(xlsx_row([index.title.upper()]))
    sheet["A1"].font = Font(bold=True)
    sheet.append(xlsx_row(["Đơn vị", index.agency.name]))
    sheet.append(xlsx_row(["Năm đánh giá", index.year]))
    sheet.append(xlsx_row(["Bộ tiêu chí", index.set_title]))
    sheet.append(xlsx_row(["Trạng thái", index.status]))
    sheet.append(xlsx_row(["Tổng điểm tự đánh giá", points_number(index.self_total)]))
    sheet.append(xlsx_row(["Tổng điểm thẩm định", points_number(index.final_total) if index.final_total is not None
                           else "Chưa thẩm định"]))
    sheet.append(xlsx_row(["Điểm tối đa", points_number(index.max_total)]))
    sheet.append([])
    sheet.append(xlsx_row([title for title, _ in XLSX_COLUMNS]))
    header = sheet.max_row
    for cell in sheet[header]:
        cell.font = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in index.rows:
        sheet.append(xlsx_row([row.code, row.title, points_number(row.max_score), row.summary, row.note,
                               points_number(row.self_points), points_number(row.appraised_points), row.comment,
                               "\n".join(row.files)]))
        for cell in sheet[sheet.max_row]:
            cell.alignment = wrap
            if row.is_group:
                cell.font = Font(bold=True)
    others = [("Kế hoạch", name) for name in index.plans] + [("Báo cáo", name) for name in index.reports]
    if others:
        sheet.append([])
        sheet.append(xlsx_row(["Tài liệu chung", "Tệp trong hồ sơ"]))
        sheet[sheet.max_row][0].font = Font(bold=True)
        for kind, name in others:
            sheet.append(xlsx_row([kind, name]))
    sheet.freeze_panes = f"A{header + 1}"
    return workbook_bytes(book)


def report_pdf(report: Report, lines: list, *, agency: Agency) -> bytes:
    """One sent report as the unit filed it: letterhead, what it achieved,
    its shortcomings and proposals, and a table of its lines. `lines` with
    task and figures loaded."""
    from nd30.pdf import html_to_pdf

    sent_on = timezone.localdate(report.submitted_at) if report.submitted_at else report.due_date
    rows = []
    for index, line in enumerate(lines, start=1):
        figures = "; ".join(f"{f.label}: {money_format(f.value)} {f.unit}".strip() for f in line.figures.all())
        rows.append([str(index), line.task.content, line.get_state_display(), f"{line.percent}%",
                     money_format(line.spent) if line.spent is not None else "", figures, line.note])
    context = {
        "letterhead": printable(_letterhead(agency, sent_on)),
        "report": report,
        "title": printable(f"Kết quả công tác tuyên truyền cải cách hành chính {report.period.label}"),
        "addressee": printable(agency.parent.name if agency.parent else ""),
        "sent_on": sent_on,
        "narrative": [(heading, printable(text).splitlines()) for heading, text in (
            ("I. KẾT QUẢ ĐẠT ĐƯỢC", report.results), ("II. TỒN TẠI, HẠN CHẾ", report.shortcomings),
            ("III. ĐỀ XUẤT, KIẾN NGHỊ", report.proposals))],
        "rows": printable(rows),
    }
    return html_to_pdf(render_to_string("documents/par_pack_report.html", context))
