"""The plan laid out as it prints: sections I., II., numbered khoản 1., 2.,
điểm a), b) … in Vietnamese letter order. The detail page, and later the PDF
and DOCX renderers, all read this one structure."""

from __future__ import annotations

from dataclasses import dataclass, field

from .models import Clause, Plan

# Nghị định 30 orders điểm by the Vietnamese alphabet without ă â ê ô ơ ư
# (and f j w z, which it does not have).
VIETNAMESE_LETTERS = "a b c d đ e g h i k l m n o p q r s t u v x y".split()

ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]


def letter(index: int) -> str:
    """0 -> "a", 4 -> "đ", 22 -> "y", 23 -> "aa" (beyond y ND30 says nothing)."""
    count = len(VIETNAMESE_LETTERS)
    if index < count:
        return VIETNAMESE_LETTERS[index]
    return letter(index // count - 1) + VIETNAMESE_LETTERS[index % count]


@dataclass
class PrintedClause:
    label: str
    paragraphs: list[str]
    children: list[PrintedClause] = field(default_factory=list)
    clause: Clause | None = None


@dataclass
class PrintedPart:
    """A khoản ("1. Mục đích") or a section's body when it has no khoản."""

    label: str
    title: str
    clauses: list[PrintedClause]


@dataclass
class PrintedSection:
    label: str
    title: str
    parts: list[PrintedPart]


def _number_clauses(clauses: list[Clause], children_of: dict, prefix: str) -> list[PrintedClause]:
    printed = []
    counters = {Clause.Marker.LETTER: 0, Clause.Marker.NUMBER: 0}
    for clause in clauses:
        if clause.marker == Clause.Marker.LETTER:
            label = f"{letter(counters[clause.marker])})"
            counters[clause.marker] += 1
        elif clause.marker == Clause.Marker.NUMBER:
            counters[clause.marker] += 1
            label = f"{prefix}{counters[clause.marker]}." if prefix else f"{counters[clause.marker]}."
        elif clause.marker == Clause.Marker.DASH:
            label = "-"
        elif clause.marker == Clause.Marker.PLUS:
            label = "+"
        else:
            label = ""
        child_prefix = label if clause.marker == Clause.Marker.NUMBER else prefix
        printed.append(
            PrintedClause(
                label=label,
                paragraphs=[p for p in clause.text.splitlines() if p.strip()],
                children=_number_clauses(children_of.get(clause.pk, []), children_of, child_prefix),
                clause=clause,
            )
        )
    return printed


def plan_layout(plan: Plan) -> list[PrintedSection]:
    """Sections of the plan body in print order; empty sections are left out
    and the Roman numerals close up (seed 004 has no funding section)."""
    clauses = list(plan.clauses.all())  # prefetched by plan_get_for_user
    children_of: dict[int, list[Clause]] = {}
    roots: dict[tuple, list[Clause]] = {}
    for clause in sorted(clauses, key=lambda c: (c.position, c.pk)):
        if clause.parent_id:
            children_of.setdefault(clause.parent_id, []).append(clause)
        else:
            roots.setdefault((clause.section, clause.responsibility_id), []).append(clause)

    def part(label: str, title: str, section: str, responsibility_id=None, prefix="") -> PrintedPart:
        return PrintedPart(
            label=label,
            title=title,
            clauses=_number_clauses(roots.get((section, responsibility_id), []), children_of, prefix),
        )

    S = Clause.Section
    candidates: list[tuple[str, list[PrintedPart]]] = [
        ("MỤC ĐÍCH, YÊU CẦU", [part("1.", "Mục đích", S.PURPOSE, prefix="1."), part("2.", "Yêu cầu", S.REQUIREMENT, prefix="2.")]),
        (
            "NỘI DUNG, HÌNH THỨC TUYÊN TRUYỀN",
            [
                part("1.", "Nội dung tuyên truyền", S.CONTENT, prefix="1."),
                part("2.", "Hình thức tuyên truyền", S.CHANNEL, prefix="2."),
            ],
        ),
        ("KINH PHÍ THỰC HIỆN", [part("", "", S.FUNDING)]),
    ]
    duties = []
    for index, responsibility in enumerate(plan.responsibilities.all(), start=1):
        title = responsibility.title
        if responsibility.is_request:
            title = f"Đề nghị {title}:"
        duties.append(part(f"{index}.", title, S.DUTY, responsibility.pk, prefix=f"{index}."))
    candidates.append(("TỔ CHỨC THỰC HIỆN", duties))

    sections = []
    for title, parts in candidates:
        parts = [p for p in parts if p.clauses or p.title]
        if not any(p.clauses for p in parts):
            continue
        sections.append(PrintedSection(label=f"{ROMAN[len(sections)]}.", title=title, parts=parts))
    return sections


def plan_recipients(plan: Plan) -> list[str]:
    """Nơi nhận lines with their printed punctuation: "- X;" … "- Lưu: VT, …."."""
    names = [c.text for c in plan.clauses.all() if c.section == Clause.Section.RECIPIENT]
    return [f"- {name}{'.' if i == len(names) - 1 else ';'}" for i, name in enumerate(names)]


def plan_basis_paragraph(plan: Plan) -> str:
    """"Thực hiện A; B. <lead-in>": the verb is printed when it changes."""
    pieces, last_verb = [], None
    for ref in plan.basis_references.all():
        pieces.append(ref.text if ref.verb == last_verb else f"{ref.verb} {ref.text}")
        last_verb = ref.verb
    text = "; ".join(pieces)
    if text and plan.basis_lead_in:
        return f"{text}. {plan.basis_lead_in}"
    return text or plan.basis_lead_in


UBND_PREFIX = "Ủy ban nhân dân "


def letterhead(plan: Plan) -> tuple[str, list[str]]:
    """(parent line, issuing-agency lines) of the header's left column, in caps.

    A UBND prints "ỦY BAN NHÂN DÂN" over its unit name and has no parent line;
    any other body prints its parent UBND, abbreviated, above its own name."""
    agency = plan.issuer
    if agency.name.startswith(UBND_PREFIX):
        return "", ["ỦY BAN NHÂN DÂN", agency.name[len(UBND_PREFIX):].upper()]
    parent_line = ""
    parent = agency.parent
    if parent is not None:
        parent_line = (
            "UBND " + parent.name[len(UBND_PREFIX):].upper()
            if parent.name.startswith(UBND_PREFIX)
            else parent.name.upper()
        )
    return parent_line, [agency.name.upper()]


def date_line(plan: Plan) -> str:
    """"Bình Giang, ngày 05 tháng 01 năm 2025"; days 1-9 and months 1-2 take a
    leading zero (ND30). Drafts leave day and month blank as the seeds do."""
    if plan.issue_date is None:
        return f"{plan.place}, ngày      tháng      năm {plan.year_start if plan.kind == Plan.Kind.YEARLY else ''}".rstrip()
    day, month = plan.issue_date.day, plan.issue_date.month
    month_text = f"{month:02d}" if month <= 2 else str(month)
    return f"{plan.place}, ngày {day:02d} tháng {month_text} năm {plan.issue_date.year}"
