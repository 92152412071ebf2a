"""The plan laid out as it prints: sections I., II., numbered khoản 1., 2.,
điểm a), b) … in Vietnamese letter order. The detail page, and later the PDF
and DOCX renderers, all read this one structure."""

from __future__ import annotations

from dataclasses import dataclass, field

from nd30.parts import agency_letterhead

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
    """Sections of the plan body in print order. Empty sections and khoản are
    left out and the numbers close up (seed 004 has no funding section, seed
    000 no channels), so the page never shows a heading with nothing under it."""
    clauses = list(plan.clauses.all())  # prefetched by plan_get_for_user
    children_of: dict[int, list[Clause]] = {}
    roots: dict[tuple, list[Clause]] = {}
    for clause in sorted(clauses, key=lambda c: (c.position, c.pk)):
        if clause.parent_id:
            children_of.setdefault(clause.parent_id, []).append(clause)
        else:
            roots.setdefault((clause.section, clause.responsibility_id), []).append(clause)

    S = Clause.Section
    # (section title, [(khoản title, clause key)]); a section whose only khoản
    # has no title prints its clauses straight under the section heading.
    outline: list[tuple[str, list[tuple[str, tuple]]]] = [
        ("MỤC ĐÍCH, YÊU CẦU", [("Mục đích", (S.PURPOSE, None)), ("Yêu cầu", (S.REQUIREMENT, None))]),
        (
            "NỘI DUNG, HÌNH THỨC TUYÊN TRUYỀN",
            [("Nội dung tuyên truyền", (S.CONTENT, None)), ("Hình thức tuyên truyền", (S.CHANNEL, None))],
        ),
        ("KINH PHÍ THỰC HIỆN", [("", (S.FUNDING, None))]),
        (
            "TỔ CHỨC THỰC HIỆN",
            [
                (f"Đề nghị {r.title}:" if r.is_request and r.title else r.title, (S.DUTY, r.pk))
                for r in plan.responsibilities.all()
            ],
        ),
    ]

    sections = []
    for section_title, candidates in outline:
        present = [(title, key) for title, key in candidates if roots.get(key)]
        if not present:
            continue
        numbered = len(candidates) > 1 or candidates[0][0]
        parts = []
        for index, (title, key) in enumerate(present, start=1):
            label = f"{index}." if numbered else ""
            parts.append(
                PrintedPart(
                    label=label,
                    title=title,
                    clauses=_number_clauses(roots[key], children_of, label),
                )
            )
        sections.append(PrintedSection(label=f"{ROMAN[len(sections)]}.", title=section_title, parts=parts))
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




def letterhead(plan: Plan) -> tuple[str, list[str]]:
    return agency_letterhead(plan.issuer)


def _month_text(month: int) -> str:
    return f"{month:02d}" if month <= 2 else str(month)


def date_line(plan: Plan) -> str:
    """"Bình Giang, ngày 05 tháng 01 năm 2025"; days 1-9 and months 1-2 take a
    leading zero (ND30). Drafts leave what is not yet known blank, as the
    seeds do ("ngày      tháng 01 năm 2025")."""
    blank = "      "
    if plan.issue_date is None:
        month = _month_text(plan.draft_month) if plan.draft_month else blank
        year = str(plan.draft_year) if plan.draft_year else blank
        return f"{plan.place}, ngày {blank}tháng {month} năm {year}".rstrip()
    day = plan.issue_date.day
    return f"{plan.place}, ngày {day:02d} tháng {_month_text(plan.issue_date.month)} năm {plan.issue_date.year}"
