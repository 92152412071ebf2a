"""Building blocks of a Nghị định 30 document in python-docx: page setup,
styles, the letterhead, rules, the signature block with "Nơi nhận", the page
number header. Plans use them through docx.py; the summary report (BC) will
reuse them, so they take the plain parts of parts.py, never a Plan."""

from __future__ import annotations

from docx.document import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Emu, Length, Mm, Pt, RGBColor

from .metrics import text_width_mm
from .parts import Letterhead, Signature

FONT = "Times New Roman"
BODY_SIZE = Pt(14)
CENTER = WD_ALIGN_PARAGRAPH.CENTER

# Mẫu 1.4 of the decree: letterhead 6.75 + 10 cm and sign-off 5.3 + 11.1 cm,
# both set 0.35 cm into the left margin.
LETTERHEAD_WIDTHS = (Cm(6.75), Cm(10))
SIGN_OFF_WIDTHS = (Cm(5.3), Cm(11.1))
TABLE_SHIFT = Cm(-0.35)


# Word rejects a file whose elements are out of schema order, so new elements
# go in before the ones that must follow them.
_AFTER_PBDR = tuple(
    f"w:{name}"
    for name in (
        "shd tabs suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE"
        " autoSpaceDN bidi adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents"
        " suppressOverlap jc textDirection textAlignment textboxTightWrap outlineLvl divId"
        " cnfStyle rPr sectPr pPrChange"
    ).split()
)
_AFTER_LAYOUT = ("w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription", "w:tblPrChange")
_AFTER_PGNUMTYPE = tuple(
    f"w:{name}"
    for name in (
        "cols formProt vAlign noEndnote titlePg textDirection bidi rtlGutter docGrid"
        " printerSettings sectPrChange"
    ).split()
)


# -- page setup and styles ---------------------------------------------------


def setup_portrait(section) -> None:
    """A4, the decree's template margins (25/20/35/20 mm), header at 10 mm."""
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(25), Mm(20)
    section.left_margin, section.right_margin = Mm(35), Mm(20)
    section.header_distance = Mm(10)


def setup_landscape(section) -> None:
    """The appendix: A4 landscape with the decree's landscape margins (20/15/30/15 mm)."""
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.top_margin, section.bottom_margin = Mm(20), Mm(15)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.header_distance = Mm(7)


def text_width(section) -> Emu:
    return Emu(section.page_width - section.left_margin - section.right_margin)


