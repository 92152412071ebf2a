"""Recognise a plan (KH) from its lines of text, into the structured form version 2
(docs/plan-structure.md).

The lines may come from Word, from a PDF or from a web page. The recogniser walks
them once, in the order of an ND30 document: header, tên loại and title, căn cứ,
numbered body, closing, Nơi nhận, signer, appendix. Whatever it cannot place goes
to "unplaced", so that `completeness_problems` can prove nothing was lost.
"""

import re
import unicodedata
from collections import Counter
from datetime import date

from .base import ImportRefused, clean_line
from .table import looks_like_appendix, tasks_from_table

# ---------------------------------------------------------------- patterns

# Vietnamese capitals for character classes ("À-Ỹ" would take the small letters too).
UPPER_VI = "A-Z" + "".join(chr(c) for c in range(0xC0, 0x1EFA) if chr(c).isupper())
QUOC_HIEU = re.compile(r"CỘNG\s*H[OÒ]\s*[AÀ]\s+XÃ\s+HỘI\s+CHỦ\s+NGHĨA\s+VIỆT\s+NAM", re.I)
TIEU_NGU = re.compile(r"Độc\s+lập\s*[-–—]\s*Tự\s+do\s*[-–—]\s*Hạnh\s+phúc", re.I)
RULE = re.compile(r"^[-–—_=.*~\s]{3,}$")
SO = re.compile(
    r"(?<!\w)Số\s*[:.]?\s*(?P<number>\d*)\s*/\s*(?P<symbol>[0-9A-ZĐa-zđ]+(?:[-–][0-9A-ZĐa-zđ&]+)+)"
)
DATE_LINE = re.compile(
    r"(?P<place>[^,;:|()]{2,40}?)\s*,\s*(?P<date>ngày\s*(?P<day>\d{0,2})\s*(?:[.…_]*\s*)?tháng\s*"
    r"(?P<month>\d{0,2})\s*(?:[.…_]*\s*)?năm\s*(?P<year>\d{4}))",
    re.I,
)
KE_HOACH = re.compile(r"^KẾ\s+HOẠCH$")
# As the forms take them (plans.forms.DocumentNumberField): up to 7 digits.
DOCUMENT_NUMBER_DIGITS = 7


def _document_number_text(text: str | None) -> str:
    """A number as written, if it can be one: ASCII digits, at most 7 of them
    ("Số: 2147483648/…" is a typo the review page leaves for the user to fill)."""
    text = text or ""
    return text if text.isascii() and text.isdigit() and len(text) <= DOCUMENT_NUMBER_DIGITS else ""
DECISION = re.compile(
    r"^\(?\s*(?:Ban\s+hành\s+)?kèm\s+theo\s+Quyết\s+định\s*(?:số)?\s*(?P<number>\d*)\s*/\s*(?P<symbol>[^\s,)]+)"
    r"(?:\s*ngày\s*(?P<day>\d{1,2})\s*(?:/|\s*tháng\s*)(?P<month>\d{1,2})\s*(?:/|\s*năm\s*)(?P<year>\d{4}))?",
    re.I,
)
BASIS_VERB = re.compile(
    r"^(?P<verb>Căn cứ vào|Căn cứ|Thực hiện|Xét đề nghị của|Theo đề nghị của|Triển khai thực hiện|Triển khai)\b\s*",
)
ROMAN = re.compile(r"^(?P<m>[IVXL]{1,5})\s*[.)/]\s*(?P<t>\S.*)$")
NUMBER = re.compile(r"^(?P<m>\d{1,2}(?:\.\d{1,2})+\.?|\d{1,2}[.)])(?!\d)\s*(?P<t>\S.*)$")
LETTER = re.compile(r"^(?P<m>[a-zđ]\))\s*(?P<t>\S.*)$")
DASH = re.compile(r"^(?P<m>[-–—•·●▪◦*])\s*(?P<t>\S.*)$")
PLUS = re.compile(r"^(?P<m>\+)\s*(?P<t>\S.*)$")
NOI_NHAN = re.compile(r"^Nơi\s+nhận\s*:?\s*(?P<rest>.*)$", re.I)
AUTHORITY = re.compile(r"^(TM|KT|Q|TL|TUQ)\s*\.\s*\S")
PHU_LUC = re.compile(r"^(PHỤ LỤC|Phụ lục|Phụ Lục)\b")
CLOSING = re.compile(r"^(Trên đây|Trong quá trình|Yêu cầu (các|Thủ trưởng|Chủ tịch)|Trên cơ sở Kế hoạch)")
METADATA_LABELS = (
    "Số hiệu", "Ngày ban hành", "Ngày có hiệu lực", "Loại văn bản", "Cơ quan ban hành", "Người ký",
    "Lĩnh vực", "Tình trạng", "Ngày hết hiệu lực", "Nơi ban hành", "Ngày công báo", "Số công báo",
    "Tình trạng hiệu lực", "Cấp ban hành",
)
METADATA = re.compile(r"^(?P<label>" + "|".join(METADATA_LABELS) + r")\s*[:|]?\s*(?P<value>.*?)\s*\|?$")
AGENCY_START = re.compile(
    r"^(ỦY|UỶ|UBND|HĐND|SỞ|BỘ|BAN|PHÒNG|VĂN PHÒNG|TRUNG TÂM|CỤC|CHI CỤC|TỔNG CỤC|HUYỆN|TỈNH|XÃ|PHƯỜNG|"
    r"THỊ|THÀNH|QUẬN|ĐẢNG|HỘI|CÔNG AN|ĐÀI|BÁO|TRƯỜNG|BỆNH VIỆN|VIỆN|TỔNG|LIÊN|MẶT TRẬN)"
)

