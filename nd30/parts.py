"""Parts every administrative document of the portal prints the same way
(Nghị định 30, Phụ lục I): the two-column letterhead, the signature block,
body paragraphs. Plain strings: plans and the summary report (BC) fill them."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field

from common.text import clean_text

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
    """One body paragraph. kind: "section" (I. MỤC ĐÍCH…), "part" (1. Mục đích),
    "text", "basis" (a căn cứ on its own line, italic) or "article" (a Quyết
    định's "Điều 1." in bold, the `label`, then its text)."""

    kind: str
    text: str
    label: str = ""


def _month_text(month: int) -> str:
    return f"{month:02d}" if month <= 2 else str(month)


def date_text(day: dt.date) -> str:
    """ "ngày 05 tháng 01 năm 2025", "ngày 29 tháng 6 năm 2019": days 1-9 and
    months 1-2 with a leading zero (ND30)."""
    return f"ngày {day.day:02d} tháng {_month_text(day.month)} năm {day.year}"


def basis_lines(lines: list[str]) -> list[str]:
    """Căn cứ printed one a line (ND30, §3): each ends ";", the last "."."""
    lines = [line.strip().rstrip(";.,:").rstrip() for line in lines if line.strip()]
    return [f"{line}{'.' if index == len(lines) - 1 else ';'}" for index, line in enumerate(lines)]


ARTICLE = re.compile(r"^(Điều\s+\d+[a-zđ]?\.)\s*(.*)$", re.DOTALL)


def article_block(line: str) -> Block:
    """ "Điều 1. Ban hành …" as a Block with "Điều 1." for its bold label; a
    line that opens no article prints as a plain paragraph."""
    match = ARTICLE.match(line.strip())
    if match is None:
        return Block("text", line.strip())
    return Block("article", match[2], label=match[1])


# What signs for whom (ND30, Điều 13): "KT. CHỦ TỊCH" names the head a deputy
# signs for; "TM." a collective body issuing in its own name.
_FOR_HEAD = ("KT.", "Q.", "TL.", "TUQ.")


def decision_authority(signer_lines: list[str], issuer_name: str) -> str:
    """The authority line of a Quyết định, in caps ("BỘ TRƯỞNG BỘ NỘI VỤ",
    "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH …"): the head's title read from the signer
    lines ("KT. BỘ TRƯỞNG" / "THỨ TRƯỞNG" -> BỘ TRƯỞNG; a bare "GIÁM ĐỐC"),
    followed by the issuer's name. A collective body signing "TM. …", or no
    signer at all, gives the issuer's name alone."""
    issuer = issuer_name.strip().upper()
    lines = [line.strip() for line in signer_lines if line.strip()]
    if any(line.upper().startswith("TM.") for line in lines):
        return issuer
    head = ""
    for line in lines:
        prefix, _, rest = line.partition(" ")
        if prefix.upper() in _FOR_HEAD and rest.strip():
            head = rest.strip()
            break
    if not head and lines:
        head = lines[-1]  # the signer's own position: "BỘ TRƯỞNG", "GIÁM ĐỐC"
    return f"{head.upper()} {issuer}" if head else issuer


# XML 1.0 has no place for surrogates or U+FFFE/U+FFFF either; DOCX would refuse them.
_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")


def printable(value):
    """`value` (a string, or lists, tuples and dataclasses of them) with every
    string composed (NFC) and without the characters a DOCX cannot hold
    (control characters, surrogates), whatever was stored."""
    if isinstance(value, str):
        return _NOT_XML.sub("", clean_text(value))
    if isinstance(value, list):
        return [printable(item) for item in value]
    if isinstance(value, tuple):
        return tuple(printable(item) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(
            value, **{f.name: printable(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init}
        )
    return value


def agency_letterhead(agency) -> tuple[str, list[str]]:
    """(parent line, issuing-agency lines) of the header's left column, in caps,
    for any object with `name` and `parent` (an Agency).

    A UBND prints "ỦY BAN NHÂN DÂN" over its unit name and has no parent line;
    any other body prints its parent UBND, abbreviated, above its own name;
    a ministry ("Bộ Nội vụ") prints its own name alone, a unit of a ministry
    its ministry (regular) over its own name (bold)."""
    if agency.name.startswith(UBND_PREFIX):
        return "", ["ỦY BAN NHÂN DÂN", agency.name[len(UBND_PREFIX):].upper()]
    parent = agency.parent
    if parent is None or getattr(agency, "kind", "") == "ministry":
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
