"""Build Word files from a plan's text lines, for the importer's tests and benchmark:
typed numbering (markers in the text) or Word automatic list numbering (markers
in numbering.xml), with the Số/date line and the Nơi nhận/signer block in tables
as the ND30 templates have them."""

import io
import re

from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

_SO = re.compile(r"^Số\s*:")
_DATE = re.compile(r",\s*ngày\b.*năm\s*\d{4}\s*\|?$")
_SIGNER = re.compile(r"^((TM|KT|Q|TL|TUQ)\.|CHỦ TỊCH|PHÓ CHỦ TỊCH|GIÁM ĐỐC|PHÓ GIÁM ĐỐC)")

# list kind -> (abstract id, levels: (format, text))
_LISTS = {
    "roman": ("10", [("upperRoman", "%1.")]),
    "number": ("11", [("decimal", "%1."), ("decimal", "%1.%2.")]),
    "letter": ("12", [("lowerLetter", "%1)")]),
    "bullet": ("13", [("bullet", "-"), ("bullet", "+")]),
}


def _marker(line: str):
    """(list kind, level, restart?, text without marker) for a typed marker, else None."""
    for pattern, kind in ((r"^([IVXL]+)\.\s+(.*)$", "roman"), (r"^(\d+)\.(\d+)\.?\s+(.*)$", "number2"),
                          (r"^(\d+)\.\s+(.*)$", "number"), (r"^([a-zđ])\)\s+(.*)$", "letter"),
                          (r"^-\s*(.*)$", "dash"), (r"^\+\s*(.*)$", "plus")):
        match = re.match(pattern, line)
        if match:
            groups = match.groups()
            if kind == "number2":
                return "number", 1, groups[1] == "1", groups[-1]
            if kind == "number":
                return "number", 0, groups[0] == "1", groups[-1]
            if kind == "letter":
                return "letter", 0, groups[0] == "a", groups[-1]
            if kind == "roman":
                return "roman", 0, groups[0] == "I", groups[-1]
            return "bullet", 0 if kind == "dash" else 1, False, groups[-1]
    return None


class _AutoNumbering:
    def __init__(self, document):
        self.root = document.part.numbering_part.element
        self.next_num = 100
        self.current: dict[str, str] = {}
        first_num = self.root.find(qn("w:num"))
        for abstract_id, levels in _LISTS.values():
            xml = f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">'
            for ilvl, (fmt, text) in enumerate(levels):
                xml += (f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
                        f'<w:lvlText w:val="{text}"/></w:lvl>')
            element = parse_xml(xml + "</w:abstractNum>")
            if first_num is not None:
                first_num.addprevious(element)
            else:
                self.root.append(element)

    def num_id(self, kind: str, level: int, restart: bool) -> str:
        if kind not in self.current or (restart and (kind != "number" or level == 0)):
            self.next_num += 1
            num_id = str(self.next_num)
            xml = (f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="{_LISTS[kind][0]}"/>'
                   f'<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>')
            self.root.append(parse_xml(xml))
            self.current[kind] = num_id
            if kind == "roman":
                self.current.pop("number", None)  # khoản numbers start again under each mục
        return self.current[kind]


def _paragraph(container, line: str, auto: _AutoNumbering | None):
    found = _marker(line) if auto else None
    if not found:
        return container.add_paragraph(line)
    kind, level, restart, text = found
    paragraph = container.add_paragraph(text)
    num_id = auto.num_id(kind, level, restart)
    paragraph._p.get_or_add_pPr().append(parse_xml(
        f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr>'))
    return paragraph


def build_docx(lines: list[str], numbering: str = "typed", appendix_rows: list[list[str]] | None = None) -> bytes:
    document = Document()
    auto = _AutoNumbering(document) if numbering == "auto" else None
    body = [line.strip() for line in lines if line.strip()]
    i = 0
    while i < len(body):
        line = body[i]
        if _SO.match(line) and i + 1 < len(body) and _DATE.search(body[i + 1]):
            table = document.add_table(rows=1, cols=2)
            table.cell(0, 0).paragraphs[0].text = line
            table.cell(0, 1).paragraphs[0].text = body[i + 1]
            i += 2
            continue
        if line.startswith("Nơi nhận"):
            left, right = [line], []
            i += 1
            while i < len(body) and body[i].startswith("-"):
                left.append(body[i])
                i += 1
            while i < len(body) and (_SIGNER.match(body[i]) or (right and len(body[i].split()) <= 5)):
                right.append(body[i])
                i += 1
            table = document.add_table(rows=1, cols=2)
            for cell, cell_lines in ((table.cell(0, 0), left), (table.cell(0, 1), right)):
                cell.paragraphs[0].text = cell_lines[0] if cell_lines else ""
                for extra in cell_lines[1:]:
                    cell.add_paragraph(extra)
            continue
        _paragraph(document, line, auto)
        i += 1
    if appendix_rows:
        document.add_paragraph("Phụ lục")
        table = document.add_table(rows=len(appendix_rows), cols=len(appendix_rows[0]))
        for r, row in enumerate(appendix_rows):
            for c, value in enumerate(row):
                table.cell(r, c).text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
