"""Text-based PDF -> lines, with pypdf. No OCR: scanned and encrypted files are refused."""

import io
import re

from pypdf import PdfReader
from pypdf.errors import PdfReadError

from .base import ImportRefused, clean_line

_MARKER = re.compile(r"^([IVXL]+\.|\d{1,2}(\.\d{1,2})*[.)]?|[a-zđ]\)|[-–+•])\s")
_PAGE_NUMBER = re.compile(r"^(\d{1,3}|-\s*\d{1,3}\s*-|Trang\s+\d+(\s*/\s*\d+)?)$")


def _join_wrapped(lines: list[str]) -> list[str]:
    """A PDF has one line per printed line: join a paragraph's wrapped lines.
    A line joins the one before when it starts in lower case, or when the one
    before fills the width and does not end a sentence."""
    widest = max((len(line) for line in lines), default=0)
    out: list[str] = []
    for line in lines:
        if out and line and out[-1]:
            previous = out[-1]
            lower = line[0].isalpha() and line[0].islower()
            full = len(previous) >= 0.8 * widest and not previous.endswith((".", ";", ":", "!", "?"))
            if (lower or full) and not _MARKER.match(line) and not previous.isupper():
                out[-1] = previous + " " + line
                continue
        out.append(line)
    return out


def read_pdf(content: bytes) -> list[str]:
    try:
        reader = PdfReader(io.BytesIO(content))
        encrypted = reader.is_encrypted
    except (PdfReadError, ValueError, OSError) as error:
        raise ImportRefused("Không mở được tệp PDF: tệp bị hỏng hoặc không đúng định dạng.") from error
    if encrypted:
        raise ImportRefused(
            "Tệp PDF được mã hóa (đặt mật khẩu hoặc khóa quyền), hệ thống không đọc được. "
            "Hãy lưu lại thành tệp PDF không mã hóa hoặc dùng tệp Word rồi nhập lại."
        )
    lines: list[str] = []
    try:
        for page in reader.pages:
            page_lines = [clean_line(line) for line in (page.extract_text() or "").splitlines()]
            page_lines = [line for line in page_lines if line]
            # page numbers printed at the top or bottom of a page are not the plan's text
            while page_lines and _PAGE_NUMBER.match(page_lines[0]):
                page_lines.pop(0)
            while page_lines and _PAGE_NUMBER.match(page_lines[-1]):
                page_lines.pop()
            lines.extend(page_lines)
    except (PdfReadError, ValueError, KeyError, OSError) as error:
        raise ImportRefused("Không đọc được nội dung tệp PDF: tệp bị hỏng.") from error
    letters = sum(ch.isalpha() for line in lines for ch in line)
    if letters < 50:
        raise ImportRefused(
            "Tệp PDF không có lớp chữ (có thể là bản chụp hoặc bản quét), hệ thống không nhận dạng chữ từ ảnh. "
            "Hãy dùng tệp Word hoặc tệp PDF xuất trực tiếp từ Word."
        )
    return _join_wrapped(lines)
