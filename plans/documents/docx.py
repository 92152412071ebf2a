"""DOCX through python-docx, laid out like the PDF: the same content
(content.py), the shared parts (docx_parts.py) and a landscape section for
the task appendix."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt

from nd30.docx import (
    CENTER,
    add_letterhead,
    add_page_numbers,
    add_paragraph,
    add_rule,
    add_run,
    add_sign_off,
    add_title,
    cell_lines,
    fixed_table,
    keep_row_together,
    repeat_header_row,
    setup_landscape,
    setup_portrait,
    setup_styles,
    text_width,
)
from nd30.parts import Block
from plans.models import Plan

from .content import Appendix, DecisionPage, plan_document

DRAFT_MARK = "DỰ THẢO"
# Word and python-docx hold the core-properties title to 255 characters.
CORE_TITLE_MAX = 255


def _add_appendix(document, appendix: Appendix, *, draft: bool) -> None:
    section = document.add_section(WD_SECTION.NEW_PAGE)
    setup_landscape(section)
    add_page_numbers(section, restart=True, first_page_mark=DRAFT_MARK if draft else "")

    add_paragraph(document, appendix.label, "Centered", bold=True).paragraph_format.space_before = Pt(0)
    add_paragraph(document, appendix.title, "Centered", bold=True)
    add_paragraph(document, appendix.link_line, "Centered", italic=True)
    room = text_width(section)
    add_rule(document, room // 4, room).paragraph_format.space_after = Pt(8)

    widths = [Mm(width) for _, width in appendix.columns]
    row_count = 1 + len(appendix.rows) + bool(appendix.total)
    table = fixed_table(document, row_count, widths, style="Table Grid", cell_margin=Pt(3))
    rows = table.rows
    repeat_header_row(rows[0])
    for cell, (title, _) in zip(rows[0].cells, appendix.columns, strict=True):
        cell_lines(cell, [title], "Cell", bold=True)
        cell.paragraphs[0].alignment = CENTER
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    for row, task in zip(rows[1:], appendix.rows, strict=False):
        keep_row_together(row)
        cells = row.cells
        cell_lines(cells[0], [task.number], "Cell")
        cells[0].paragraphs[0].alignment = CENTER
        cell_lines(cells[1], [task.content], "Cell")
        if task.target:
            add_paragraph(cells[1], task.target, "Cell", italic=True)
        for cell, text in zip(cells[2:5], (task.channel, task.lead, task.coordinating), strict=True):
            cell_lines(cell, [text], "Cell")
        cell_lines(cells[5], [task.timeframe], "Cell")
        if task.deadline:
            add_paragraph(cells[5], task.deadline, "Cell", italic=True)
        cell_lines(cells[6], [task.product], "Cell")
        cell_lines(cells[7], [task.budget], "Cell")
        cells[7].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if appendix.total:
        total = rows[-1].cells
        label = total[0].merge(total[6])
        cell_lines(label, ["Tổng cộng"], "Cell", bold=True)
        label.paragraphs[0].alignment = CENTER
        cell_lines(total[7], [appendix.total], "Cell", bold=True)
        total[7].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _add_blocks(document, blocks) -> None:
    for block in blocks:
        paragraph = document.add_paragraph()
        if block.kind == "article":
            add_run(paragraph, block.label, bold=True)
            add_run(paragraph, f" {block.text}" if block.text else "")
            continue
        heading = block.kind in ("section", "part")
        add_run(paragraph, block.text, bold=heading, italic=block.kind == "basis")
        if heading:
            paragraph.paragraph_format.keep_with_next = True


def _add_decision(document, decision: DecisionPage) -> None:
    """The Quyết định that issues the plan, signed; the plan follows on a new page."""
    add_letterhead(document, decision.letterhead)
    add_title(document, decision.doc_type, decision.title_lines)
    paragraph = add_paragraph(document, decision.authority, "Centered", bold=True)
    paragraph.paragraph_format.space_after = Pt(6)
    _add_blocks(document, [Block("basis", line) for line in decision.basis])
    paragraph = add_paragraph(document, decision.decides, "Centered", bold=True)
    paragraph.paragraph_format.space_before = Pt(12)
    _add_blocks(document, decision.articles)
    add_sign_off(document, decision.signature, decision.recipients)


def plan_docx_render(*, plan: Plan) -> bytes:
    content = plan_document(plan)
    document = Document()
    setup_styles(document)
    document.core_properties.title = f"{content.doc_type} {content.title}"[:CORE_TITLE_MAX]
    document.core_properties.language = "vi-VN"
    section = document.sections[0]
    setup_portrait(section)
    mark = DRAFT_MARK if content.is_draft else ""
    add_page_numbers(section, first_page_mark=mark)

    if content.decision:
        _add_decision(document, content.decision)
        # The plan is a document of its own: a new page, numbered from 1 again.
        section = document.add_section(WD_SECTION.NEW_PAGE)
        setup_portrait(section)
        add_page_numbers(section, restart=True, first_page_mark=mark)
    add_letterhead(document, content.letterhead)
    add_title(document, content.doc_type, content.title_lines, note=content.attachment_line)
    _add_blocks(document, content.body)
    if content.signature or content.recipients:
        add_sign_off(document, content.signature, content.recipients)
    if content.appendix:
        _add_appendix(document, content.appendix, draft=content.is_draft)

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
