"""The plan laid out as it prints: sections I., II., numbered khoản 1., 2.,
điểm a), b) … in Vietnamese letter order. The detail page, and later the PDF
and DOCX renderers, all read this one structure."""

from __future__ import annotations

from dataclasses import dataclass, field

from common.money import money_format
from nd30.parts import agency_letterhead

from .models import Clause, Heading, Plan

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


def _number_clauses(clauses: list[Clause], children_of: dict, prefix: str, *, as_written: bool) -> list[PrintedClause]:
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
        if as_written and clause.marker_text:
            label = clause.marker_text  # the source's own lettering, skips and repeats included
        child_prefix = label if clause.marker == Clause.Marker.NUMBER else prefix
        printed.append(
            PrintedClause(
                label=label,
                paragraphs=[p for p in clause.text.splitlines() if p.strip()],
                children=_number_clauses(children_of.get(clause.pk, []), children_of, child_prefix,
                                         as_written=as_written),
                clause=clause,
            )
        )
    return printed


R = Heading.Role
# Today's template, for a plan that has no headings of its own: (title, role,
# [(part title, role)]). A GROUP's parts keep their numbers even when one is
# empty, as the template always printed them.
TEMPLATE = [
    ("MỤC ĐÍCH, YÊU CẦU", R.GROUP, [("Mục đích", R.PURPOSE), ("Yêu cầu", R.REQUIREMENT)]),
    ("NỘI DUNG, HÌNH THỨC TUYÊN TRUYỀN", R.GROUP,
     [("Nội dung tuyên truyền", R.CONTENT), ("Hình thức tuyên truyền", R.CHANNEL)]),
    ("KINH PHÍ THỰC HIỆN", R.FUNDING, []),
    ("TỔ CHỨC THỰC HIỆN", R.DUTY, []),
]


ORPHAN_TITLES = {
    R.PURPOSE: "MỤC ĐÍCH", R.REQUIREMENT: "YÊU CẦU", R.CONTENT: "NỘI DUNG TUYÊN TRUYỀN",
    R.CHANNEL: "HÌNH THỨC TUYÊN TRUYỀN", R.FUNDING: "KINH PHÍ THỰC HIỆN",
}


def template_headings() -> list[Heading]:
    """Unsaved headings of today's template, in the same shape a plan stores."""
    headings = []
    for position, (title, role, parts) in enumerate(TEMPLATE, start=1):
        section = Heading(pk=-position, position=position, text=title, role=role)
        headings.append(section)
        for index, (part_title, part_role) in enumerate(parts, start=1):
            headings.append(Heading(pk=-100 * position - index, parent_id=section.pk, position=index,
                                    text=part_title, role=part_role))
    return headings


class _Body:
    """The clauses of a plan sorted into what prints under which heading."""

    def __init__(self, plan: Plan, headings: list[Heading]):
        self.children_of: dict[int, list[Clause]] = {}
        self.by_heading: dict[int, list[Clause]] = {}
        by_role: dict[str, list[Clause]] = {}
        self.duties: dict[int, list[Clause]] = {}
        for clause in sorted(plan.clauses.all(), key=lambda c: (c.position, c.pk)):  # prefetched
            if clause.responsibility_id and not clause.parent_id:
                self.duties.setdefault(clause.responsibility_id, []).append(clause)
            if clause.parent_id:
                self.children_of.setdefault(clause.parent_id, []).append(clause)
            elif clause.heading_id:
                self.by_heading.setdefault(clause.heading_id, []).append(clause)
            elif clause.section not in (Clause.Section.DUTY, Clause.Section.RECIPIENT):
                by_role.setdefault(clause.section, []).append(clause)
        # A clause without a heading prints under the first heading of its role.
        for heading in headings:
            if heading.role in by_role:
                self.by_heading.setdefault(heading.pk, []).extend(by_role.pop(heading.role))
        self.orphans = by_role  # roles the plan has text for but no heading


def _duty_title(plan: Plan, responsibility) -> str:
    if plan.keep_markers or not (responsibility.is_request and responsibility.title):
        return responsibility.title
    return f"Đề nghị {responsibility.title}:"


def _budget_total_line(plan: Plan) -> PrintedPart | None:
    """The "Tổng kinh phí" typed in the form prints at the end of the funding
    section, unless the section's own text already gives that amount."""
    if not plan.budget_total:
        return None
    amount = money_format(plan.budget_total)
    if any(amount in c.text for c in plan.clauses.all() if c.section == Clause.Section.FUNDING):  # prefetched
        return None
    line = PrintedClause(label="", paragraphs=[f"Tổng kinh phí: {amount} đồng."])
    return PrintedPart(label="", title="", clauses=[line])


