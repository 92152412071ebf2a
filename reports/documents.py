"""The summary report (BC) of a period as an official document, PDF and DOCX,
built from the same ND30 parts as the plan (nd30/): letterhead,
signature, recipients, print CSS and DOCX styles."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone
from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt

from common.money import money_format as money
from nd30.docx import (
    CENTER,
    add_letterhead,
    add_page_numbers,
    add_paragraph,
    add_run,
    add_sign_off,
    add_title,
    cell_lines,
    fixed_table,
    repeat_header_row,
    setup_landscape,
    setup_portrait,
    setup_styles,
)
from nd30.metrics import balanced_lines
from nd30.parts import Block, Letterhead, Signature, agency_letterhead, number_line, printable
from nd30.pdf import html_to_pdf

# (heading, width mm) of the statistics table on a landscape page (252 mm).
TABLE_COLUMNS = [("STT", 12), ("Đơn vị", 70), ("Trạng thái", 30), ("Nộp ngày", 24),
                 ("Nhiệm vụ", 20), ("Hoàn thành", 22), ("Kinh phí đã dùng (đồng)", 34), ("Số liệu chính", 40)]


# progress(percent, step): how far a build in the worker has come (reports/services/summary_jobs.py).
Progress = Callable[[int, str], None]


def _no_progress(percent: int, step: str) -> None:
    pass


@dataclass(frozen=True)
class SummaryDocument:
    letterhead: Letterhead
    doc_type: str
    title_lines: list[str]
    addressee: str
    body: list[Block]
    signature: Signature
    recipients: list[str]
    rows: list[list[str]]
    columns: list[tuple[str, int]]
    is_draft: bool = True


def _counters(counters: dict, labels: dict) -> str:
    return "; ".join(f"{labels.get(code, code)}: {money(value)}" for code, value in sorted(counters.items()) if value)


def _narrative_blocks(group: dict, *, none: str) -> list[Block]:
    """One narrative part of every unit: the unit's name as a sub-heading,
    then what it wrote, a paragraph per line."""
    blocks = []
    for unit in group["units"]:
        blocks.append(Block("unit", unit["agency"].name))
        blocks.extend(Block("text", paragraph) for paragraph in unit["paragraphs"])
    return blocks or [Block("text", none)]


def summary_signature(signer: dict[str, str]) -> Signature:
    """ô 7: the authority lines ("TM. …", "KT. …"), the position, the name."""
    lines = [line.strip() for line in signer.get("signer_authority", "").splitlines() if line.strip()]
    if signer.get("signer_position", "").strip():
        lines.append(signer["signer_position"].strip())
    return Signature(title_lines=[line.upper() for line in lines], name=signer.get("signer_name", "").strip())


def summary_document(summary: dict, signer: dict[str, str] | None = None) -> SummaryDocument:
    """The BC as plain strings. Drafted today: number and day are left for the
    clerk (Điều 15), month and year filled in. `signer`: SignerForm.values()."""
    period, root, labels = summary["period"], summary["root"], summary["counter_labels"]
    today = timezone.localdate()
    parent, lines = agency_letterhead(root)
    place = root.place_name or root.short_name or root.name
    month = f"{today.month:02d}" if today.month <= 2 else str(today.month)
    letterhead = Letterhead(
        parent=parent, agency_lines=lines,
        number_line=number_line(number=None, symbol=f"BC-{root.abbreviation or 'UBND'}"),
        date_line=f"{place}, ngày      tháng {month} năm {today.year}",
    )
    reports, late, missing = summary["reports"], summary["late"], summary["missing"]
    counts = summary["counts"]
    body = [
        Block("text", f"Thực hiện chế độ báo cáo định kỳ về công tác tuyên truyền cải cách hành chính, "
                      f"{root.name} báo cáo kết quả {period.label} (số liệu từ ngày {period.start:%d/%m/%Y} "
                      f"đến ngày {period.end:%d/%m/%Y}) như sau:"),
        Block("section", "I. KẾT QUẢ THỰC HIỆN"),
        Block("part", "1. Tình hình báo cáo của các cơ quan, đơn vị"),
        Block("text", f"- Số đơn vị phải báo cáo: {counts['reports']}; đã được tiếp nhận: {counts['accepted']}; "
                      f"nộp muộn: {counts['late']}; quá hạn chưa nộp: {counts['missing']}."),
    ]
    if missing:
        body.append(Block("text", "- Đơn vị chưa nộp: " + "; ".join(r.agency.name for r in missing) + "."))
    if late:
        body.append(Block("text", "- Đơn vị nộp muộn: " + "; ".join(
            f"{r.agency.name} ({r.days_late} ngày)" for r in late) + "."))
    totals = summary["totals"]
    body.append(Block("part", "2. Kết quả thực hiện nhiệm vụ"))
    body.append(Block("text", f"- Tổng số nhiệm vụ được báo cáo: {totals['tasks']}, trong đó hoàn thành "
                              f"{totals['done']}; kinh phí đã sử dụng: {money(totals['spent'])} đồng."))
    for name, row in summary["by_area"].items():
        figures = _counters(row["counters"], labels)
        body.append(Block("text", f"- {name}: {row['tasks']} nhiệm vụ, hoàn thành {row['done']}"
                                  + (f"; {figures}" if figures else "") + "."))
    body.append(Block("part", "3. Kết quả theo hình thức tuyên truyền"))
    for name, row in summary["by_channel"].items():
        figures = _counters(row["counters"], labels)
        body.append(Block("text", f"- {name}: {row['tasks']} nhiệm vụ" + (f"; {figures}" if figures else "") + "."))
    results, shortcomings, proposals = summary["narrative_groups"]
    body.append(Block("part", "4. Kết quả đạt được của các cơ quan, đơn vị"))
    body.extend(_narrative_blocks(results, none="- Chưa có đơn vị nêu kết quả đạt được."))
    body.append(Block("section", "II. TỒN TẠI, HẠN CHẾ"))
    body.extend(_narrative_blocks(shortcomings, none="- Không có đơn vị nêu tồn tại, hạn chế."))
    body.append(Block("section", "III. ĐỀ XUẤT, KIẾN NGHỊ"))
    body.extend(_narrative_blocks(proposals, none="- Không có."))
    body.append(Block("text", f"Trên đây là báo cáo kết quả công tác tuyên truyền cải cách hành chính "
                              f"{period.label} của {root.name}./."))

    rows = []
    rolled_into = summary.get("rolled_into", {})
    if summary.get("national"):
        # Above provinces: a row per province, its units' reports counted, not listed.
        for index, row in enumerate(summary["by_agency"].values(), start=1):
            rows.append([str(index), row["name"], f"{row['accepted']}/{row['reports']} đã tiếp nhận", "",
                         str(row["tasks"]), str(row["done"]), money(row["spent"]), _counters(row["counters"], labels)])
        reports = []
    for index, report in enumerate(reports, start=1):
        submitted = f"{timezone.localtime(report.submitted_at):%d/%m/%Y}" if report.submitted_at else ""
        if report.agency_id in rolled_into:
            # A unit merged away: its figures are on its successor's row, not here as zeros.
            rows.append([str(index), f"{report.agency.name} (đã sáp nhập)", report.get_status_display(), submitted,
                         "", "", "", f"Tính vào số liệu của {rolled_into[report.agency_id]}"])
            continue
        row = summary["by_agency"].get(report.agency_id, {"tasks": 0, "done": 0, "spent": 0, "counters": {}})
        rows.append([
            str(index), report.agency.name, report.get_status_display(), submitted,
            str(row["tasks"]), str(row["done"]), money(row["spent"]), _counters(row["counters"], labels),
        ])
    addressee = root.parent.name if root.parent else "Bộ Nội vụ"
    filing = ((signer or {}).get("filing") or "").strip().rstrip(".") or root.abbreviation or "VP"
    return SummaryDocument(
        letterhead=letterhead,
        doc_type="BÁO CÁO",
        title_lines=balanced_lines(f"Kết quả công tác tuyên truyền cải cách hành chính {period.label}", 14, 154,
                                   bold=True),
        addressee=addressee,
        body=body,
        signature=summary_signature(signer or {}),
        # A BC going up has a Kính gửi, so Nơi nhận opens with "Như trên" (ND30).
        recipients=["- Như trên;", f"- Lưu: VT, {filing}."],
        rows=rows,
        columns=TABLE_COLUMNS,
    )


def summary_pdf_render(*, summary: dict, signer: dict[str, str] | None = None,
                       progress: Progress = _no_progress) -> bytes:
    document = printable(summary_document(summary, signer))
    progress(40, "Đang dàn trang PDF")
    html = render_to_string("documents/summary.html", {"document": document})
    return html_to_pdf(html)


def summary_docx_render(*, summary: dict, signer: dict[str, str] | None = None,
                        progress: Progress = _no_progress) -> bytes:
    content = printable(summary_document(summary, signer))
    progress(40, "Đang soạn nội dung DOCX")
    document = Document()
    setup_styles(document)
    document.core_properties.title = f"{content.doc_type} {' '.join(content.title_lines)}"
    document.core_properties.language = "vi-VN"
    setup_portrait(document.sections[0])
    add_page_numbers(document.sections[0], first_page_mark="DỰ THẢO")
    add_letterhead(document, content.letterhead)
    add_title(document, content.doc_type, content.title_lines)
    add_paragraph(document, f"Kính gửi: {content.addressee}.", "Centered")
    for number, block in enumerate(content.body):
        if number % 500 == 499:
            progress(40 + 30 * number // len(content.body), "Đang soạn nội dung DOCX")
        paragraph = document.add_paragraph()
        if block.kind in ("section", "part", "unit"):
            paragraph.paragraph_format.keep_with_next = True
        add_run(paragraph, block.text, bold=block.kind != "text", italic=block.kind == "unit")
    add_sign_off(document, content.signature, content.recipients)

    section = document.add_section(WD_SECTION.NEW_PAGE)
    setup_landscape(section)
    add_page_numbers(section, restart=True)
    add_paragraph(document, "Biểu", "Centered", bold=True).paragraph_format.space_before = Pt(0)
    add_paragraph(document, "SỐ LIỆU TỔNG HỢP THEO ĐƠN VỊ", "Centered", bold=True)
    table = fixed_table(document, 1 + len(content.rows), [Mm(w) for _, w in content.columns],
                        style="Table Grid", cell_margin=Pt(3))
    repeat_header_row(table.rows[0])
    for cell, (title, _) in zip(table.rows[0].cells, content.columns, strict=True):
        cell_lines(cell, [title], "Cell", bold=True)
        cell.paragraphs[0].alignment = CENTER
    progress(70, "Đang soạn biểu số liệu DOCX")
    for row, values in zip(table.rows[1:], content.rows, strict=True):
        for index, (cell, value) in enumerate(zip(row.cells, values, strict=True)):
            cell_lines(cell, [value], "Cell")
            if index in (4, 5, 6):
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
