"""The dashboard's XLSX: the agency table (every row, the same filters and
order) and the period's counts."""

from __future__ import annotations

import datetime as dt

import openpyxl
from django.utils import timezone

from agencies.models import Agency
from common.xlsx import column_widths, safe_cell, workbook_bytes, xlsx_row
from plans.models import Plan
from schedule.models import ReportingPeriod

from .figures import STATES
from .filters import TableFilters, agency_rows, merged_away_note, merged_notes
from .scope import Node

XLSX_HEADER = ["STT", "Mã đơn vị", "Đơn vị", "Loại đơn vị", "Cấp trên", "Trạng thái", "Hạn nộp", "Ngày nộp",
               "Số ngày muộn", "Báo cáo", "Sáp nhập"]
XLSX_WIDTHS = [6, 16, 44, 20, 36, 18, 12, 17, 12, 48, 40]


def dashboard_xlsx(*, node: Node, period: ReportingPeriod, plan: Plan | None, filters: TableFilters,
                   kpi: dict, today: dt.date, link) -> bytes:
    """The agency table (every row, the same filters and order) and the period's
    counts. `link(report)` gives the report page's address."""
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Đơn vị")
    column_widths(sheet, XLSX_WIDTHS)
    sheet.append([safe_cell(f"Tình hình báo cáo {period.label} – {node.label}")])
    sheet.append(XLSX_HEADER)
    kinds = dict(Agency.Kind.choices)
    rows = agency_rows(node=node, period=period, plan=plan, filters=filters, today=today)
    notes = merged_notes(node=node, period=period, plan=plan)  # the units others were merged into, all at once
    for number, report in enumerate(rows.iterator(chunk_size=2000), start=1):
        agency = report.agency
        submitted = report.submitted_at
        sheet.append(xlsx_row((
            number, agency.code, agency.name, kinds.get(agency.kind, agency.kind),
            agency.parent.name if agency.parent else "", STATES[report.state][0], report.due_date,
            timezone.localtime(submitted).replace(tzinfo=None) if submitted else None,
            report.days_late or None, link(report), merged_away_note(agency) or notes.get(agency.pk, ""),
        ), sheet))
    summary = book.create_sheet("Tổng hợp")
    column_widths(summary, [40, 14, 12])
    summary.append([safe_cell(f"{period.label} – {node.label}")])
    summary.append(["Chỉ tiêu", "Số báo cáo", "Tỷ lệ (%)"])
    summary.append(["Phải nộp", kpi["total"], 100.0 if kpi["total"] else 0.0])
    for key, label in (("on_time", "Nộp đúng hạn"), ("late", "Nộp muộn"),
                       *((k, STATES[k][0]) for k in STATES)):
        summary.append([label, kpi[key], round(kpi["rates"][key], 1)])
    return workbook_bytes(book)