ROLE_ORDER = ["purpose", "requirement", "content", "channel", "funding", "duty"]
ROLE_WORDS = [
    ("duty", ("tổ chức thực hiện", "trách nhiệm thực hiện", "phân công", "trách nhiệm của", "giao nhiệm vụ")),
    ("purpose", ("mục đích", "mục tiêu")),
    ("requirement", ("yêu cầu",)),
    ("funding", ("kinh phí", "nguồn lực", "dự toán")),
    ("channel", ("hình thức", "phương thức", "phương pháp")),
    ("content", ("nội dung", "nhiệm vụ", "giải pháp")),
]


def is_upper(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return bool(letters) and all(ch.isupper() for ch in letters)


def starts_lower(text: str) -> bool:
    return bool(text) and text[0].isalpha() and text[0].islower()


def ends_sentence(text: str) -> bool:
    return text.rstrip().endswith((".", ";", ":", "!", "?", "./."))


def guess_role(text: str) -> str:
    name = text.casefold()
    for role, words in ROLE_WORDS:
        if any(word in name for word in words):
            return role
    return "other"


def _date_or_none(day, month, year) -> str | None:
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except (TypeError, ValueError):
        return None


# ---------------------------------------------------------------- pre-processing


def split_pieces(line: str) -> list[str]:
    """One source line -> the pieces it holds. Web and PDF copies put a header
    table's cells on one line, between "|" or side by side: split out the
    Quốc hiệu, the tiêu ngữ, the Số line and the date line."""
    cells = [cell.strip() for cell in line.split("|")] if "|" in line else [line]
    pieces: list[str] = []
    for cell in cells:
        if not cell or RULE.match(cell):
            if cell:
                pieces.append(cell)
            continue
        spans = []
        for pattern in (QUOC_HIEU, TIEU_NGU):
            spans += [match.span() for match in pattern.finditer(cell)]
        so = SO.search(cell)
        if so and (so.start() == 0 or cell[: so.start()].strip(" -–|") == "" or is_upper(cell[: so.start()])):
            end = so.end()
            spans.append((so.start(), end))
            date_match = DATE_LINE.search(cell, end)
            if date_match:
                spans.append((date_match.start(), date_match.end()))
        elif not so:
            date_match = DATE_LINE.search(cell)
            if date_match and (date_match.start() == 0 or is_upper(cell[: date_match.start()])) \
                    and len(cell) - date_match.end() < 3:
                spans.append((date_match.start(), date_match.end()))
        if not spans:
            pieces.append(cell)
            continue
        spans.sort()
        position = 0
        for start, end in spans:
            if start < position:
                continue
            before = cell[position:start].strip(" -–")
            if before:
                pieces.append(before)
            pieces.append(cell[start:end].strip())
            position = end
        after = cell[position:].strip(" -–")
        if after:
            pieces.append(after)
    return pieces


def _recipient_split(piece: str) -> list[str]:
    """PDF rows of the footer table: "- UBND tỉnh; TM. ỦY BAN NHÂN DÂN" -> two pieces."""
    match = re.match(r"^(?P<left>[-–•+].*?[;.,])\s+(?P<right>[" + UPPER_VI + r"][" + UPPER_VI + r"\s.]{3,})$", piece)
    if match and is_upper(match.group("right")) and len(match.group("right").split()) >= 2:
        return [match.group("left"), match.group("right")]
    return [piece]


# ---------------------------------------------------------------- the recogniser


class _Reader:
    def __init__(self, lines: list[str]):
        self.pieces: list[str] = []
        self.out: dict = {}
        self.dropped: list[str] = []
        self.derived: list[str] = []
        self.split_unplaced: dict[int, list[str]] = {}
        self.table_rows: set[int] = set()  # pieces that are appendix rows, cells between "|"
        metadata_rows: list[int] = []
        lines = [clean_line(line) for line in lines]
        table_start = next((n for n, line in enumerate(lines) if line.count("|") >= 2 and looks_like_appendix(
            [[cell for cell in line.strip("|").split("|")]])), len(lines))
        for number, line in enumerate(lines):
            if not line:
                continue
            metadata = METADATA.match(line) if number < 60 else None
            if number >= table_start and "|" in line:
                self.table_rows.add(len(self.pieces))
                self.pieces.append(line)
            elif metadata and metadata.group("value"):
                metadata_rows.append(len(self.pieces))
                self.pieces.append(line)
            else:
                for piece in split_pieces(line):
                    self.pieces.extend(_recipient_split(piece))
        self.used = [False] * len(self.pieces)
        rows = []
        for j in metadata_rows:
            match = METADATA.match(self.pieces[j])
            rows.append([match.group("label"), match.group("value")])
            self.used[j] = True
        if rows:
            self.out["source_metadata"] = rows

    # -- helpers
    def take(self, index: int) -> str:
        self.used[index] = True
        return self.pieces[index]

    def drop(self, index: int) -> None:
        self.dropped.append(self.take(index))

    # -- header
    def header(self) -> int:
        """Recognise the header; return the index after it (0 when there is none)."""
        pieces = self.pieces
        anchors = [i for i, p in enumerate(pieces[:80]) if SO.match(p) or QUOC_HIEU.fullmatch(p)]
        if not anchors:
            return 0
        first = anchors[0]
        # Web copies cut header cells into words: "ỦY" / "BAN NHÂN DÂN", "CỘNG" / "HÒA XÃ HỘI …".
        start = first
        while start > 0 and first - start < 12 and not self.used[start - 1] and self._headerish(pieces[start - 1]):
            start -= 1
        issuer: list[str] = []
        i = start
        seen_so = seen_date = False
        fragment = ""
        while i < len(pieces) and i - start < 14:
            piece = pieces[i]
            if fragment:
                joined = fragment + " " + piece
                self.used[i] = True
                fragment = ""
                piece = joined
                if QUOC_HIEU.fullmatch(piece) or TIEU_NGU.fullmatch(piece):
                    self.dropped.append(piece)
                else:
                    issuer.append(piece)
                i += 1
                continue
            if QUOC_HIEU.fullmatch(piece) or TIEU_NGU.fullmatch(piece) or RULE.match(piece):
                self.drop(i)
            elif SO.match(piece) and not seen_so:
                self._number(self.take(i))
                seen_so = True
            elif DATE_LINE.fullmatch(piece) and not seen_date:
                self._date(self.take(i))
                seen_date = True
            elif is_upper(piece) and not KE_HOACH.match(piece) and not (seen_so and seen_date) \
                    and not ROMAN.match(piece) and len(piece.split()) <= 14:
                if len(piece.split()) == 1 and i + 1 < len(pieces) and is_upper(pieces[i + 1]):
                    self.used[i] = True
                    fragment = piece
                else:
                    issuer.append(self.take(i))
            else:
                break
            i += 1
        if issuer:
            self.out["issuer_lines"] = issuer
        return i

    def _headerish(self, piece: str) -> bool:
        return bool(
            QUOC_HIEU.fullmatch(piece) or TIEU_NGU.fullmatch(piece) or RULE.match(piece)
            or (is_upper(piece) and len(piece.split()) <= 14 and not KE_HOACH.match(piece))
        )

    def _number(self, piece: str) -> None:
        match = SO.match(piece)
        number_text = _document_number_text(match.group("number"))
        self.out["number"] = int(number_text) if number_text else None
        self.out["number_text"] = number_text
        self.out["symbol"] = match.group("symbol").replace("–", "-")

    def _date(self, piece: str) -> None:
        match = DATE_LINE.fullmatch(piece)
        self.out["place"] = match.group("place").strip()
        self.out["date_text"] = match.group("date")
        day, month, year = match.group("day"), match.group("month"), int(match.group("year"))
        issued = _date_or_none(day, month, year) if day and month else None
        if issued:
            self.out["issue_date"] = issued
        else:
            self.out["issue_date"] = None
            if month:
                self.out["draft_month"] = int(month)
            self.out["draft_year"] = year

    # -- title
    def title(self, start: int) -> int:
        pieces = self.pieces
        i = start
        limit = min(len(pieces), start + 40 if start == 0 else start + 4)
        kh = next((j for j in range(i, limit) if KE_HOACH.match(pieces[j])), None)
        if kh is not None:
            self.drop(kh)
            i = kh + 1
        elif start == 0:
            return 0
        lines: list[int] = []
        while i < len(pieces) and len(lines) < 5:
            piece = pieces[i]
            if self._body_start(piece) or DECISION.match(piece) or SO.match(piece) or DATE_LINE.fullmatch(piece):
                break
            if lines and (len(piece) > 160 or (ends_sentence(piece) and not piece.endswith(")"))):
                break
            if not lines and len(piece) > 250:
                break
            if kh is None and not is_upper(piece):
                break
            lines.append(i)
            i += 1
        if lines:
            text = " ".join(self.take(j) for j in lines).strip(" .")
            self.out["title"] = self._recase(text, set(lines)) if is_upper(text) else text
            self.out["title_lines"] = len(lines)
            self._years(self.out["title"])
        return i

    def _recase(self, text: str, own: set[int]) -> str:
        """A title printed in capitals: take its case from another place the text
        says the same words (a web page's own title line), else lower case with
        the known proper names (place, issuer) put back."""
        words = text.split()
        pattern = re.compile(r"\s+".join(re.escape(word) for word in words), re.I)
        for index, piece in enumerate(self.pieces):
            if index in own:
                continue
            match = pattern.search(piece)
            if match and not is_upper(match.group(0)):
                found = match.group(0)
                return found[0].upper() + found[1:]
        lowered = text.lower()
        names = [self.out.get("place", "")]
        for line in self.out.get("issuer_lines", []):
            name = re.sub(r"^(ỦY BAN NHÂN DÂN|UBND|SỞ|HUYỆN|TỈNH|XÃ|PHƯỜNG|THÀNH PHỐ|THỊ XÃ|QUẬN)\s+", "", line)
            if name != line:
                names.append(name.title())
        for name in filter(None, names):
            lowered = re.sub(re.escape(name.lower()), name, lowered)
        out_words = []
        for original, word in zip(text.split(), lowered.split(), strict=False):
            bare = re.sub(r"\W", "", original)
            # a word without vowels is an abbreviation (CCHC, UBND, HĐND): keep it in capitals
            vowel = any(unicodedata.normalize("NFD", ch)[0].upper() in "AEIOUY" for ch in bare)
            out_words.append(original if bare and not vowel else word)
        result = " ".join(out_words)
        return result[0].upper() + result[1:]

    def _years(self, title: str) -> None:
        period = re.search(r"(?:giai đoạn|từ năm)?\s*(\d{4})\s*[-–—]\s*(\d{4})|(\d{4})\s*đến\s*(?:năm\s*)?(\d{4})", title)
        if period:
            first, last = (int(g) for g in period.groups() if g)
            self.out.update(kind="period", year_start=first, year_end=last)
            return
        year = re.search(r"năm\s*(\d{4})", title)
        if year:
            self.out.update(kind="yearly", year_start=int(year.group(1)), year_end=int(year.group(1)))

    def _body_start(self, piece: str) -> bool:
        return bool(BASIS_VERB.match(piece) or ROMAN.match(piece) or NUMBER.match(piece) or LETTER.match(piece))

    # -- decision form
    def decision(self, i: int) -> int:
        for j in range(i, min(i + 3, len(self.pieces))):
            match = DECISION.match(self.pieces[j])
            if match:
                self.out["form"] = "decision"
                number_text = _document_number_text(match.group("number"))
                self.out["decision"] = {
                    "number": int(number_text) if number_text else None,
                    "number_text": number_text,
                    "symbol": match.group("symbol"),
                    "date": _date_or_none(match.group("day"), match.group("month"), match.group("year")),
                }
                self.out["decision_line"] = self.take(j)
                return j + 1
        self.out["form"] = "standalone"
        return i

    # -- căn cứ
    def basis(self, i: int) -> int:
        pieces = self.pieces
        if i >= len(pieces) or not BASIS_VERB.match(pieces[i]):
            return i
        first = pieces[i]
        items, lead_in = _split_basis_paragraph(first)
        if lead_in or (len(items) > 1 and not (i + 1 < len(pieces) and BASIS_VERB.match(pieces[i + 1]))):
            self.take(i)
            self.out.update(basis=items, basis_style="paragraph", basis_lead_in=lead_in)
            return i + 1
        basis = []
        while i < len(pieces) and (BASIS_VERB.match(pieces[i]) or (basis and pieces[i - 1].endswith(";")
                                                                  and not self._body_start(pieces[i]))):
            text = self.take(i)
            match = BASIS_VERB.match(text)
            verb = match.group("verb") if match else basis[-1]["verb"]
            item = {"verb": verb, "text": text[match.end():].rstrip(";.,: ") if match else text.rstrip(";.,: ")}
            if not match:
                item["verb_implied"] = True
            basis.append(item)
            i += 1
        self.out.update(basis=basis, basis_style="lines", basis_lead_in="")
        if i < len(pieces) and not self._body_start(pieces[i]) and (
            pieces[i].endswith(":") or re.search(r"(ban hành|xây dựng)\s+(Kế hoạch|kế hoạch)", pieces[i])
        ):
            self.out["basis_lead_in"] = self.take(i)
            i += 1
        return i

    # -- body
    def body(self, i: int, end: int) -> None:
        walker = _BodyWalker(self)
        closing_at = self._closing_start(i, end)
        for j in range(i, end):
            if self.used[j]:
                continue
            if closing_at is not None and j >= closing_at:
                break
            walker.feed(j)
        walker.finish()
        if closing_at is not None:
            self.out["closing_text"] = "\n".join(self.take(j) for j in range(closing_at, end) if not self.used[j])
        self.out["headings"] = walker.headings
        self.out["responsibilities"] = walker.responsibilities

    def _closing_start(self, i: int, end: int) -> int | None:
        run = []
        for j in range(end - 1, i - 1, -1):
            piece = self.pieces[j]
            if self.used[j]:
                continue
            if _marker(piece) is not None:
                break
            run.append(j)
        run.reverse()
        for j in run:
            if CLOSING.match(self.pieces[j]):
                return j
        if run and self.pieces[run[-1]].endswith("./.") and not starts_lower(self.pieces[run[-1]]):
            return run[-1]
        return None

    def body_end(self, i: int) -> int:
        """Index of the first piece after the body: Nơi nhận, the signer or the appendix."""
        pieces = self.pieces
        for j in range(i, len(pieces)):
            piece = pieces[j]
            if NOI_NHAN.match(piece) or (AUTHORITY.match(piece) and is_upper(piece)):
                return j
            if PHU_LUC.match(piece) and len(piece) < 40:
                return j
            if _is_position(piece) and j + 1 < len(pieces) and _is_name(pieces[j + 1]):
                return j
        return len(pieces)

    # -- Nơi nhận, signer, appendix
    def tail(self, i: int) -> None:
        pieces = self.pieces
        recipients: list[str] = []
        signer = {"authority": [], "position": "", "name": ""}
        in_recipients = False
        appendix_at = None
        for j in range(i, len(pieces)):
            piece = pieces[j]
            noi_nhan = NOI_NHAN.match(piece)
            if noi_nhan and not in_recipients and not recipients:
                in_recipients = True
                rest = noi_nhan.group("rest")
                if rest:
                    # "Nơi nhận: - UBND tỉnh;" on one line
                    self.used[j] = True
                    self.dropped.append(piece[: noi_nhan.start("rest")].strip())
                    recipients.append(_recipient(rest))
                else:
                    self.drop(j)
                continue
            if in_recipients and DASH.match(piece):
                recipients.append(_recipient(self.take(j)))
                continue
            in_recipients = False
            if PHU_LUC.match(piece) and len(piece) < 40:
                appendix_at = j
                break
            if AUTHORITY.match(piece) and is_upper(piece) and not signer["position"]:
                signer["authority"].append(self.take(j))
            elif _is_position(piece) and not signer["position"]:
                signer["position"] = self.take(j)
            elif _is_name(piece) and not signer["name"] and (signer["position"] or signer["authority"]):
                signer["name"] = self.take(j)
        if recipients:
            self.out["recipients"] = recipients
        if any(signer.values()):
            self.out["signer"] = signer
        if appendix_at is not None:
            self.appendix(appendix_at)

    def appendix(self, i: int) -> None:
        """An appendix given as lines: a "Phụ lục" heading, its title lines, then
        rows with cells between "|" (as a web page or a pasted table gives them)."""
        rows_at = sorted(j for j in self.table_rows if j > i)
        if not rows_at:
            return
        heading = [j for j in range(i, min(i + 4, rows_at[0]))]
        rows = [[cell.strip() for cell in self.pieces[j].strip().strip("|").split("|")] for j in rows_at]
        layout: dict = {}
        try:
            tasks = tasks_from_table(rows, layout)
        except ImportRefused:
            return
        self.out["tasks"] = tasks
        self.out["appendix"] = {"heading": [self.take(j) for j in heading if not self.used[j]]} | layout
        for j in rows_at:
            self.used[j] = True

    # -- page metadata (web copies of legal-document sites) fills what the body lacks
    def metadata_fallbacks(self) -> None:
        values = dict(self.out.get("source_metadata", []))
        if "Người ký" in values and not self.out.get("signer"):
            self.out["signer"] = {"authority": [], "position": "", "name": values["Người ký"]}
            self.derived.append("signer")


def _recipient(text: str) -> str:
    return re.sub(r"^[-–•+]\s*", "", text).rstrip(";., ").strip()


def _is_position(piece: str) -> bool:
    return (
        is_upper(piece) and 1 <= len(piece.split()) <= 6
        and bool(re.search(r"CHỦ TỊCH|GIÁM ĐỐC|TRƯỞNG|CHÁNH|BÍ THƯ|THỦ TRƯỞNG|PHÓ", piece))
        and not AUTHORITY.match(piece)
    )


def _is_name(piece: str) -> bool:
    words = piece.split()
    return 2 <= len(words) <= 5 and all(word[0].isupper() and not word.isupper() for word in words if word[0].isalpha()) \
        and not ends_sentence(piece) and not re.search(r"\d", piece)


def _split_top_level(text: str, separator: str) -> list[str]:
    """Split on a separator outside brackets and quotes."""
    parts, depth, current = [], 0, []
    quote = False
    for ch in text:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        elif ch in "“”\"":
            quote = not quote if ch == '"' else ch == "“"
        if ch == separator and depth == 0 and not quote:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


def _split_basis_paragraph(text: str) -> tuple[list[dict], str]:
    """"Căn cứ A; B; C. UBND … ban hành Kế hoạch … như sau:" -> items A, B, C and the lead-in."""
    segments = [segment.strip() for segment in _split_top_level(text, ";") if segment.strip()]
    lead_in = ""
    last = segments[-1]
    if last.endswith(":") or re.search(r"(ban hành|xây dựng)\s+[Kk]ế hoạch", last):
        sentences = list(re.finditer(r"\.\s+(?=[" + UPPER_VI + r"])", last))
        boundary = next((m for m in reversed(sentences) if not BASIS_VERB.match(last[m.end():])), None)
        if boundary and not re.search(r"(ban hành|xây dựng)\s+[Kk]ế hoạch", last[: boundary.start()]):
            lead_in = last[boundary.end():]
            segments[-1] = last[: boundary.start()]
        elif len(segments) > 1 and not BASIS_VERB.match(last):
            lead_in = last
            segments.pop()
        else:
            # one sentence: "Thực hiện A, căn cứ …, Ủy ban nhân dân tỉnh xây dựng kế hoạch …, cụ thể như sau:"
            subject = re.search(r",\s+(?=(Ủy ban nhân dân|UBND|Sở|Phòng|Ban|Văn phòng)[^,]*?\b(ban hành|xây dựng)"
                                r"\s+[Kk]ế hoạch)", last)
            if subject:
                lead_in = last[subject.end():]
                segments[-1] = last[: subject.start()]
    items = []
    verb = ""
    for segment in segments:
        match = BASIS_VERB.match(segment)
        item = {"verb": match.group("verb") if match else verb,
                "text": (segment[match.end():] if match else segment).rstrip(";.,: ")}
        if not match:
            item["verb_implied"] = True
        verb = item["verb"]
        items.append(item)
    return items, lead_in


def _marker(piece: str):
    """(kind, marker_text, text) of a body piece, or None for a plain paragraph."""
    for kind, pattern in (("roman", ROMAN), ("number", NUMBER), ("letter", LETTER), ("plus", PLUS), ("dash", DASH)):
        match = pattern.match(piece)
        if match:
            if kind == "roman" and not (is_upper(match.group("t")[:30]) or len(match.group("t")) < 80):
                continue
            return kind, match.group("m"), match.group("t")
    return None


def _rank(kind: str, marker_text: str) -> int:
    if kind == "number":
        return marker_text.rstrip(".)").count(".")
    return {"letter": 10, "dash": 20, "plus": 30}[kind]


def _is_title_line(text: str) -> bool:
    """"1. Mục đích" (a khoản with a title) rather than "1. Text of a clause."."""
    if text.endswith(":"):
        return len(text) <= 100 and len(text.split()) <= 18
    return len(text) <= 90 and not ends_sentence(text) and len(text.split()) <= 14


class _BodyWalker:
    """Headings, clauses and responsibilities, in one pass over the body pieces."""

    def __init__(self, reader: _Reader):
        self.reader = reader
        self.headings: list[dict] = []
        self.responsibilities: list[dict] = []
        self.level1: dict | None = None
        self.level2: dict | None = None
        self.responsibility: dict | None = None
        self.stack: list[tuple[int, dict]] = []  # (rank, clause) of open clauses
        self.last: dict | None = None  # what a continuation line joins

    # the container clauses go into right now
    def _container(self) -> list | None:
        if self.responsibility is not None:
            return self.responsibility["duties"]
        heading = self.level2 or self.level1
        return None if heading is None else heading.setdefault("clauses", [])

    def _in_duty(self) -> bool:
        return any(h is not None and h.get("role") == "duty" for h in (self.level1, self.level2))

    def feed(self, j: int) -> None:
        reader = self.reader
        piece = reader.pieces[j]
        marker = _marker(piece)
        if marker is None and starts_lower(piece) and self.last is not None:
            reader.take(j)
            key = "text" if "text" in self.last else "title"
            self.last[key] += " " + piece
            return
        if marker and marker[0] == "roman":
            _, marker_text, text = marker
            reader.take(j)
            self.level1 = {"level": 1, "marker": piece[: len(piece) - len(text)].strip(), "text": text,
                           "role": guess_role(text), "children": [], "clauses": []}
            self.headings.append(self.level1)
            self.level2 = None
            self.responsibility = None
            self.stack = []
            self.last = self.level1
            return
        if marker and marker[0] == "number" and "." not in marker[1].rstrip(".)"):
            _, marker_text, text = marker
            if self._in_duty():
                self._responsibility(j, marker_text, text)
                return
            if _is_title_line(text):
                reader.take(j)
                self.level2 = {"level": 2, "marker": marker_text, "text": text.rstrip(":"),
                               "role": guess_role(text), "clauses": []}
                if text.endswith(":"):
                    self.level2["colon"] = True
                (self.level1["children"] if self.level1 else self.headings).append(self.level2)
                self.responsibility = None
                self.stack = []
                self.last = self.level2
                return
        if self._in_duty() and self.responsibility is None and marker and marker[0] == "letter" \
                and _is_title_line(marker[2]):
            self._responsibility(j, marker[1], marker[2])
            return
        container = self._container()
        if container is None:
            return  # before any heading: left unplaced
        reader.take(j)
        if marker is None:
            clause = {"marker": "paragraph", "marker_text": "", "text": piece, "area": None, "channel": None,
                      "children": []}
            while self.stack and self.stack[-1][1]["marker"] not in ("letter", "number"):
                self.stack.pop()
            (self.stack[-1][1]["children"] if self.stack else container).append(clause)
            self.last = clause
            return
        kind, marker_text, text = marker
        if kind == "letter" and marker_text.startswith("a") and not any(
                clause["marker"] == "number" for _, clause in self.stack):
            self._maybe_lost_heading(container)
            container = self._container()
        rank = _rank(kind, marker_text)
        clause = {"marker": kind, "marker_text": marker_text, "text": text, "area": None, "channel": None,
                  "children": []}
        while self.stack and self.stack[-1][0] >= rank:
            self.stack.pop()
        (self.stack[-1][1]["children"] if self.stack else container).append(clause)
        self.stack.append((rank, clause))
        self.last = clause

    def _maybe_lost_heading(self, container: list) -> None:
        """Letters starting again at a) under the same heading: web copies lose
        headings, so the list is a new section. Its role is the next in the usual order."""
        letters = [c for c in container if c["marker"] == "letter"]
        if len(letters) < 2 or self.responsibility is not None:
            return
        heading = self.level2 or self.level1
        role = heading.get("role", "other")
        next_role = ROLE_ORDER[ROLE_ORDER.index(role) + 1] if role in ROLE_ORDER[:-1] else "other"
        lost = {"level": heading["level"], "marker": "", "text": "", "role": next_role, "clauses": [],
                "implicit": True}
        if heading is self.level2 and self.level1 is not None:
            self.level1["children"].append(lost)
        else:
            self.headings.append(lost)
        if heading is self.level2:
            self.level2 = lost
        else:
            self.level1 = lost
        self.stack = []

    def _responsibility(self, j: int, marker_text: str, text: str) -> None:
        reader = self.reader
        reader.take(j)
        is_request = bool(re.match(r"^Đề nghị\s+", text))
        body = re.sub(r"^Đề nghị\s+", "", text) if is_request else text
        responsibility = {"agency": None, "title": "", "marker": marker_text, "is_request": is_request,
                          "duties": []}
        head, colon, rest = body.partition(":")
        if _is_title_line(body):
            responsibility["title"] = body.rstrip(":").strip()
            responsibility["colon"] = body.endswith(":")
        elif colon and len(head) <= 90 and not ends_sentence(head) and rest.strip():
            responsibility["title"] = head.strip()
            responsibility["colon"] = True
            responsibility["duties"].append({"marker": "paragraph", "marker_text": "", "text": rest.strip(),
                                             "area": None, "channel": None, "children": []})
        else:
            if is_request:  # "Đề nghị Ủy ban MTTQ … phối hợp …" is one running duty
                responsibility["is_request"] = False
                body = text
            responsibility["duties"].append({"marker": "paragraph", "marker_text": "", "text": body,
                                             "area": None, "channel": None, "children": []})
        self.responsibilities.append(responsibility)
        self.responsibility = responsibility
        self.stack = []
        self.last = responsibility["duties"][-1] if responsibility["duties"] else responsibility

    def finish(self) -> None:
        for heading in self.headings:
            for child in heading.get("children", []):
                # "1. Về cải cách thể chế" under "II. NHIỆM VỤ VÀ GIẢI PHÁP": the mục's role
                if child["role"] == "other" and heading["role"] not in ("other", "duty"):
                    child["role"] = heading["role"]
            if heading.get("children"):
                heading["role"] = "group" if not heading.get("clauses") else heading["role"]
            else:
                heading.pop("children", None)


# ---------------------------------------------------------------- prose duties (news articles)

DUTY_VERBS = (
    "chủ trì", "phối hợp", "thông tin", "căn cứ", "tổ chức", "thực hiện", "có trách nhiệm", "cung cấp",
    "hướng dẫn", "triển khai", "xây dựng", "theo dõi", "tham mưu", "chỉ đạo", "đẩy mạnh", "tăng cường",
    "tiếp tục", "duy trì", "kiểm tra", "đăng tải", "rà soát", "báo cáo", "tuyên truyền", "phổ biến",
)
AGENCY_HEAD = re.compile(
    r"^(Sở|Văn phòng|Phòng|Ban|Ủy ban|UBND|Trung tâm|Công an|Đài|Báo|Bộ|Cục|Chi cục|Hội|Liên đoàn|"
    r"Tỉnh đoàn|Huyện đoàn|Mặt trận|Bộ Chỉ huy|các cơ quan|các sở|các đơn vị|các phòng|Các cơ quan|Các sở)\b"
)


def _sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?])(?<!\bv\.v\.)\s*(?=[" + UPPER_VI + r"])", text)
    return [part.strip() for part in parts if part.strip()]


