"""Parts every administrative document of the portal prints the same way
(Nghị định 30, Phụ lục I): the two-column letterhead, the signature block,
body paragraphs. Plain strings: plans and the summary report (BC) fill them."""

from __future__ import annotations

from dataclasses import dataclass, field

NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
NATIONAL_MOTTO = "Độc lập - Tự do - Hạnh phúc"
# Drafts leave the number blank for the clerk (Điều 15); the same width as
# the blank day in layout.date_line().
NUMBER_BLANK = "      "
UBND_PREFIX = "Ủy ban nhân dân "


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


def number_line(*, number: int | None, symbol: str, as_written: str = "") -> str:
    """ "Số: 05/KH-UBND" (below 10 with a leading zero, or the number as the
    source wrote it: "049"), or "Số:      /KH-UBND" for a draft."""
    if number is None:
        return f"Số: {NUMBER_BLANK}/{symbol}"
    return f"Số: {as_written or f'{number:02d}'}/{symbol}"


@dataclass(frozen=True)
class Block:
    """One body paragraph. kind: "section" (I. MỤC ĐÍCH…), "part" (1. Mục đích) or "text"."""

    kind: str
    text: str


def agency_letterhead(agency) -> tuple[str, list[str]]:
    """(parent line, issuing-agency lines) of the header's left column, in caps,
    for any object with `name` and `parent` (an Agency).

    A UBND prints "ỦY BAN NHÂN DÂN" over its unit name and has no parent line;
    any other body prints its parent UBND, abbreviated, above its own name."""
    if agency.name.startswith(UBND_PREFIX):
        return "", ["ỦY BAN NHÂN DÂN", agency.name[len(UBND_PREFIX):].upper()]
    parent = agency.parent
    if parent is None:
        return "", [agency.name.upper()]
    if not parent.name.startswith(UBND_PREFIX):
        return parent.name.upper(), [agency.name.upper()]
    locality = parent.name[len(UBND_PREFIX):]  # "tỉnh Bình Định"
    name = agency.name
    # The parent line already names the place: "UBND TỈNH BÌNH ĐỊNH" over
    # "SỞ GIAO THÔNG VẬN TẢI", not "… TỈNH BÌNH ĐỊNH" twice.
    if name.endswith(" " + locality):
        name = name[: -len(locality) - 1]
    return "UBND " + locality.upper(), [name.upper()]
