"""A .po catalog compiled to .mo in pure Python: the project's own
translations (locale/, e.g. Django REST Framework's messages in Vietnamese)
are compiled by `manage.py catalog_compile` and committed, so no machine
needs GNU gettext's msgfmt. The logic of CPython's Tools/i18n/msgfmt.py:
entries sorted by msgid, fuzzy entries left out, plural forms joined by NUL,
a context joined to its msgid by EOT. The output depends only on the .po,
so a test can tell a stale .mo."""

from __future__ import annotations

import ast
import struct
from pathlib import Path


def _unquote(line: str, path: Path, number: int) -> str:
    try:
        value = ast.literal_eval(line)
    except (SyntaxError, ValueError) as error:
        raise ValueError(f"{path}:{number}: not a quoted string: {line!r}") from error
    if not isinstance(value, str):
        raise ValueError(f"{path}:{number}: not a quoted string: {line!r}")
    return value


def po_entries(path: Path) -> dict[str, str]:
    """{msgid: msgstr} of the .po at `path`, in .mo's key form (context
    EOT msgid; plural forms NUL-joined), fuzzy and untranslated entries left out."""
    entries: dict[str, str] = {}
    ctxt: str | None = None
    msgid = plural = ""
    strs: dict[int, str] = {}
    section = ""
    index = 0
    fuzzy = False

    def flush() -> None:
        nonlocal ctxt, msgid, plural, strs, fuzzy, section
        if section and not fuzzy and (msgid == "" or any(strs.values())):
            key = msgid if not plural else f"{msgid}\0{plural}"
            if ctxt is not None:
                key = f"{ctxt}\x04{key}"
            entries[key] = "\0".join(strs[i] for i in sorted(strs))
        ctxt, msgid, plural, strs, fuzzy, section = None, "", "", {}, False, ""

    lines = path.read_text(encoding="utf-8").splitlines()
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if line.startswith("#,") and "fuzzy" in line:
            if section == "msgstr":
                flush()
            fuzzy = True
            continue
        if not line or line.startswith("#"):
            continue
        if line.startswith("msgctxt"):
            if section == "msgstr":
                flush()
            ctxt, section = _unquote(line[7:].strip(), path, number), "msgctxt"
        elif line.startswith("msgid_plural"):
            plural, section = _unquote(line[12:].strip(), path, number), "msgid_plural"
        elif line.startswith("msgid"):
            if section == "msgstr":
                flush()
            msgid, section = _unquote(line[5:].strip(), path, number), "msgid"
        elif line.startswith("msgstr["):
            index = int(line[7:line.index("]")])
            strs[index], section = _unquote(line[line.index("]") + 1:].strip(), path, number), "msgstr"
        elif line.startswith("msgstr"):
            index = 0
            strs[0], section = _unquote(line[6:].strip(), path, number), "msgstr"
        elif line.startswith('"'):
            text = _unquote(line, path, number)
            if section == "msgctxt":
                ctxt = (ctxt or "") + text
            elif section == "msgid":
                msgid += text
            elif section == "msgid_plural":
                plural += text
            elif section == "msgstr":
                strs[index] += text
            else:
                raise ValueError(f"{path}:{number}: a string outside an entry")
        else:
            raise ValueError(f"{path}:{number}: cannot read {line!r}")
    if section == "msgstr":
        flush()
    return entries


def mo_bytes(entries: dict[str, str]) -> bytes:
    """The GNU .mo file of these entries (little endian, no hash table)."""
    keys = sorted(entries)
    ids = strs = b""
    offsets: list[tuple[int, int, int, int]] = []
    for key in keys:
        k, v = key.encode("utf-8"), entries[key].encode("utf-8")
        offsets.append((len(ids), len(k), len(strs), len(v)))
        ids += k + b"\0"
        strs += v + b"\0"
    count = len(keys)
    key_start = 7 * 4 + 16 * count
    value_start = key_start + len(ids)
    table: list[int] = []
    for id_offset, id_length, _, _ in offsets:
        table += [id_length, id_offset + key_start]
    for _, _, str_offset, str_length in offsets:
        table += [str_length, str_offset + value_start]
    header = struct.pack("Iiiiiii", 0x950412DE, 0, count, 7 * 4, 7 * 4 + count * 8, 0, 0)
    return header + struct.pack(f"{len(table)}i", *table) + ids + strs


def compile_po(path: Path) -> bytes:
    return mo_bytes(po_entries(path))


def project_catalogs(locale_dirs) -> list[Path]:
    return sorted(p for d in locale_dirs for p in Path(d).glob("*/LC_MESSAGES/*.po"))
