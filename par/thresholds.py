"""Thresholds to points, written the way a grader reads them:
"100: 1; 80: 0,5" means a measure of at least 100 scores 1 point, at
least 80 scores 0,5, anything lower 0. Decimal commas (Vietnamese) and
points are accepted; pairs go from the highest threshold down."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

THOUSANDS = re.compile(r"\d{1,3}(\.\d{3})+")


def _number(text: str) -> Decimal:
    text = text.strip().replace(" ", "").rstrip("%")
    if "," in text:
        text = text.replace(".", "").replace(",", ".")  # 1.000,5 -> 1000.5
    elif THOUSANDS.fullmatch(text):
        text = text.replace(".", "")  # 1.000 is a thousand, the Vietnamese way; 0.5 stays a half
    value = Decimal(text)
    if not value.is_finite():
        raise InvalidOperation
    return value


def thresholds_parse(text: str) -> list[tuple[Decimal, Decimal]]:
    """[(at_least, points), ...] from the highest threshold down; ValueError on bad text."""
    pairs = []
    for part in (text or "").replace("\n", ";").split(";"):
        if not part.strip():
            continue
        if ":" not in part:
            raise ValueError(f"«{part.strip()}» thiếu dấu hai chấm giữa ngưỡng và điểm.")
        left, _, right = part.partition(":")
        try:
            pairs.append((_number(left), _number(right)))
        except (InvalidOperation, ValueError):
            raise ValueError(f"«{part.strip()}» không phải «ngưỡng: điểm» bằng số.") from None
    return pairs


def thresholds_errors(text: str, *, max_score: Decimal | None) -> str:
    """A Vietnamese message for what is wrong with `text`, or ""."""
    try:
        pairs = thresholds_parse(text)
    except ValueError as problem:
        return str(problem)
    for (high, high_points), (low, low_points) in zip(pairs, pairs[1:], strict=False):
        if low >= high:
            return "Ngưỡng phải xếp từ cao xuống thấp, không trùng nhau."
        if low_points > high_points:
            return "Ngưỡng thấp hơn không được nhiều điểm hơn ngưỡng cao hơn."
    for at_least, points in pairs:
        if at_least < 0 or points < 0:
            return "Ngưỡng và điểm không được âm."
        if max_score is not None and points > max_score:
            return f"Điểm {format_points(points)} vượt điểm tối đa {format_points(max_score)} của tiêu chí."
    return ""


def points_for(measured: Decimal | None, pairs: list[tuple[Decimal, Decimal]], *, max_score: Decimal) -> Decimal:
    """The points of the first threshold the measure reaches, never above the maximum."""
    if measured is None:
        return Decimal(0)
    for at_least, points in pairs:
        if measured >= at_least:
            return min(points, max_score)
    return Decimal(0)


def format_points(value: Decimal | None) -> str:
    """1 -> "1", 0.50 -> "0,5", 12.25 -> "12,25" (Vietnamese decimal comma)."""
    if value is None:
        return ""
    text = f"{value.quantize(Decimal('0.01')):f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def thresholds_describe(pairs: list[tuple[Decimal, Decimal]]) -> str:
    """«≥ 100 → 1 điểm; ≥ 80 → 0,5 điểm; thấp hơn → 0»."""
    if not pairs:
        return ""
    return "; ".join(f"≥ {format_points(a)} → {format_points(p)} điểm" for a, p in pairs) + "; thấp hơn → 0"
