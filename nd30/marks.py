"""The faint diagonal "DỰ THẢO" of a draft's PDF pages, drawn as glyph
outlines in an inline SVG: it shows on the page like text but is only paths,
so a reader who copies the text (or pypdf's extract_text) does not get the
mark's letters mixed into the document. Inline, it needs no fetch either."""

from __future__ import annotations

import logging
import math
from functools import lru_cache

from .metrics import font_path

logger = logging.getLogger(__name__)

DRAFT_TEXT = "DỰ THẢO"
# As the text mark was: 90 pt bold, 30° up from the baseline, 7 % black
# (a solid light grey, so no transparency group is needed in the PDF).
SIZE_PT = 90
ANGLE_DEG = 30
FILL = "#ededed"


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


@lru_cache(maxsize=4)
def outlined_text_svg(text: str = DRAFT_TEXT, *, size_pt: float = SIZE_PT, angle_deg: float = ANGLE_DEG,
                      fill: str = FILL) -> str:
    """An <svg> of `text` in Liberation Serif Bold, as outlines, rotated
    `angle_deg` counter-clockwise, sized in pt. "" when the font is missing
    (the PDF then has no mark; the DOCX keeps its own)."""
    path = font_path("Bold")
    if path is None:
        logger.warning("Liberation Serif Bold not found: draft PDFs print without their mark")
        return ""
    from fontTools.misc.transform import Transform
    from fontTools.pens.svgPathPen import SVGPathPen
    from fontTools.pens.transformPen import TransformPen
    from fontTools.ttLib import TTFont

    font = TTFont(path, lazy=True)
    glyphs = font.getGlyphSet()
    cmap = font.getBestCmap()
    units = font["head"].unitsPerEm
    ascent, descent = font["hhea"].ascent, font["hhea"].descent  # descent < 0
    names = [cmap.get(ord(ch), ".notdef") for ch in text]
    width = sum(glyphs[name].width for name in names)
    height = ascent - descent

    scale = size_pt / units
    angle = math.radians(angle_deg)
    cos, sin = math.cos(angle), math.sin(angle)
    box_w = (width * cos + height * sin) * scale
    box_h = (width * sin + height * cos) * scale
    pen = SVGPathPen(glyphs, ntos=_fmt)
    x = 0
    for name in names:
        # Font units (y up) -> the run centred on the origin, y down, turned
        # up by `angle` (a negative SVG angle), then moved into the box.
        glyph_transform = (Transform().translate(box_w / 2, box_h / 2).rotate(-angle).scale(scale, -scale)
                           .translate(x - width / 2, -(ascent + descent) / 2))
        glyphs[name].draw(TransformPen(pen, glyph_transform))
        x += glyphs[name].width
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{_fmt(box_w)}pt" height="{_fmt(box_h)}pt" '
            f'viewBox="0 0 {_fmt(box_w)} {_fmt(box_h)}" aria-hidden="true">'
            f'<path fill="{fill}" d="{pen.getCommands()}"/></svg>')