def _agency_in(sentence: str) -> tuple[str, bool] | None:
    """(agency as written, found after "giao/yêu cầu/đề nghị") when a sentence gives an agency a duty."""
    body = re.sub(r"^(Theo đó|Ngoài ra|Đồng thời)\s*,\s*", "", sentence)
    verbs = "|".join(re.escape(verb) for verb in DUTY_VERBS)
    assigned = re.search(r"\b(giao|yêu cầu|đề nghị)\s+(?P<rest>.+)$", body)
    candidates = []
    if assigned:
        candidates.append(assigned.group("rest"))
    candidates.append(body)
    for candidate in candidates:
        if not AGENCY_HEAD.match(candidate):
            continue
        match = re.search(r"\s+(" + verbs + r")\b", candidate)
        if match and match.start() <= 70:
            name = candidate[: match.start()].strip(" ,")
            if not re.search(r"\d|\b(đã|ban hành|cũng|sẽ)\b", name):
                return name[0].upper() + name[1:], True
    return None


def prose_duties(reader: _Reader) -> None:
    """A news item or letter without numbered sections: sentences that give an
    agency a duty ("UBND tỉnh giao Sở Nội vụ …", "Sở X chủ trì …") become its
    responsibilities; the sentences that follow with no agency of their own and
    start with a duty verb are its further duties."""
    responsibilities: list[dict] = []
    new_pieces: list[tuple[int, list[tuple[str, bool]]]] = []
    for j, piece in enumerate(reader.pieces):
        if reader.used[j] or len(piece) < 120:
            continue
        parts: list[tuple[str, bool]] = []
        current = None
        for sentence in _sentences(piece):
            agency = _agency_in(sentence)
            if agency:
                current = {"agency": None, "title": agency[0], "marker": "", "is_request": False,
                           "title_from_text": True, "duties": []}
                responsibilities.append(current)
            elif current is None or not re.match(r"^(" + "|".join(DUTY_VERBS) + r")\b", sentence, re.I):
                current = None
                parts.append((sentence, False))
                continue
            current["duties"].append({"marker": "paragraph", "marker_text": "", "text": sentence, "area": None,
                                      "channel": None, "children": []})
            parts.append((sentence, True))
        if any(placed for _, placed in parts):
            new_pieces.append((j, parts))
    if not responsibilities:
        return
    reader.out["responsibilities"] = responsibilities
    for j, parts in new_pieces:
        reader.used[j] = True
        reader.split_unplaced[j] = [sentence for sentence, placed in parts if not placed]


