"""Stored files and transactions: names that fit, writes undone when the
transaction rolls back, removals done once the delete is committed, and the
orphan sweep. Everything goes through Django's storage API (local disk or
S3-compatible object storage alike); no path on MEDIA_ROOT is opened here.

Django has no on_rollback hook, so a write is undone by `files_atomic()`:
the file is stored first (a storage failure then rolls the rows back), and
if the block raises, what it stored is deleted again. A crash between the
two leaves a file no row names: the orphan sweep removes it after a grace
period. Deletes wait for the commit (`delete_on_commit`): a delete rolled
back keeps its file.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial

from django.core.files.base import ContentFile, File
from django.core.files.storage import Storage, default_storage
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.http import FileResponse
from django.utils import timezone

from .text import clean_text

logger = logging.getLogger(__name__)

# A name's last part in UTF-8 bytes: below the 255 of ext4/XFS and most
# object stores' limits, with room for the suffix a storage adds when the
# name is taken ("_abc1234").
MAX_BASENAME_BYTES = 200


def truncate_utf8(text: str, max_bytes: int) -> str:
    """`text` cut to at most `max_bytes` bytes of UTF-8, never inside a character."""
    encoded = text.encode("utf-8")
    if len(encoded) <= max_bytes:
        return text
    return encoded[:max_bytes].decode("utf-8", errors="ignore")


def bounded_filename(filename: str, *, max_chars: int, max_bytes: int = MAX_BASENAME_BYTES) -> str:
    """`filename` (a last part, no folders) shortened to fit both `max_chars`
    characters and `max_bytes` bytes of UTF-8: the extension is kept, the stem
    is cut (on a character boundary, in NFC so a Vietnamese letter stays one
    character); control characters (NUL included) are dropped, as for every
    form field. An extension too long to be one is treated as part of the stem."""
    filename = clean_text(os.path.basename(filename.replace("\\", "/"))).strip()
    stem, ext = os.path.splitext(filename)
    if len(ext) > 10:
        stem, ext = filename, ""
    room_chars = max(max_chars - len(ext), 1)
    room_bytes = max(max_bytes - len(ext.encode("utf-8")), 1)
    stem = truncate_utf8(stem[:room_chars], room_bytes).rstrip(" .") or "tep"
    return f"{stem}{ext}"


def bounded_name(directory: str, filename: str, *, max_length: int, max_bytes: int = MAX_BASENAME_BYTES) -> str:
    """A storage name `directory/filename` no longer than `max_length`
    characters (the FileField's max_length), its last part within `max_bytes`."""
    directory = directory.rstrip("/")
    room = max_length - len(directory) - 1 - 8  # 8: a storage's "_abc1234" when the name is taken
    if room < 8:
        raise ValueError(f"No room for a file name under {directory!r} in {max_length} characters")
    return f"{directory}/{bounded_filename(filename, max_chars=room, max_bytes=max_bytes)}"


# Written files, per thread: one list per open files_atomic() block.
_local = threading.local()


def _stack() -> list[list[tuple[Storage, str]]]:
    if not hasattr(_local, "stack"):
        _local.stack = []
    return _local.stack


def _delete_quietly(storage: Storage, name: str) -> None:
    try:
        storage.delete(name)
    except Exception:  # the orphan sweep will find it
        logger.exception("Could not delete stored file %s", name)


@contextmanager
def files_atomic(using: str | None = None) -> Iterator[None]:
    """transaction.atomic() that also deletes the files stored in it
    (through `file_save`) when the block raises. Nested blocks hand their
    files to the enclosing one, so an outer failure removes them too."""
    stack = _stack()
    written: list[tuple[Storage, str]] = []
    stack.append(written)
    try:
        with transaction.atomic(using=using):
            yield
    except BaseException:
        for storage, name in reversed(written):
            _delete_quietly(storage, name)
        raise
    else:
        if len(stack) > 1:
            stack[-2].extend(written)
    finally:
        stack.pop()


def file_save(field_file: FieldFile, name: str, content: File) -> str:
    """Store `content` in a model's FileField (without saving the row) inside
    files_atomic(): the file is deleted again if the block rolls back.
    Returns the name the storage chose."""
    stack = _stack()
    if not stack:
        raise RuntimeError("file_save() belongs inside files_atomic()")
    field_file.save(name, content, save=False)
    stack[-1].append((field_file.storage, field_file.name or ""))
    return field_file.name or ""


def stored_file_response(field_file: FieldFile, *, filename: str, content_type: str) -> FileResponse:
    """A stored file as a download, through the storage API (a local file or
    an object streamed from S3, never a public URL), not sniffed by the
    browser. FileNotFoundError when the row outlived its file (a crash, a
    restore without media): the caller says so, not a 500."""
    if not field_file.name:
        raise FileNotFoundError(filename)
    try:
        stored = field_file.storage.open(field_file.name, "rb")
    except IsADirectoryError:
        raise FileNotFoundError(field_file.name) from None
    response = FileResponse(stored, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def delete_on_commit(storage: Storage, name: str) -> None:
    """Delete a stored file once the current transaction commits (at once
    outside one); a delete rolled back keeps its file."""
    if name:
        transaction.on_commit(partial(_delete_quietly, storage, name), robust=True)


# The orphan sweep ------------------------------------------------------------------

@dataclass(frozen=True)
class FileOwner:
    """Files under `prefix` belong to rows of an app: `names()` lists those
    the rows name. `required`: a named file that is missing is a fault to
    report (evidence); otherwise it is derived data made again on demand
    (an issued plan's PDF/DOCX)."""

    label: str
    prefix: str
    names: Callable[[], Iterable[str]]
    required: bool = True
    storage: Callable[[], Storage] = lambda: default_storage


# Apps register theirs in AppConfig.ready(); common knows none of them.
FILE_OWNERS: dict[str, FileOwner] = {}


def register_file_owner(owner: FileOwner) -> None:
    FILE_OWNERS[owner.label] = owner


def storage_walk(storage: Storage, prefix: str) -> Iterator[str]:
    """Every file name under `prefix` (a folder, "evidence/"), recursively."""
    prefix = prefix.rstrip("/")
    try:
        folders, files = storage.listdir(prefix)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in files:
        yield f"{prefix}/{name}"
    for folder in folders:
        yield from storage_walk(storage, f"{prefix}/{folder}")


@dataclass
class OrphanReport:
    orphans: list[str] = field(default_factory=list)  # stored, named by no row, older than the grace period
    young: list[str] = field(default_factory=list)  # named by no row but too recent (an upload under way)
    deleted: list[str] = field(default_factory=list)
    missing: list[tuple[str, str]] = field(default_factory=list)  # (owner label, name) a row names, not stored


def files_orphans(*, delete: bool = False, grace: dt.timedelta = dt.timedelta(days=1),
                  now: dt.datetime | None = None) -> OrphanReport:
    """Files in storage that no row names and older than `grace` (deleted
    when `delete`), and the files rows name that storage lacks."""
    now = now or timezone.now()
    report = OrphanReport()
    for owner in FILE_OWNERS.values():
        storage = owner.storage()
        named = {name for name in owner.names() if name}
        stored = set(storage_walk(storage, owner.prefix))
        for name in sorted(stored - named):
            try:
                modified = storage.get_modified_time(name)
            except FileNotFoundError:
                continue
            if timezone.is_naive(modified):
                modified = timezone.make_aware(modified, dt.UTC)
            if now - modified < grace:
                report.young.append(name)
                continue
            report.orphans.append(name)
            if delete:
                storage.delete(name)
                report.deleted.append(name)
        if owner.required:
            prefix = owner.prefix.rstrip("/") + "/"
            report.missing += [(owner.label, name) for name in sorted(named - stored) if name.startswith(prefix)]
    return report


def storage_check() -> tuple[bool, str, dict]:
    """For the health endpoint: a small file written, read back and deleted
    in the default storage (disk full, a read-only mount, a bucket or keys
    gone all show here)."""
    import uuid

    from django.core.files.storage import storages

    backend = type(storages["default"]).__name__
    name = f"health/probe-{uuid.uuid4().hex}.txt"
    payload = b"cchc health probe"
    try:
        saved = default_storage.save(name, ContentFile(payload))
        try:
            with default_storage.open(saved, "rb") as stored:
                ok = stored.read() == payload
        finally:
            default_storage.delete(saved)
    except Exception as exc:  # any backend error means "not usable"
        return False, f"Kho lưu tệp ({backend}): KHÔNG ghi/đọc được – {type(exc).__name__}: {exc}", {"backend": backend}
    if not ok:
        return False, f"Kho lưu tệp ({backend}): đọc lại khác nội dung đã ghi", {"backend": backend}
    return True, f"Kho lưu tệp ({backend}): ghi và đọc được", {"backend": backend}
