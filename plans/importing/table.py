"""The appendix table (phụ lục nhiệm vụ) as rows of cell texts -> tasks."""

import re
from datetime import date

from .base import ImportRefused, clean_line

# Column name -> task field; the first matching phrase wins, so the longer,
# more specific phrases come first.
COLUMNS = [
    ("tt", ("stt", "tt", "số tt", "số thứ tự")),
    ("coordinating_text", ("phối hợp",)),
    ("timeframe", ("thời gian", "thời hạn", "tiến độ")),
    ("lead_text", ("chủ trì",)),
    ("channel_text", ("hình thức", "phương thức")),
    ("product", ("sản phẩm", "kết quả")),
    ("budget", ("kinh phí", "dự toán")),
    ("note", ("ghi chú",)),
    ("content", ("nội dung", "nhiệm vụ", "hoạt động")),
    ("lead_text", ("cơ quan thực hiện", "đơn vị thực hiện", "thực hiện")),
]
# Besides its content column an appendix names at least two of these.
_TASK_COLUMNS = {"lead_text", "coordinating_text", "timeframe", "product", "budget"}
_ROMAN = re.compile(r"^[IVXL]+\.?$")
_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")


def column_field(header: str) -> str | None:
    name = clean_line(header).casefold()
    if not name:
        return None
    for field, phrases in COLUMNS:
        for phrase in phrases:
            if name == phrase or (len(phrase) > 3 and phrase in name):
                return field
    return None


def header_fields(rows: list[list[str]]) -> tuple[int, list[str | None]] | None:
    """(index of the header row, field per column), or None when no row names an appendix's columns."""
    for index, row in enumerate(rows[:3]):
        fields = [column_field(cell) for cell in row]
        named = set(fields)
        if "content" in named and len(named & _TASK_COLUMNS) >= 2:
            return index, fields
    return None


def looks_like_appendix(rows: list[list[str]]) -> bool:
    return header_fields(rows) is not None


def parse_money(text: str) -> int | None:
    """Vietnamese amounts: "6.000.000" or "6.000.000 đồng" -> 6000000, "2.500.000,00" -> 2500000,
    "6,5 triệu" -> 6500000; anything else (blank, "trong dự toán") -> None."""
    value = clean_line(text).casefold()
    multiplier = 1
    for word, factor in (("tỷ", 1_000_000_000), ("triệu", 1_000_000), ("nghìn", 1_000), ("ngàn", 1_000)):
        if word in value:
            multiplier = factor
            break
    match = re.search(r"\d[\d.,\s]*", value)
    if not match:
        return None
    number = match.group(0).replace(" ", "").rstrip(".,")
    if "," in number and "." in number:
        number = number.replace(".", "").replace(",", ".")  # 2.500.000,00
    elif number.count(",") > 1:
        number = number.replace(",", "")  # 6,000,000 typed the English way
    elif "," in number:
        whole, _, tail = number.partition(",")
        number = whole + ("" if len(tail) == 3 and multiplier == 1 else "." + tail)
    elif number.count(".") > 1 or (number.count(".") == 1 and len(number.split(".")[1]) == 3 and multiplier == 1):
        number = number.replace(".", "")
    try:
        return round(float(number) * multiplier)
    except ValueError:
        return None


def _deadline(timeframe: str) -> str | None:
    dates = _DATE.findall(timeframe)
    if not dates:
        return None
    day, month, year = (int(part) for part in dates[-1])
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def tasks_from_table(rows: list[list[str]], layout: dict | None = None) -> list[dict]:
    """Tasks from an appendix table; ImportRefused when the table is not one.
    `layout`, when given, receives the rows that are not tasks: "columns" (the
    header row as written), "groups" (rows such as "I. Tuyên truyền trực quan")
    and "other_rows" (title and column-number rows)."""
    layout = {} if layout is None else layout
    layout.update(columns=[], groups=[], other_rows=[])
    rows = [[clean_line(cell) for cell in row] for row in rows]
    rows = [row for row in rows if any(row)]
    found = header_fields(rows)
    if found is None:
        first = " | ".join(cell for cell in rows[0] if cell) if rows else ""
        raise ImportRefused(
            "Bảng trong tệp không giống bảng phụ lục nhiệm vụ (cần các cột Nội dung, Chủ trì, Phối hợp, "
            f"Thời gian, Sản phẩm, Kinh phí). Dòng đầu của bảng: “{first[:120]}”."
        )
    header_index, fields = found
    layout["other_rows"] = [" ".join(cell for cell in row if cell) for row in rows[:header_index]]
    layout["columns"] = [cell for cell in rows[header_index] if cell]
    tasks: list[dict] = []
    group = ""
    for row in rows[header_index + 1:]:
        values: dict[str, str] = {}
        for field, cell in zip(fields, row, strict=False):
            if field and cell and field not in values:
                values[field] = cell
        distinct = {cell for cell in row if cell}
        if all(re.fullmatch(r"\(?\d+\)?", cell) for cell in distinct):
            layout["other_rows"].append(" ".join(cell for cell in row if cell))
            continue  # the "(1) (2) (3)" column-number row under the header
        if len(distinct) == 1 or _ROMAN.match(values.get("tt", "")):
            group = " ".join(sorted(distinct, key=row.index))  # a group row such as "I. Tuyên truyền trực quan"
            layout["groups"].append(group)
            continue
        if not values.get("content"):
            layout["other_rows"].append(" ".join(cell for cell in row if cell))
            continue
        timeframe = values.get("timeframe", "")
        task = {
            "content": values["content"],
            "area": None,
            "channel": None,
            "channel_text": values.get("channel_text", ""),
            "lead": None,
            "lead_text": values.get("lead_text", ""),
            "coordinating": [],
            "coordinating_text": values.get("coordinating_text", ""),
            "timeframe": timeframe,
            "deadline": _deadline(timeframe),
            "product": values.get("product", ""),
            "budget": parse_money(values.get("budget", "")),
            "budget_text": values.get("budget", ""),
            "target_quantity": None,
            "note": values.get("note", ""),
            "tt": values.get("tt", ""),
            "group": group,
        }
        tasks.append(task)
    return tasks