# ---------------------------------------------------------------- entry points


def recognise_lines(lines: list[str]) -> dict:
    """The plan's structured form (version 2) from its lines of text."""
    reader = _Reader(lines)
    after_header = reader.header()
    i = reader.title(after_header)
    i = reader.decision(i)
    i = reader.basis(i)
    end = reader.body_end(i)
    reader.body(i, end)
    reader.tail(end)
    if not reader.out.get("responsibilities") and not reader.out.get("headings"):
        prose_duties(reader)
    reader.metadata_fallbacks()
    out = reader.out
    if "symbol" in out:
        out["status"] = "issued" if out.get("number") is not None and out.get("issue_date") else "draft"
    unplaced: list[str] = []
    for j, piece in enumerate(reader.pieces):
        if j in reader.split_unplaced:
            unplaced.extend(reader.split_unplaced[j])
        elif not reader.used[j]:
            unplaced.append(piece)
    out["unplaced"] = unplaced
    out["dropped"] = reader.dropped
    if reader.derived:
        out["derived_from_metadata"] = reader.derived
    return _ordered(out)


_ORDER = [
    "issuer_lines", "kind", "year_start", "year_end", "number", "number_text", "symbol", "issue_date",
    "draft_month", "draft_year", "status", "place", "date_text", "title", "title_lines", "form", "decision",
    "decision_line", "basis", "basis_style", "basis_lead_in", "headings", "responsibilities", "closing_text",
    "recipients", "signer", "tasks", "appendix", "source_metadata", "derived_from_metadata", "dropped", "unplaced",
]