def _set_fonts(rpr) -> None:
    """python-docx sets only the ASCII font; Vietnamese text also needs hAnsi,
    eastAsia and cs, or Word falls back to another font for some letters."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "vi-VN")


def setup_styles(document: Document) -> None:
    """Normal is the body text: Times New Roman 14 pt, justified, 1 cm first
    line, 6 pt before, single spacing. The other styles are for table cells."""
    styles = document.styles
    # The default template points every run at theme fonts (Calibri/Cambria),
    # which win over a style's own font in Word: name the font outright.
    defaults = styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = defaults.find(qn("w:rFonts"))
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]
    _set_fonts(defaults)
    normal = styles["Normal"]
    normal.font.name = FONT
    normal.font.size = BODY_SIZE
    _set_fonts(normal.element.get_or_add_rPr())
    body = normal.paragraph_format
    body.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    body.first_line_indent = Cm(1)
    body.space_before, body.space_after = Pt(6), Pt(0)
    body.line_spacing_rule = WD_LINE_SPACING.SINGLE
    body.widow_control = True

    for name, size, alignment in (
        ("Letterhead", Pt(13), CENTER),
        ("Centered", BODY_SIZE, CENTER),
        ("Cell", Pt(12), WD_ALIGN_PARAGRAPH.LEFT),
        ("Recipients", Pt(11), WD_ALIGN_PARAGRAPH.LEFT),
    ):
        style = styles.add_style(name, 1)  # 1: paragraph style
        style.base_style = normal
        style.font.size = size
        fmt = style.paragraph_format
        fmt.alignment = alignment
        fmt.first_line_indent = Cm(0)
        fmt.space_before = Pt(0)


# -- runs, paragraphs and rules ----------------------------------------------


def set_style(paragraph, style_id: str) -> None:
    # By id: python-docx's lookup by name scans every style each time, which
    # made a 40-row appendix take a third of a second.
    paragraph._p.style = style_id


def new_paragraph(container, style_id: str | None = None):
    paragraph = container.add_paragraph()
    if style_id:
        set_style(paragraph, style_id)
    return paragraph


def add_paragraph(container, text: str = "", style: str | None = None, **run_format):
    paragraph = new_paragraph(container, style)
    if text:
        add_run(paragraph, text, **run_format)
    return paragraph


def add_run(paragraph, text: str, *, size=None, bold=False, italic=False, color=None):
    run = paragraph.add_run(text)
    if "  " in text:
        # Blanks left for the clerk ("Số:      /KH-UBND") must survive.
        run._r.find(qn("w:t")).set(qn("xml:space"), "preserve")
    run.bold = bold or None
    run.italic = italic or None
    if size is not None:
        run.font.size = size
    if color is not None:
        run.font.color.rgb = color
    return run


def add_rule(container, length: Length, room: Length):
    """A solid line of `length`, centred in `room`: an empty paragraph 2 pt
    high whose bottom border is narrowed by equal indents on both sides."""
    paragraph = new_paragraph(container, "Centered")
    side = Emu(max(int(room - length), 0) // 2)
    fmt = paragraph.paragraph_format
    fmt.left_indent = fmt.right_indent = side
    fmt.space_before = Pt(4)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(2)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for attr, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "0"), ("w:color", "000000")):
        bottom.set(qn(attr), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().insert_element_before(borders, *_AFTER_PBDR)
    return paragraph


def measure(text: str, size: Pt, *, bold: bool = False) -> Emu:
    return Emu(Mm(text_width_mm(text, size.pt, bold=bold)))


# -- tables ------------------------------------------------------------------


def _table_xml(table, *, shift: Emu | None, cell_margin: Emu | None) -> None:
    tbl_pr = table._tbl.tblPr
    if shift is not None:
        indent = OxmlElement("w:tblInd")
        indent.set(qn("w:w"), str(int(shift / 635)))  # EMU -> twips
        indent.set(qn("w:type"), "dxa")
        tbl_pr.insert_element_before(indent, "w:tblBorders", "w:shd", "w:tblLayout", *_AFTER_LAYOUT)
    if cell_margin is not None:
        margins = OxmlElement("w:tblCellMar")
        for side in ("left", "right"):
            margin = OxmlElement(f"w:{side}")
            margin.set(qn("w:w"), str(int(cell_margin / 635)))
            margin.set(qn("w:type"), "dxa")
            margins.append(margin)
        tbl_pr.insert_element_before(margins, *_AFTER_LAYOUT[1:])


def fixed_table(container, rows: int, widths, *, style=None, shift=None, cell_margin=None):
    """A table with fixed column widths (set on the grid and every cell, as
    Word and LibreOffice each read a different one); `cell_margin` left and right."""
    table = container.add_table(rows=rows, cols=len(widths))
    if style:
        table.style = style
    table.autofit = False
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    _table_xml(table, shift=shift, cell_margin=cell_margin)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width
    return table


def _first_paragraph(cell, style: str):
    """A new cell holds one empty paragraph; use it for the first line."""
    paragraph = cell.paragraphs[0]
    set_style(paragraph, style)
    return paragraph


def cell_lines(cell, lines, style: str, **run_format) -> None:
    for index, line in enumerate(lines):
        paragraph = _first_paragraph(cell, style) if index == 0 else new_paragraph(cell, style)
        add_run(paragraph, line, **run_format)


def repeat_header_row(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    tr_pr.append(header)


def keep_row_together(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))


# -- the shared parts ----------------------------------------------------------


def add_letterhead(document: Document, letterhead: Letterhead) -> None:
    """ô 1-4 in a borderless 2 x 2 table: agency | national title, Số | date.
    Without Số and date (a plan issued by a Quyết định) the table has one row."""
    with_number = bool(letterhead.number_line or letterhead.date_line)
    table = fixed_table(document, 2 if with_number else 1, LETTERHEAD_WIDTHS, shift=TABLE_SHIFT,
                        cell_margin=Emu(0))
    agency, state = table.rows[0].cells
    agency_col, state_col = LETTERHEAD_WIDTHS

    paragraph = _first_paragraph(agency, "Letterhead")
    if letterhead.parent:
        add_run(paragraph, letterhead.parent)
        paragraph = new_paragraph(agency, "Letterhead")
    for index, line in enumerate(letterhead.agency_lines):
        if index:
            paragraph = new_paragraph(agency, "Letterhead")
        add_run(paragraph, line, bold=True)
    widest = max(measure(line, Pt(13), bold=True) for line in letterhead.agency_lines)
    add_rule(agency, Emu(int(widest * 0.4)), agency_col)

    add_run(_first_paragraph(state, "Letterhead"), letterhead.national_title, size=Pt(12), bold=True)
    add_paragraph(state, letterhead.national_motto, "Letterhead", bold=True)
    add_rule(state, measure(letterhead.national_motto, Pt(13), bold=True), state_col)

    if not with_number:
        return
    number, date = table.rows[1].cells
    paragraph = _first_paragraph(number, "Letterhead")
    paragraph.paragraph_format.space_before = Pt(6)
    add_run(paragraph, letterhead.number_line)
    paragraph = _first_paragraph(date, "Letterhead")
    paragraph.paragraph_format.space_before = Pt(6)
    add_run(paragraph, letterhead.date_line, size=BODY_SIZE, italic=True)


def add_title(document: Document, doc_type: str, title_lines: list[str], note: str = "") -> None:
    """ô 5a: KẾ HOẠCH / BÁO CÁO / QUYẾT ĐỊNH and the trích yếu, centred, bold,
    a short rule under; `note`, the italic "(Ban hành kèm theo Quyết định …)"
    of a plan issued by a decision, goes between the trích yếu and the rule."""
    paragraph = add_paragraph(document, doc_type, "Centered", bold=True)
    paragraph.paragraph_format.space_before = Pt(18)
    paragraph = add_paragraph(document, style="Centered")
    for index, line in enumerate(title_lines):
        run = add_run(paragraph, line, bold=True)
        if index < len(title_lines) - 1:
            run.add_break()
    if note:
        add_paragraph(document, note, "Centered", italic=True)
    room = text_width(document.sections[-1])
    widest = min(max((measure(line, BODY_SIZE, bold=True) for line in title_lines), default=Emu(0)), room)
    length = Emu(int(room * 0.3)) if note or not title_lines else Emu(int(widest * 0.4))
    add_rule(document, length, room).paragraph_format.space_after = Pt(12)


def add_sign_off(document: Document, signature: Signature, recipients: list[str]) -> None:
    """ô 7-9: "Nơi nhận" on the left, signature on the right, first lines level."""
    table = fixed_table(document, 1, SIGN_OFF_WIDTHS, shift=TABLE_SHIFT, cell_margin=Emu(0))
    keep_row_together(table.rows[0])
    left, right = table.rows[0].cells
    if recipients:
        paragraph = _first_paragraph(left, "Recipients")
        # 12 pt under a 14 pt line: 2 pt more above puts the baselines level.
        paragraph.paragraph_format.space_before = Pt(14)
        add_run(paragraph, "Nơi nhận:", size=Pt(12), bold=True, italic=True)
        for line in recipients:
            add_paragraph(left, line, "Recipients")
    if signature:
        cell_lines(right, signature.title_lines or [""], "Centered", bold=True)
        right.paragraphs[0].paragraph_format.space_before = Pt(12)
        name = add_paragraph(right, signature.name, "Centered", bold=True)
        # Room for the handwritten signature and the seal (ND30 sets no size; 3-4 lines is usual).
        name.paragraph_format.space_before = Mm(28)


def _page_field(paragraph) -> None:
    """A PAGE field (shown as "1" until Word or LibreOffice updates it)."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def add_page_numbers(section, *, restart: bool = False, first_page_mark: str = "") -> None:
    """Page number centred in the top margin from page 2 on (titlePg: the
    first page has its own, empty header). `restart` counts from 1 again,
    as each appendix is numbered on its own."""
    section.different_first_page_header_footer = True
    header = section.header
    header.is_linked_to_previous = False
    paragraph = header.paragraphs[0]
    set_style(paragraph, "Centered")
    _page_field(paragraph)
    first = section.first_page_header
    first.is_linked_to_previous = False
    if first_page_mark:
        paragraph = first.paragraphs[0]
        set_style(paragraph, "Centered")
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        add_run(paragraph, first_page_mark, size=Pt(12), bold=True, color=RGBColor(0x99, 0x99, 0x99))
    if restart:
        numbering = OxmlElement("w:pgNumType")
        numbering.set(qn("w:start"), "1")
        section._sectPr.insert_element_before(numbering, *_AFTER_PGNUMTYPE)
