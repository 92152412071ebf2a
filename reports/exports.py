"""XLSX export of a period summary (openpyxl), safe against formula injection."""

from __future__ import annotations

import openpyxl
from django.utils import timezone
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from common.xlsx import safe_cell, workbook_bytes


def summary_xlsx(summary: dict) -> bytes:
    book = openpyxl.Workbook()
    labels = summary["counter_labels"]
    codes = sorted(labels)
    bold = Font(bold=True)

    def sheet(title: str, first_header: str, rows: dict, first: bool = False):
        ws = book.active if first else book.create_sheet()
        assert isinstance(ws, Worksheet)
        ws.title = title
        ws.append([f"Tổng hợp {summary['period'].label} – {summary['root'].name}"])
        ws["A1"].font = Font(bold=True, size=13)
        header = [first_header, "Số nhiệm vụ", "Hoàn thành", "Kinh phí đã dùng (đồng)",
                  *[safe_cell(labels[c]) for c in codes]]
        ws.append(header)
        for cell in ws[2]:
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        for row in rows.values():
            name = row["name"] + (f" (gồm: {', '.join(row['merged_from'])})" if row.get("merged_from") else "")
            ws.append([safe_cell(name), row["tasks"], row["done"], row["spent"],
                       *[row["counters"].get(c, 0) for c in codes]])
        total = summary["totals"]
        ws.append(["Tổng cộng", total["tasks"], total["done"], total["spent"],
                   *[total["counters"].get(c, 0) for c in codes]])
        for cell in ws[ws.max_row]:
            cell.font = bold
        ws.column_dimensions["A"].width = 48
        for column in range(2, len(header) + 1):
            ws.column_dimensions[openpyxl.utils.get_column_letter(column)].width = 16
        for row in ws.iter_rows(min_row=3, min_col=4, max_col=len(header)):
            for cell in row:
                cell.number_format = "#,##0"
        ws.freeze_panes = "B3"

    sheet("Theo đơn vị", "Đơn vị", summary["by_agency"], first=True)
    sheet("Theo lĩnh vực", "Lĩnh vực CCHC", summary["by_area"])
    sheet("Theo hình thức", "Hình thức", summary["by_channel"])

    status = book.create_sheet("Tình trạng nộp")
    status.append(["Đơn vị", "Trạng thái", "Hạn nộp", "Ngày nộp", "Số ngày muộn"])
    for cell in status[1]:
        cell.font = bold
    for report in summary["reports"]:
        # Real dates (they sort and filter); workbook_bytes shows them dd/mm/yyyy.
        submitted = timezone.localtime(report.submitted_at).date() if report.submitted_at else None
        status.append([safe_cell(report.agency.name), report.get_status_display(),
                       report.due_date, submitted, report.days_late])
    status.column_dimensions["A"].width = 48
    return workbook_bytes(book)