def _ordered(out: dict) -> dict:
    return {key: out[key] for key in _ORDER if key in out} | {k: v for k, v in out.items() if k not in _ORDER}


def _clause_lines(clauses: list[dict]) -> list[str]:
    lines = []
    for clause in clauses:
        lines.append((clause.get("marker_text", "") + " " + clause["text"]).strip())
        lines.extend(_clause_lines(clause.get("children", [])))
    return lines


def _heading_lines(headings: list[dict]) -> list[str]:
    lines = []
    for heading in headings:
        text = (heading.get("marker", "") + " " + heading.get("text", "")).strip()
        if text:
            lines.append(text)
        lines.extend(_clause_lines(heading.get("clauses", [])))
        lines.extend(_heading_lines(heading.get("children", [])))
    return lines


def recognised_text(structure: dict) -> list[str]:
    """The text of every recognised part, one string per part, in document order."""
    s = structure
    derived = set(s.get("derived_from_metadata", []))
    lines: list[str] = list(s.get("issuer_lines", []))
    if "symbol" in s:
        lines.append(f"Số: {s.get('number_text', '')}/{s['symbol']}")
    if s.get("date_text"):
        lines.append(f"{s.get('place', '')}, {s['date_text']}")
    if s.get("title"):
        lines.append(s["title"])
    if s.get("decision_line"):
        lines.append(s["decision_line"])
    for item in s.get("basis", []):
        lines.append(("" if item.get("verb_implied") else item["verb"] + " ") + item["text"])
    if s.get("basis_lead_in"):
        lines.append(s["basis_lead_in"])
    lines.extend(_heading_lines(s.get("headings", [])))
    for responsibility in s.get("responsibilities", []):
        if not responsibility.get("title_from_text"):
            head = responsibility.get("marker", "") + (" Đề nghị" if responsibility.get("is_request") else "")
            lines.append((head + " " + responsibility.get("title", "")).strip())
        lines.extend(_clause_lines(responsibility.get("duties", [])))
    if s.get("closing_text"):
        lines.append(s["closing_text"])
    lines.extend(s.get("recipients", []))
    if "signer" not in derived:
        signer = s.get("signer") or {}
        lines.extend(signer.get("authority", []))
        lines.extend(filter(None, [signer.get("position", ""), signer.get("name", "")]))
    appendix = s.get("appendix") or {}
    for key in ("heading", "other_rows", "columns", "groups"):
        lines.extend(appendix.get(key, []))
    if "columns" in appendix:
        for task in s.get("tasks", []):
            lines.append(" ".join(str(task.get(key) or "") for key in (
                "tt", "content", "channel_text", "lead_text", "coordinating_text", "timeframe", "product",
                "budget_text", "note")))
    for label, value in s.get("source_metadata", []):
        lines.append(f"{label} {value}")
    lines.extend(s.get("dropped", []))
    return [line for line in lines if line]


_WORD = re.compile(r"\w+")


def _words(texts) -> Counter:
    counter: Counter = Counter()
    for text in texts:
        counter.update(_WORD.findall(unicodedata.normalize("NFC", text).casefold()))
    return counter


def completeness_problems(lines: list[str], structure: dict) -> list[str]:
    """Empty when the recognised parts and the unplaced lines give back the source
    text word for word (case, whitespace and punctuation aside): nothing lost,
    nothing said twice. Otherwise the words missing or repeated."""
    source = _words(lines)
    got = _words(recognised_text(structure) + list(structure.get("unplaced", [])))
    problems = []
    missing = source - got
    extra = got - source
    if missing:
        problems.append("missing: " + ", ".join(f"{w}×{n}" for w, n in missing.most_common(12)))
    if extra:
        problems.append("repeated or invented: " + ", ".join(f"{w}×{n}" for w, n in extra.most_common(12)))
    return problems
