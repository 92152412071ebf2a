"""Widths of text in Times New Roman, read from Liberation Serif (the same
metrics). ND30 sizes some rules by the text above them, and a long trích yếu
reads better broken into two even lines than with one word left over."""

from __future__ import annotations

import glob
from functools import lru_cache

MM_PER_PT = 25.4 / 72


# "Ự": Liberation 1.x (fonts-liberation) has no Vietnamese letters with two
# marks, Liberation 2 (fonts-liberation2, what fontconfig picks) has them all.
VIETNAMESE_PROBE = 0x1EF0


@lru_cache(maxsize=4)
def font_path(style: str) -> str | None:
    """The Liberation Serif file of `style` ("Regular", "Bold"): one that has
    the Vietnamese letters when several versions are installed."""
    from fontTools.ttLib import TTFont

    paths = sorted(glob.glob(f"/usr/share/fonts/**/LiberationSerif-{style}.ttf", recursive=True))
    for path in paths:
        if VIETNAMESE_PROBE in TTFont(path, lazy=True).getBestCmap():
            return path
    return paths[0] if paths else None


@lru_cache(maxsize=2)
def _advances(style: str) -> tuple[dict[int, int], int] | None:
    from fontTools.ttLib import TTFont

    path = font_path(style)
    if path is None:
        return None
    font = TTFont(path, lazy=True)
    hmtx = font["hmtx"]
    widths = {code: hmtx[glyph][0] for code, glyph in font.getBestCmap().items()}
    return widths, font["head"].unitsPerEm


def text_width_mm(text: str, size_pt: float, *, bold: bool = False) -> float:
    metrics = _advances("Bold" if bold else "Regular")
    if metrics is None:  # no font file: about half an em a letter
        return len(text) * size_pt * 0.55 * MM_PER_PT
    widths, units = metrics
    default = units // 2
    return sum(widths.get(ord(ch), default) for ch in text) * size_pt / units * MM_PER_PT


# Words that open a phrase in a Vietnamese trích yếu: a line break before them
# reads naturally ("… trên địa bàn / tỉnh Thừa Thiên Huế năm 2020"), one
# inside a compound word ("địa / bàn", "nhà / nước") does not.
BREAK_BEFORE = {
    "tỉnh",
    "huyện",
    "xã",
    "thành",
    "thị",
    "năm",
    "giai",
    "của",
    "trên",
    "tại",
    "về",
    "và",
    "theo",
}


def balanced_lines(text: str, size_pt: float, max_mm: float, *, bold: bool = False) -> list[str]:
    """One line if it fits. Else two lines, the first not shorter, as titles
    are set by hand: the most even break before a phrase-opening word or
    after a comma, if that keeps the lines within 2:1, else the most even
    break. Else the text as is, to wrap."""
    if text_width_mm(text, size_pt, bold=bold) <= max_mm:
        return [text]
    words = text.split()
    cuts: list[tuple[float, bool, list[str]]] = []  # (first line width, natural break, lines)
    for cut in range(1, len(words)):
        first, second = " ".join(words[:cut]), " ".join(words[cut:])
        widths = text_width_mm(first, size_pt, bold=bold), text_width_mm(second, size_pt, bold=bold)
        if widths[0] > max_mm or widths[0] < widths[1]:
            continue
        natural = words[cut].lower() in BREAK_BEFORE or words[cut - 1].endswith(",")
        cuts.append((widths[0], natural and widths[1] * 2 >= widths[0], [first, second]))
    if not cuts:
        return [text]
    natural_cuts = [cut for cut in cuts if cut[1]]
    return min(natural_cuts or cuts)[2]
