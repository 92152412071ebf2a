"""Parts every administrative document of the portal prints the same way
(Nghị định 30, Phụ lục I): the two-column letterhead, the signature block and
the "Nơi nhận" list. Plans use them now; the summary report (BC) will too, so
they hold plain strings and know nothing about a Plan beyond the builders below."""

from __future__ import annotations

from dataclasses import dataclass, field

from plans.layout import date_line, letterhead
from plans.models import Plan

NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
NATIONAL_MOTTO = "Độc lập - Tự do - Hạnh phúc"
# Drafts leave the number blank for the clerk (Điều 15); the same width as
# the blank day in layout.date_line().
NUMBER_BLANK = "      "


@dataclass(frozen=True)
class Letterhead:
    """ô 1-4: parent and issuing agency over "Số: …", national title over place and date."""

    parent: str
    agency_lines: list[str]
    number_line: str
    date_line: str
    national_title: str = NATIONAL_TITLE
    national_motto: str = NATIONAL_MOTTO


@dataclass(frozen=True)
class Signature:
    """ô 7a-7c: "TM. …", "KT. …" and the position in caps, room to sign, the name."""

    title_lines: list[str] = field(default_factory=list)
    name: str = ""

    def __bool__(self) -> bool:
        return bool(self.title_lines or self.name)


def number_line(*, number: int | None, symbol: str) -> str:
    """ "Số: 05/KH-UBND" (below 10 with a leading zero), or "Số:      /KH-UBND" for a draft."""
    if number is None:
        return f"Số: {NUMBER_BLANK}/{symbol}"
    return f"Số: {number:02d}/{symbol}"


def plan_letterhead(plan: Plan) -> Letterhead:
    parent, agency_lines = letterhead(plan)
    return Letterhead(
        parent=parent,
        agency_lines=agency_lines,
        number_line=number_line(number=plan.number, symbol=plan.symbol),
        date_line=date_line(plan),
    )


def plan_signature(plan: Plan) -> Signature:
    lines = [line.strip() for line in plan.signer_authority.splitlines() if line.strip()]
    if plan.signer_position.strip():
        lines.append(plan.signer_position.strip())
    return Signature(title_lines=lines, name=plan.signer_name.strip())
