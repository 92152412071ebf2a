"""Import a plan (KH) from a Word, PDF or text file into its structured form
(docs/plan-structure.md, version 2). Agency codes are matched later by the caller."""

import io
import zipfile

from .base import MAX_BYTES, ImportRefused, clean_lines
from .text import completeness_problems, recognise_lines, recognised_text

__all__ = ["ImportRefused", "MAX_BYTES", "completeness_problems", "read_lines", "recognise", "recognise_lines",
           "recognised_text"]


def read_lines(content: bytes, filename: str = "") -> tuple[str, list[str], list[dict]]:
    """(format, lines, tasks of a Word appendix table); the format is chosen by content, not by name."""
    if len(content) > MAX_BYTES:
        raise ImportRefused(
            f"Tệp quá lớn ({len(content) / 1024 / 1024:.1f} MB); chỉ nhận tệp đến {MAX_BYTES // 1024 // 1024} MB."
        )
    if not content.strip():
        raise ImportRefused("Tệp rỗng, không có nội dung để nhập.")
    if content.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(io.BytesIO(content)).namelist()
        except zipfile.BadZipFile as error:
            raise ImportRefused("Tệp nén bị hỏng, không phải tài liệu Word (.docx) đọc được.") from error
        if "word/document.xml" not in names:
            raise ImportRefused("Tệp nén này không phải tài liệu Word (.docx).")
        from .docx import read_docx

        lines, tasks = read_docx(content)
        return "docx", lines, tasks
    if content.startswith(b"%PDF"):
        from .pdf import read_pdf

        return "pdf", read_pdf(content), []
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportRefused("Tệp Word định dạng cũ (.doc) chưa được hỗ trợ; hãy mở bằng Word và lưu thành .docx.")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportRefused(
            "Không đọc được tệp: không phải tài liệu Word (.docx), PDF hay văn bản UTF-8."
        ) from error
    if "\x00" in text:
        raise ImportRefused("Không đọc được tệp: không phải tài liệu Word (.docx), PDF hay văn bản UTF-8.")
    return "text", clean_lines(text), []


# A plan runs to a few hundred lines; far more is several documents, or a
# whole web page, that no one could review line by line.
MAX_LINES = 3000


def recognise(content: bytes, filename: str = "") -> dict:
    """The plan's structured form from a file's bytes; ImportRefused with a Vietnamese message otherwise."""
    source_format, lines, tasks = read_lines(content, filename)
    if len(lines) > MAX_LINES:
        raise ImportRefused(
            f"Văn bản có {len(lines):,} dòng, quá dài cho một kế hoạch (tối đa {MAX_LINES:,} dòng): "
            "hãy nhập riêng từng kế hoạch.".replace(",", ".")
        )
    structure = recognise_lines(lines)
    if tasks:
        structure["tasks"] = tasks
    structure["source"] = {"format": source_format, "filename": filename}
    # The review page shows the source beside what was recognised.
    structure["source_lines"] = lines
    return structure
