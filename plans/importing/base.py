"""What every reader shares: the refusal error and the text clean-up."""

import re
import unicodedata

MAX_BYTES = 10 * 1024 * 1024


class ImportRefused(Exception):
    """The file cannot be imported; `message` is Vietnamese and shown to the clerk."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# Zero-width characters, soft hyphen and BOM come from web pages and Word; they
# are invisible, so dropping them loses nothing the clerk wrote.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")


def clean_line(text: str) -> str:
    """NFC, no control characters, one space between words, stripped."""
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    text = "".join(ch if ch == "\t" or unicodedata.category(ch) != "Cc" else " " for ch in text)
    return _SPACES.sub(" ", text).strip()


def clean_lines(text: str) -> list[str]:
    """Split a whole text into cleaned lines (blank lines kept as "")."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    return [clean_line(line) for line in text.split("\n")]
