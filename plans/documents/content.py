"""Everything printed in a plan's document, as plain strings in print order.

The PDF template and the DOCX builder both read this one structure, so the
two files cannot drift apart. Numbering comes from plans.layout, the same
structure the web detail page shows."""

from __future__ import annotations

from dataclasses import dataclass

from common.money import money_format as money
from nd30.metrics import balanced_lines
from nd30.parts import NUMBER_BLANK, Block, Letterhead, Signature, number_line
from plans.layout import date_line, letterhead, plan_basis_paragraph, plan_layout, plan_recipients
from plans.models import Plan

# Portrait text area is 155 mm; one spare for the renderers' rounding.
TITLE_WIDTH_MM = 154
APPENDIX_TITLE = "DANH MỤC NHIỆM VỤ, SẢN PHẨM"
# (heading, width in mm): they fill the 252 mm of a landscape A4 page.
APPENDIX_COLUMNS = [
    ("STT", 12),
    ("Nội dung", 59),
    ("Hình thức", 28),
    ("Cơ quan chủ trì", 31),
    ("Cơ quan phối hợp", 35),
    ("Thời gian", 26),
    ("Sản phẩm", 36),
    ("Kinh phí (đồng)", 25),
]


@dataclass(frozen=True)
class TaskRow:
    number: str
    content: str
    target: str
    channel: str
    lead: str
    coordinating: str
    timeframe: str
    deadline: str
    product: str
    budget: str


@dataclass(frozen=True)
class Appendix:
    label: str
    title: str
    link_line: str
    columns: list[tuple[str, int]]
    rows: list[TaskRow]
    total: str


@dataclass(frozen=True)
class PlanDocument:
    letterhead: Letterhead
    doc_type: str
    title: str
    title_lines: list[str]
    body: list[Block]
    signature: Signature
    recipients: list[str]
    appendix: Appendix | None
    is_draft: bool


def plan_letterhead(plan: Plan) -> Letterhead:
    parent, agency_lines = letterhead(plan)
    return Letterhead(
        parent=parent,
        agency_lines=agency_lines,
        number_line=number_line(number=plan.number, symbol=plan.symbol, as_written=plan.number_text),
        date_line=date_line(plan),
    )


def plan_signature(plan: Plan) -> Signature:
    lines = [line.strip() for line in plan.signer_authority.splitlines() if line.strip()]
    if plan.signer_position.strip():
        lines.append(plan.signer_position.strip())
    return Signature(title_lines=lines, name=plan.signer_name.strip())


def _clause_blocks(clause, blocks: list[Block], inline_label: str = "") -> None:
    for index, paragraph in enumerate(clause.paragraphs):
        if index == 0:
            labels = " ".join(label for label in (inline_label, clause.label) if label)
            paragraph = f"{labels} {paragraph}" if labels else paragraph
        blocks.append(Block("text", paragraph))
    for child in clause.children:
        _clause_blocks(child, blocks)


def _close_text(blocks: list[Block]) -> None:
    """ND30's templates end the body with "./."; stored texts often already do."""
    for index in range(len(blocks) - 1, -1, -1):
        if blocks[index].kind == "text":
            text = blocks[index].text.rstrip()
            if not text.endswith("/."):
                text = text.rstrip(".;,:") + "./."
            blocks[index] = Block("text", text)
            return


def plan_body(plan: Plan) -> list[Block]:
    blocks: list[Block] = []
    basis = plan_basis_paragraph(plan)
    if basis:
        blocks.append(Block("text", basis))
    for section in plan_layout(plan):
        blocks.append(Block("section", f"{section.label} {section.title}"))
        for part in section.parts:
            # A khoản without a title prints its number in front of its first line.
            inline_label = ""
            if part.title:
                blocks.append(Block("part", f"{part.label} {part.title}".strip()))
            else:
                inline_label = part.label
            for index, clause in enumerate(part.clauses):
                _clause_blocks(clause, blocks, inline_label if index == 0 else "")
    if plan.closing_text.strip():
        blocks.extend(Block("text", p) for p in plan.closing_text.splitlines() if p.strip())
    _close_text(blocks)
    return blocks


def _task_row(number: int, task) -> TaskRow:
    coordinating = [agency.display_name for agency in task.coordinating_agencies.all()]
    if task.coordinating_text:
        coordinating.append(task.coordinating_text)
    return TaskRow(
        number=str(number),
        content=task.content,
        target=f"Chỉ tiêu: {task.target_quantity}" if task.target_quantity else "",
        channel=task.channel.name if task.channel else "",
        lead=task.lead_agency.display_name if task.lead_agency else "",
        coordinating="; ".join(coordinating),
        timeframe=task.timeframe,
        deadline=f"Hạn: {task.deadline:%d/%m/%Y}" if task.deadline else "",
        product=task.product,
        budget=money(task.budget),
    )


def plan_appendix(plan: Plan) -> Appendix | None:
    tasks = list(plan.tasks.all())
    if not tasks:
        return None
    reference = plan.reference if plan.number is not None else f"{NUMBER_BLANK}{plan.reference}"
    # date_line() is "<place>, ngày …"; the link line wants only "ngày …".
    issued = date_line(plan)[len(plan.place) + 2 :]
    total = sum(task.budget or 0 for task in tasks)
    return Appendix(
        label="Phụ lục",
        title=APPENDIX_TITLE,
        link_line=f"(Kèm theo Kế hoạch số {reference} {issued} của {plan.issuer.name})",
        columns=APPENDIX_COLUMNS,
        rows=[_task_row(number, task) for number, task in enumerate(tasks, start=1)],
        total=money(total) if total else "",
    )


def plan_document(plan: Plan) -> PlanDocument:
    """The printed plan. `plan` must come from selectors.plan_with_contents()
    (or plan_get_for_user), so building this costs no further queries."""
    return PlanDocument(
        letterhead=plan_letterhead(plan),
        doc_type="KẾ HOẠCH",
        title=plan.title,
        title_lines=balanced_lines(plan.title, 14, TITLE_WIDTH_MM, bold=True),
        body=plan_body(plan),
        signature=plan_signature(plan),
        recipients=plan_recipients(plan),
        appendix=plan_appendix(plan),
        is_draft=plan.status != Plan.Status.ISSUED,
    )