def plan_layout(plan: Plan) -> list[PrintedSection]:
    """Sections of the plan body in print order, under the plan's own headings
    (or today's template when it has none). A heading with nothing under it
    is left out and computed numbers close up (seed 004 has no funding
    section, seed 000 no channels), so nothing the drafter did not write is
    printed; markers the plan wrote itself print as written."""
    stored = list(plan.headings.all())
    headings = stored or template_headings()
    body = _Body(plan, headings)
    as_written = plan.keep_markers
    # A plan printed as written (an imported one) prints every heading it has, even an empty one.
    everything = as_written and bool(stored)
    parts_of: dict[int | None, list[Heading]] = {}
    for heading in sorted(headings, key=lambda h: (h.position, h.pk)):
        parts_of.setdefault(heading.parent_id, []).append(heading)
    # Text whose role lost its heading (the drafter changed the headings)
    # still prints, at the end under the template's title: nothing is dropped.
    tops = parts_of.setdefault(None, [])
    for index, (role, clauses) in enumerate(body.orphans.items(), start=1):
        stray = Heading(pk=-1000 - index, position=10**6 + index, text=ORPHAN_TITLES.get(role, "NỘI DUNG KHÁC"),
                        role=role)
        body.by_heading[stray.pk] = clauses
        tops.append(stray)
    if body.duties and not any(h.role == R.DUTY and not h.parent_id for h in headings):
        tops.append(Heading(pk=-2000, position=10**6 + 100, text="TỔ CHỨC THỰC HIỆN", role=R.DUTY))

    sections = []
    duties_printed = False  # the agencies' duties print once, under the first section for them
    for section in parts_of.get(None, []):
        parts = []
        direct = body.by_heading.get(section.pk, [])
        if direct:
            parts.append(PrintedPart(label="", title="",
                                     clauses=_number_clauses(direct, body.children_of, "", as_written=as_written)))
        if section.role == R.FUNDING and (total := _budget_total_line(plan)):
            parts.append(total)
        if section.role == R.DUTY and not duties_printed:
            duties_printed = True
            responsibilities = list(plan.responsibilities.all())
            present_duties = [r for r in responsibilities if body.duties.get(r.pk) or (everything and r.title)]
            # A lone untitled responsibility is the section's own text: no "1.".
            numbered = len(responsibilities) > 1 or bool(responsibilities and responsibilities[0].title)
            for index, responsibility in enumerate(present_duties, start=1):
                duties = body.duties.get(responsibility.pk, [])
                label = f"{index}." if numbered else ""
                if as_written and responsibility.marker_text:
                    label = responsibility.marker_text
                parts.append(PrintedPart(label=label, title=_duty_title(plan, responsibility),
                                         clauses=_number_clauses(duties, body.children_of, label,
                                                                 as_written=as_written)))
        children = parts_of.get(section.pk, [])
        present = [child for child in children if body.by_heading.get(child.pk) or everything]
        for index, child in enumerate(present, start=1):
            label = child.marker_text or f"{index}."
            clauses = body.by_heading.get(child.pk, [])
            parts.append(PrintedPart(label=label, title=child.text,
                                     clauses=_number_clauses(clauses, body.children_of, label, as_written=as_written)))
        if not parts and not everything:
            continue
        label = section.marker_text if section.marker_text else f"{ROMAN[len(sections)]}."
        sections.append(PrintedSection(label=label, title=section.text, parts=parts))
    return sections


def plan_recipients(plan: Plan) -> list[str]:
    """Nơi nhận lines with their printed punctuation: "- X;" … "- Lưu: VT, …."."""
    # The dash and the end punctuation are the printer's: a user who typed
    # "- Sở Nội vụ;" must not get "- - Sở Nội vụ;;".
    names = [c.text.strip().lstrip("-–+• ").rstrip(";.,").rstrip()
             for c in plan.clauses.all() if c.section == Clause.Section.RECIPIENT]
    names = [name for name in names if name]
    return [f"- {name}{'.' if i == len(names) - 1 else ';'}" for i, name in enumerate(names)]


def plan_basis_paragraph(plan: Plan) -> str:
    """"Thực hiện A; B. <lead-in>": the verb printed when it changes, without
    doubling the ";" or "." a stored basis already ends with ("… pháp luật;;")."""
    pieces, last_verb = [], None
    for ref in plan.basis_references.all():
        text = ref.text.strip().rstrip(";.,").rstrip()
        pieces.append(text if ref.verb == last_verb else f"{ref.verb} {text}".strip())
        last_verb = ref.verb
    text = "; ".join(pieces)
    lead_in = plan.basis_lead_in.strip()
    if text and lead_in:
        return f"{text}. {lead_in}"
    return f"{text}." if text else lead_in


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
