"""DOCX -> lines of text in body order, plus the appendix table's tasks.

Word's automatic list numbering is not in the paragraph text; it is resolved
here from numbering.xml (our own small resolver on python-docx, which the
portal already uses, rather than docx2python: we need only the marker a
paragraph shows, in body order next to the tables, and no new dependency).
"""

import io
import zipfile

from docx import Document
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

from .base import ImportRefused, clean_line
from .table import looks_like_appendix, tasks_from_table

# Symbol/Wingdings bullets live in the private-use area; show them as a bullet.
_PRIVATE_BULLETS = {"\uf0b7": "•", "\uf0a7": "•", "\uf0d8": "•", "\uf076": "•", "\uf0fc": "•", "o": "•"}
_ROMAN = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
          (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]


def _roman(value: int) -> str:
    out = ""
    for number, letters in _ROMAN:
        while value >= number:
            out += letters
            value -= number
    return out


def _letter(value: int) -> str:
    # Word: a … z, then aa … zz
    return chr(ord("a") + (value - 1) % 26) * ((value - 1) // 26 + 1)


def format_number(value: int, fmt: str) -> str:
    if fmt == "lowerLetter":
        return _letter(value)
    if fmt == "upperLetter":
        return _letter(value).upper()
    if fmt == "lowerRoman":
        return _roman(value).lower()
    if fmt == "upperRoman":
        return _roman(value)
    if fmt == "decimalZero":
        return f"{value:02d}"
    if fmt == "none":
        return ""
    return str(value)


class Numbering:
    """The marker Word shows in front of each numbered paragraph.

    Counters are kept per abstract numbering, as Word continues a list across
    w:num instances of one abstractNum; a w:num with a startOverride starts it
    again the first time it is used. A level counting up resets the deeper levels."""

    def __init__(self, document):
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}
        self.nums: dict[str, tuple[str, dict[int, int]]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        self.started: set[str] = set()
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError):
            return
        for abstract in root.findall(qn("w:abstractNum")):
            levels = {}
            for lvl in abstract.findall(qn("w:lvl")):
                fmt = lvl.find(qn("w:numFmt"))
                text = lvl.find(qn("w:lvlText"))
                start = lvl.find(qn("w:start"))
                levels[int(lvl.get(qn("w:ilvl")))] = (
                    fmt.get(qn("w:val")) if fmt is not None else "decimal",
                    text.get(qn("w:val")) if text is not None else "",
                    int(start.get(qn("w:val"))) if start is not None else 1,
                )
            self.levels[abstract.get(qn("w:abstractNumId"))] = levels
        for num in root.findall(qn("w:num")):
            abstract_id = num.find(qn("w:abstractNumId")).get(qn("w:val"))
            overrides = {}
            for override in num.findall(qn("w:lvlOverride")):
                start = override.find(qn("w:startOverride"))
                if start is not None:
                    overrides[int(override.get(qn("w:ilvl")))] = int(start.get(qn("w:val")))
            self.nums[num.get(qn("w:numId"))] = (abstract_id, overrides)

    @staticmethod
    def _num_pr(paragraph: Paragraph):
        p_pr = paragraph._p.pPr
        num_pr = p_pr.numPr if p_pr is not None else None
        style = paragraph.style
        while num_pr is None and style is not None:
            style_pr = style.element.pPr
            num_pr = style_pr.numPr if style_pr is not None else None
            style = style.base_style
        if num_pr is None or num_pr.numId is None:
            return None
        ilvl = num_pr.ilvl.val if num_pr.ilvl is not None else 0
        return str(num_pr.numId.val), int(ilvl)

    def marker(self, paragraph: Paragraph) -> str:
        found = self._num_pr(paragraph)
        if found is None or found[0] not in self.nums:
            return ""
        num_id, ilvl = found
        abstract_id, overrides = self.nums[num_id]
        levels = self.levels.get(abstract_id, {})
        if ilvl not in levels:
            return ""
        counters = self.counters.setdefault(abstract_id, {})
        if num_id not in self.started:
            self.started.add(num_id)
            for level, start in overrides.items():
                counters[level] = start - 1
        fmt, text, start = levels[ilvl]
        counters[ilvl] = counters.get(ilvl, start - 1) + 1
        for deeper in [level for level in counters if level > ilvl]:
            del counters[deeper]
        if fmt == "bullet":
            return "".join(_PRIVATE_BULLETS.get(ch, ch) for ch in text).strip() or "•"
        for level in range(ilvl + 1):
            level_fmt, _, level_start = levels.get(level, ("decimal", "", 1))
            value = counters.get(level, level_start)
            text = text.replace(f"%{level + 1}", format_number(value, level_fmt))
        return text.strip()


def _paragraph_lines(paragraph: Paragraph, numbering: Numbering) -> list[str]:
    marker = numbering.marker(paragraph)
    parts = paragraph.text.split("\n")  # w:br inside a paragraph: a line of its own
    if marker and parts and clean_line(parts[0]):
        parts[0] = marker + " " + parts[0]
    return [clean_line(part) for part in parts]


def _cell_lines(cell, numbering: Numbering) -> list[str]:
    lines = []
    for child in cell._tc.iterchildren():
        if child.tag == qn("w:p"):
            lines.extend(_paragraph_lines(Paragraph(child, cell), numbering))
        elif child.tag == qn("w:tbl"):
            lines.extend(_layout_lines(Table(child, cell), numbering))
    return lines


def _layout_lines(table: Table, numbering: Numbering) -> list[str]:
    """A header or signature table: its cells' text, row by row, left to right."""
    lines, seen = [], set()
    for row in table.rows:
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell appears once per grid column
                continue
            seen.add(id(cell._tc))
            lines.extend(_cell_lines(cell, numbering))
    return lines


def _rows(table: Table) -> list[list[str]]:
    rows = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            cells.append(clean_line(cell.text.replace("\n", " ")))
        rows.append(cells)
    return rows


def _is_layout(table: Table, rows: list[list[str]]) -> bool:
    """Header and signature tables are layout; a table of three columns or more is data."""
    widest = max((len(row) for row in rows), default=0)
    if widest <= 2:
        return True
    text = " ".join(" ".join(row) for row in rows)
    return any(word in text for word in ("CỘNG HÒA", "CỘNG HOÀ", "Nơi nhận", "Số:")) and not looks_like_appendix(rows)


def read_docx(content: bytes) -> tuple[list[str], list[dict]]:
    """(lines of text in body order, tasks of the appendix table)."""
    try:
        document = Document(io.BytesIO(content))
    except (zipfile.BadZipFile, KeyError, ValueError) as error:
        raise ImportRefused("Không mở được tệp Word (.docx): tệp bị hỏng hoặc không đúng định dạng.") from error
    numbering = Numbering(document)
    lines: list[str] = []
    tasks: list[dict] = []
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            lines.extend(_paragraph_lines(Paragraph(child, document), numbering))
        elif child.tag == qn("w:tbl"):
            table = Table(child, document)
            rows = _rows(table)
            if not any(any(row) for row in rows):
                continue
            if _is_layout(table, rows):
                lines.extend(_layout_lines(table, numbering))
            else:
                tasks.extend(tasks_from_table(rows))  # refuses a table that is not an appendix
    return lines, tasks
