"""Everything printed in a plan's document, as plain strings in print order.

The PDF template and the DOCX builder both read this one structure, so the
two files cannot drift apart. Numbering comes from plans.layout, the same
structure the web detail page shows."""

from __future__ import annotations

from dataclasses import dataclass

from common.money import money_format as money
from common.text import clean_text
from nd30.metrics import balanced_lines
from nd30.parts import (
    NUMBER_BLANK,
    Block,
    Letterhead,
    Signature,
    article_block,
    basis_lines,
    date_text,
    decision_authority,
    number_line,
    printable,
)
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
class DecisionPage:
    """The Quyết định that issues a plan (form "decision"), printed before it."""

    letterhead: Letterhead
    doc_type: str
    title_lines: list[str]
    authority: str
    basis: list[str]
    decides: str
    articles: list[Block]
    signature: Signature
    recipients: list[str]


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
    # A plan issued by a Quyết định: the decision page, and the plan's italic
    # "(Ban hành kèm theo Quyết định số …)" under its trích yếu.
    decision: DecisionPage | None = None
    attachment_line: str = ""


def _is_decision(plan: Plan) -> bool:
    return plan.form == Plan.Form.DECISION


def plan_letterhead(plan: Plan) -> Letterhead:
    parent, agency_lines = letterhead(plan)
    if _is_decision(plan):
        # ND30 §8: a plan issued by a Quyết định carries no Số and no date of its own.
        return Letterhead(parent=parent, agency_lines=agency_lines, number_line="", date_line="")
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


def _as_written(plan: Plan) -> bool:
    """A plan imported with its own headings and markers, or recorded from
    paper, prints its text exactly: no "./." is added at its end."""
    return plan.keep_markers or plan.recorded


def plan_basis(plan: Plan) -> list[Block]:
    """The căn cứ and the lead-in: one running paragraph, or (basis style
    "lines") each basis on its own italic line, then the lead-in upright."""
    if plan.basis_style != Plan.BasisStyle.LINES:
        basis = plan_basis_paragraph(plan)
        return [Block("text", basis)] if basis else []
    references = [f"{ref.verb} {ref.text}".strip() for ref in plan.basis_references.all()]
    blocks = [Block("basis", line) for line in basis_lines(references)]
    if plan.basis_lead_in.strip():
        blocks.extend(Block("text", line) for line in plan.basis_lead_in.splitlines() if line.strip())
    return blocks


def plan_body(plan: Plan) -> list[Block]:
    blocks = plan_basis(plan)
    for section in plan_layout(plan):
        blocks.append(Block("section", f"{section.label} {section.title}".strip()))
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
    if not _as_written(plan):
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


def _issued_text(plan: Plan) -> str:
    # date_line() is "<place>, ngày …"; a link line wants only "ngày …".
    return date_line(plan)[len(plan.place) + 2 :]


def _decision_issued_text(plan: Plan) -> str:
    """The decision's date: its own, else the plan's (blanks for a draft)."""
    if plan.decision_date is not None:
        return date_text(plan.decision_date)
    return _issued_text(plan)


def _decision_reference(plan: Plan) -> str:
    reference = plan.decision_reference
    return reference if plan.decision_number is not None else f"{NUMBER_BLANK}{reference}"


def decision_attachment_line(plan: Plan) -> str:
    return (f"(Ban hành kèm theo Quyết định số {_decision_reference(plan)} {_decision_issued_text(plan)} "
            f"của {plan.issuer.name})")


def plan_appendix(plan: Plan) -> Appendix | None:
    tasks = list(plan.tasks.all())
    if not tasks:
        return None
    if _is_decision(plan):
        link_line = (f"(Kèm theo Kế hoạch ban hành kèm theo Quyết định số {_decision_reference(plan)} "
                     f"{_decision_issued_text(plan)} của {plan.issuer.name})")
    else:
        reference = plan.reference if plan.number is not None else f"{NUMBER_BLANK}{plan.reference}"
        link_line = f"(Kèm theo Kế hoạch số {reference} {_issued_text(plan)} của {plan.issuer.name})"
    total = sum(task.budget or 0 for task in tasks)
    return Appendix(
        label="Phụ lục",
        title=APPENDIX_TITLE,
        link_line=link_line,
        columns=APPENDIX_COLUMNS,
        rows=[_task_row(number, task) for number, task in enumerate(tasks, start=1)],
        total=money(total) if total else "",
    )


def _title_lines(title: str) -> list[str]:
    title = " ".join(clean_text(title).split())
    return balanced_lines(title, 14, TITLE_WIDTH_MM, bold=True) if title else []


def decision_page(plan: Plan) -> DecisionPage | None:
    """The Quyết định page of a plan issued by one: its letterhead (the
    decision's number and date), trích yếu, authority, căn cứ one a line,
    "QUYẾT ĐỊNH:", the articles, then the signer and "Nơi nhận" (the plan
    itself is not signed again)."""
    if not _is_decision(plan):
        return None
    parent, agency_lines = letterhead(plan)
    signature = plan_signature(plan)
    return DecisionPage(
        letterhead=Letterhead(
            parent=parent,
            agency_lines=agency_lines,
            number_line=number_line(number=plan.decision_number, symbol=plan.decision_symbol,
                                    as_written=plan.decision_number_text),
            date_line=f"{plan.place}, {_decision_issued_text(plan)}",
        ),
        doc_type="QUYẾT ĐỊNH",
        title_lines=_title_lines(plan.decision_title),
        authority=decision_authority(signature.title_lines, plan.issuer.name),
        basis=basis_lines(plan.decision_basis.splitlines()),
        decides="QUYẾT ĐỊNH:",
        articles=[article_block(line) for line in plan.decision_articles.splitlines() if line.strip()],
        signature=signature,
        recipients=plan_recipients(plan),
    )


def plan_document(plan: Plan) -> PlanDocument:
    """The printed plan. `plan` must come from selectors.plan_with_contents()
    (or plan_get_for_user), so building this costs no further queries.

    Every text in it is composed (NFC) and free of control characters, even
    if a stored one is not: each plan must print."""
    decision = decision_page(plan)
    document = PlanDocument(
        letterhead=plan_letterhead(plan),
        doc_type="KẾ HOẠCH",
        title=plan.title,
        title_lines=_title_lines(plan.title),
        body=plan_body(plan),
        # The decision is what is signed and sent out.
        signature=Signature() if decision else plan_signature(plan),
        recipients=[] if decision else plan_recipients(plan),
        appendix=plan_appendix(plan),
        # A plan recorded from paper was issued there: no draft mark.
        is_draft=plan.status != Plan.Status.ISSUED and not plan.recorded,
        decision=decision,
        attachment_line=decision_attachment_line(plan) if decision else "",
    )
    return printable(document)
