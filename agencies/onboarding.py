"""Writes about people: importing users and their roles, inviting them, and
deactivating them.

A province loads its users (often a thousand) from one CSV or XLSX file with
four columns: Họ tên, Thư điện tử, Mã đơn vị, Vai trò (one role or several,
separated by "," or ";", as the Vietnamese label or the code). As with the
agency import, it is all or nothing: every row is checked, every problem is
reported with its row and column, and nothing is written unless the whole
file is good.

An e-mail that already has an account is not refused: that account keeps its
password, its name is updated to the file's and the roles in the file are
added (never removed); the summary lists these accounts. New accounts have
the e-mail as user name and an unusable password, and get an invitation
e-mail with a set-password link (agencies/tokens.py) once the import has
committed. Nothing is hashed per row, and rows are written in bulk, so the
number of queries does not grow with the file.

Deactivating a user ends their sessions: their session rows (and cached
copies) are deleted, and Django's ModelBackend refuses an inactive user on
every request anyway.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial
from importlib import import_module
from smtplib import SMTPException
from typing import Any

from celery import current_app
from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from common import tables
from common.text import clean_text, fold
from common.user_cache import users_forget

from .models import Agency, Membership
from .scope import scope_forget
from .tokens import invitation_days, invitation_token_generator

logger = logging.getLogger(__name__)

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000  # data rows: a province's users, with room to spare
MAX_COLUMNS = 30
MAX_NAME = 150  # User.first_name
MAX_EMAIL = 150  # the e-mail is the user name (User.username: 150)
BATCH = 500
INVITE_CHUNK = 100  # users per invitation task
# Enqueued by name: agencies/tasks.py imports this module.
INVITE_TASK = "agencies.tasks.users_invite_task"
MAIL_ERRORS = (SMTPException, OSError)

Role = Membership.Role

# (field, column header as users see it)
COLUMNS: list[tuple[str, str]] = [
    ("name", "Họ tên"),
    ("email", "Thư điện tử"),
    ("agency", "Mã đơn vị"),
    ("roles", "Vai trò"),
]
LABELS = dict(COLUMNS)
# Headers as typed, compared without case or diacritics.
HEADER_ALIASES = {
    "name": ("ho ten", "ho va ten", "name", "full name"),
    "email": ("thu dien tu", "e-mail", "email", "mail", "dia chi thu dien tu"),
    "agency": ("ma don vi", "agency", "agency code", "ma"),
    "roles": ("vai tro", "roles", "role", "quyen"),
}
HEADER_TO_FIELD = {alias: name for name, aliases in HEADER_ALIASES.items() for alias in aliases}
ROLE_WORDS = {
    **{fold(value): value for value in Role.values},
    **{fold(str(label)): value for value, label in Role.choices},
    "chuyen vien": Role.DRAFTER,
    "soan thao": Role.DRAFTER,
    "lanh dao": Role.HEAD,
    "xem xet": Role.REVIEWER,
    "can bo noi vu": Role.REVIEWER,
    "noi vu": Role.REVIEWER,
    "quan tri": Role.ADMIN,
}
ROLE_HELP = ", ".join(str(label) for _, label in Role.choices) + " hoặc " + ", ".join(Role.values)
ROLE_SEPARATORS = re.compile(r"[,;\n]")


class UserImportError(Exception):
    """The file was refused; `errors` lists every problem, nothing was written."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class UserRow:
    number: int
    name: str
    email: str
    agency_code: str
    roles: list[str]


@dataclass
class UserImportResult:
    created: int = 0
    existing: list[str] = field(default_factory=list)  # e-mails of accounts already there
    renamed: int = 0
    roles_added: int = 0
    invited_ids: list[int] = field(default_factory=list)
    dry_run: bool = False

    def summary(self) -> str:
        verb = "Kiểm tra xong, tệp hợp lệ; khi nhập sẽ" if self.dry_run else "Đã nhập:"
        text = (
            f"{verb} tạo {self.created} tài khoản mới"
            f"{'' if self.dry_run else ' (thư mời đặt mật khẩu đang được gửi)' if self.created else ''}, "
            f"thêm {self.roles_added} vai trò."
        )
        if self.existing:
            shown = ", ".join(self.existing[:10]) + (" …" if len(self.existing) > 10 else "")
            text += (
                f" {len(self.existing)} thư điện tử đã có tài khoản ({shown}): giữ mật khẩu, "
                f"cập nhật họ tên ({self.renamed} tài khoản đổi tên) và thêm vai trò trong tệp, không gửi thư mời."
            )
        return text


def _cell(value: Any) -> str:
    """Cell text: composed Unicode (NFC), no control characters, trimmed."""
    if value is None:
        return ""
    return clean_text(str(value)).strip()


def _error(row_number: int, field_name: str, message: str) -> str:
    return f"Dòng {row_number}, cột «{LABELS[field_name]}»: {message}."


def _row_of(message: str) -> int:
    return int(message.split(",", 1)[0].split(":", 1)[0].removeprefix("Dòng "))


# Reading ---------------------------------------------------------------------


def read_table(*, content: bytes, filename: str) -> list[list[Any]]:
    """The rows of a CSV or XLSX file (common.tables: checked by content and
    size, streamed), at most MAX_ROWS data rows."""
    try:
        return tables.read_table(content=content, filename=filename, max_rows=MAX_ROWS,
                                 max_columns=MAX_COLUMNS, max_bytes=MAX_IMPORT_BYTES)
    except tables.TableError as exc:
        raise UserImportError([str(exc)]) from exc


# Checking --------------------------------------------------------------------


def _columns(header: list[Any]) -> dict[str, int]:
    columns: dict[str, int] = {}
    unknown: list[str] = []
    errors: list[str] = []
    for index, cell in enumerate(header):
        text = _cell(cell)
        if not text:
            continue
        field_name = HEADER_TO_FIELD.get(fold(text))
        if field_name is None:
            unknown.append(text)
        elif field_name in columns:
            errors.append(f"Dòng 1: cột «{LABELS[field_name]}» có hai lần.")
        else:
            columns[field_name] = index
    missing = [LABELS[name] for name, _ in COLUMNS if name not in columns]
    if missing:
        errors.append(f"Dòng 1: thiếu cột {', '.join(f'«{m}»' for m in missing)} (cần: Họ tên, Thư điện tử, Mã đơn vị, Vai trò).")
    if unknown:
        errors.append(f"Dòng 1: không nhận ra cột {', '.join(f'«{u}»' for u in unknown)}.")
    if errors:
        raise UserImportError(errors)
    return columns


def _parse_roles(text: str) -> tuple[list[str], list[str]]:
    roles: list[str] = []
    unknown: list[str] = []
    for word in ROLE_SEPARATORS.split(text):
        word = word.strip()
        if not word:
            continue
        role = ROLE_WORDS.get(fold(word))
        if role is None:
            unknown.append(word)
        elif role not in roles:
            roles.append(role)
    return roles, unknown


def _parse(rows: list[list[Any]]) -> tuple[list[UserRow], list[str]]:
    if not rows:
        raise UserImportError(["Tệp không có dữ liệu."])
    columns = _columns(rows[0])
    parsed: list[UserRow] = []
    errors: list[str] = []
    for number, row in enumerate(rows[1:], start=2):
        cells = {f: _cell(row[i]) if i < len(row) else "" for f, i in columns.items()}
        if not any(cells.values()):
            continue
        name = " ".join(cells["name"].split())
        email = cells["email"].lower()
        code = cells["agency"]
        if not name:
            errors.append(_error(number, "name", "không được để trống"))
        elif len(name) > MAX_NAME:
            errors.append(_error(number, "name", f"dài quá {MAX_NAME} ký tự"))
        if not email:
            errors.append(_error(number, "email", "không được để trống"))
        else:
            try:
                validate_email(email)
            except ValidationError:
                errors.append(_error(number, "email", f"«{email}» không phải địa chỉ thư điện tử hợp lệ"))
            else:
                if len(email) > MAX_EMAIL:
                    errors.append(_error(number, "email", f"dài quá {MAX_EMAIL} ký tự"))
        if not code:
            errors.append(_error(number, "agency", "không được để trống"))
        roles, unknown = _parse_roles(cells["roles"])
        if unknown:
            errors.append(
                _error(number, "roles", f"không nhận ra vai trò {', '.join(f'«{u}»' for u in unknown)} (dùng: {ROLE_HELP})")
            )
        elif not roles:
            errors.append(_error(number, "roles", "không được để trống"))
        parsed.append(UserRow(number=number, name=name, email=email, agency_code=code, roles=roles))
    if not parsed:
        raise UserImportError(["Tệp không có dòng dữ liệu nào (chỉ có dòng tiêu đề)."])
    return parsed, errors


def _check_in_file(parsed: list[UserRow]) -> list[str]:
    """Duplicates: the same person at the same unit twice, or one e-mail with two names."""
    errors: list[str] = []
    first_at: dict[tuple[str, str], int] = {}
    name_of: dict[str, tuple[str, int]] = {}
    for row in parsed:
        if not row.email:
            continue
        key = (row.email, row.agency_code.lower())
        if row.agency_code and key in first_at:
            errors.append(
                _error(
                    row.number, "email",
                    f"«{row.email}» tại đơn vị «{row.agency_code}» trùng với dòng {first_at[key]} "
                    "(ghi mọi vai trò của một người tại một đơn vị trên cùng một dòng)",
                )
            )
        else:
            first_at[key] = row.number
        if row.email in name_of and row.name and name_of[row.email][0] != row.name:
            other_name, other_row = name_of[row.email]
            errors.append(
                _error(row.number, "name", f"«{row.name}» khác họ tên «{other_name}» của «{row.email}» ở dòng {other_row}")
            )
        elif row.name:
            name_of.setdefault(row.email, (row.name, row.number))
    return errors


def _agencies(parsed: list[UserRow]) -> tuple[dict[str, Agency], list[str]]:
    codes = {row.agency_code for row in parsed if row.agency_code}
    found = {
        a.code.lower(): a
        for a in Agency.objects.annotate(code_lower=Lower("code")).filter(code_lower__in={c.lower() for c in codes})
    }
    errors: list[str] = []
    for row in parsed:
        if not row.agency_code:
            continue
        agency = found.get(row.agency_code.lower())
        if agency is None:
            errors.append(_error(row.number, "agency", f"không có đơn vị mã «{row.agency_code}»"))
        elif not agency.is_active:
            errors.append(
                _error(row.number, "agency", f"đơn vị «{agency.code}» đã sáp nhập/giải thể, không nhận thêm người dùng")
            )
    return found, errors


def _existing_users(parsed: list[UserRow]) -> tuple[dict[str, Any], list[str]]:
    """Accounts already there, by e-mail (their e-mail or user name)."""
    User = get_user_model()
    emails = sorted({row.email for row in parsed if row.email})
    matches: dict[str, dict[int, Any]] = {}
    if emails:
        query = User.objects.annotate(email_lower=Lower("email"), username_lower=Lower("username")).filter(
            Q(email_lower__in=emails) | Q(username_lower__in=emails)
        )
        for user in query:
            for key in {user.email_lower, user.username_lower} & set(emails):
                matches.setdefault(key, {})[user.pk] = user
    errors: list[str] = []
    existing: dict[str, Any] = {}
    reported: set[str] = set()
    for row in parsed:
        users = list(matches.get(row.email, {}).values())
        if not users or row.email in reported:
            continue
        if len(users) > 1:
            reported.add(row.email)
            errors.append(_error(row.number, "email", f"«{row.email}» thuộc {len(users)} tài khoản khác nhau; hãy sửa trong trang quản trị"))
        elif not users[0].is_active:
            reported.add(row.email)
            errors.append(_error(row.number, "email", f"tài khoản «{row.email}» đang bị khóa; mở khóa trước khi thêm vai trò"))
        else:
            existing[row.email] = users[0]
    return existing, errors


# Writing ---------------------------------------------------------------------


def unusable_password() -> str:
    """What set_unusable_password() stores ("!" and a random string: no
    hashing), drawn in one call instead of 40 (1,000 users: 5 ms, not 400)."""
    return UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)


def users_import(*, content: bytes, filename: str, dry_run: bool = False) -> UserImportResult:
    """Create users and their roles from a CSV/XLSX file (see the module
    docstring). `dry_run`: check everything and count, write nothing."""
    return users_import_rows(rows=read_table(content=content, filename=filename), dry_run=dry_run)


def users_import_rows(*, rows: list[list[Any]], dry_run: bool = False) -> UserImportResult:
    parsed, errors = _parse(rows)
    errors += _check_in_file(parsed)
    agencies, agency_errors = _agencies(parsed)
    existing, user_errors = _existing_users(parsed)
    errors += agency_errors + user_errors
    if errors:
        raise UserImportError(sorted(errors, key=_row_of))
    try:
        with transaction.atomic():
            result = _write(parsed, agencies, existing)
            result.dry_run = dry_run
            if dry_run:
                transaction.set_rollback(True)
            elif result.invited_ids:
                transaction.on_commit(partial(invitations_enqueue, result.invited_ids), robust=True)
    except IntegrityError as exc:
        logger.warning("user import lost a race: %s", exc)
        raise UserImportError(
            ["Trong lúc nhập, một tài khoản hoặc vai trò trong tệp vừa được tạo ở nơi khác; không dòng nào được ghi, hãy nhập lại."]
        ) from exc
    return result


def _write(parsed: list[UserRow], agencies: dict[str, Agency], existing: dict[str, Any]) -> UserImportResult:
    User = get_user_model()
    result = UserImportResult()
    admins = {row.email for row in parsed if Role.ADMIN in row.roles}
    new_users: dict[str, Any] = {}
    for row in parsed:
        if row.email in existing or row.email in new_users:
            continue
        user = User(username=row.email, email=row.email, first_name=row.name, is_staff=row.email in admins)
        user.password = unusable_password()
        new_users[row.email] = user
    User.objects.bulk_create(new_users.values(), batch_size=BATCH)
    if any(user.pk is None for user in new_users.values()):  # backends that return no ids
        ids = dict(User.objects.filter(username__in=list(new_users)).values_list("username", "pk"))
        for email, user in new_users.items():
            user.pk = ids[email]
    result.created = len(new_users)
    result.invited_ids = [user.pk for user in new_users.values()]
    users_forget(user_ids=result.invited_ids, after_commit=False)  # bulk_create sends no signal

    changed: list[Any] = []
    for row in parsed:
        account = existing.get(row.email)
        if account is None or account in changed:
            continue
        renamed = bool(account.first_name != row.name or account.last_name)
        if renamed:
            account.first_name, account.last_name = row.name, ""
            result.renamed += 1
        if row.email in admins and not account.is_staff:
            account.is_staff = True
            renamed = True
        if renamed:
            changed.append(account)
    User.objects.bulk_update(changed, ["first_name", "last_name", "is_staff"], batch_size=BATCH)
    users_forget(user_ids=[user.pk for user in changed])  # bulk_update sends no signal
    result.existing = sorted(existing)

    held = set(
        Membership.objects.filter(user__in=list(existing.values())).values_list("user_id", "agency_id", "role")
    ) if existing else set()
    memberships = []
    for row in parsed:
        user = existing.get(row.email) or new_users[row.email]
        agency = agencies[row.agency_code.lower()]
        for role in row.roles:
            key = (user.pk, agency.pk, role)
            if key not in held:
                held.add(key)
                memberships.append(Membership(user_id=user.pk, agency_id=agency.pk, role=role))
    Membership.objects.bulk_create(memberships, batch_size=BATCH)
    # bulk_create sends no signal; new accounts have no cached scope yet.
    known = {user.pk for user in existing.values()}
    scope_forget(user_ids={m.user_id for m in memberships if m.user_id in known})
    result.roles_added = len(memberships)
    return result


# Invitations -----------------------------------------------------------------


def invitations_enqueue(user_ids: list[int]) -> None:
    """One Celery task per INVITE_CHUNK users (called after commit)."""
    for start in range(0, len(user_ids), INVITE_CHUNK):
        current_app.send_task(INVITE_TASK, args=[user_ids[start : start + INVITE_CHUNK]], ignore_result=True)


def invitation_url(user) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = invitation_token_generator.make_token(user)
    return settings.SITE_URL.rstrip("/") + reverse("activate", kwargs={"uidb64": uid, "token": token})


def _invitation_message(user) -> EmailMultiAlternatives:
    days = invitation_days()
    roles = sorted(
        f"{m.get_role_display()} – {m.agency.name}" for m in user.memberships.all()
    )
    context = {
        "name": user.get_full_name() or user.username,
        "username": user.username,
        "roles": roles,
        "url": invitation_url(user),
        "days": days,
        "expires": timezone.localtime() + dt.timedelta(days=days),
        "site_url": settings.SITE_URL,
    }
    message = EmailMultiAlternatives(
        subject="Mời tham gia Cổng kế hoạch tuyên truyền cải cách hành chính",
        body=render_to_string("emails/invitation-body-text.txt", context),
        to=[user.email],
    )
    message.attach_alternative(render_to_string("emails/invitation-body-html.html", context), "text/html")
    return message


def users_invite(user_ids: Iterable[int]) -> list[int]:
    """Send the invitation to each of these users who is active and has not
    set a password yet, over one connection. Returns the ids whose mail
    failed (the task retries them)."""
    users = (
        get_user_model()
        .objects.filter(pk__in=list(user_ids), is_active=True)
        .exclude(email="")
        .prefetch_related("memberships__agency")
        .order_by("pk")
    )
    failed: list[int] = []
    connection = get_connection()
    try:
        connection.open()
    except MAIL_ERRORS:
        logger.warning("invitations: cannot reach the mail server", exc_info=True)
        return [user.pk for user in users if not user.has_usable_password()]
    try:
        for user in users:
            if user.has_usable_password():  # activated meanwhile
                continue
            message = _invitation_message(user)
            message.connection = connection
            try:
                message.send()
            except MAIL_ERRORS:
                logger.warning("invitation to user %s not sent", user.pk, exc_info=True)
                failed.append(user.pk)
    finally:
        connection.close()
    return failed


def users_reinvite(user_ids: Iterable[int]) -> tuple[int, int]:
    """A new invitation for each active user who has not set a password yet:
    a new unusable password makes earlier links useless. Returns (invited,
    skipped: inactive or already activated)."""
    User = get_user_model()
    users = list(User.objects.filter(pk__in=list(user_ids)))
    chosen = [u for u in users if u.is_active and u.email and not u.has_usable_password()]
    for user in chosen:
        user.password = unusable_password()
    with transaction.atomic():
        User.objects.bulk_update(chosen, ["password"], batch_size=BATCH)
        # bulk_update sends no signal; never signed in (no usable password), so no page read them.
        users_forget(user_ids=[user.pk for user in chosen], after_commit=False)
        if chosen:
            transaction.on_commit(partial(invitations_enqueue, [u.pk for u in chosen]), robust=True)
    return len(chosen), len(users) - len(chosen)


# Deactivation ----------------------------------------------------------------


def users_deactivate(user_ids: Iterable[int], *, by) -> int:
    """Deactivate these users (never `by` themself) and end their sessions.
    Returns how many were active."""
    ids = [pk for pk in user_ids if pk != by.pk]
    with transaction.atomic():
        count = get_user_model().objects.filter(pk__in=ids, is_active=True).update(is_active=False)
        users_forget(user_ids=ids)
    sessions_end(ids)
    return count


def sessions_end(user_ids: Iterable[int]) -> int:
    """Delete every stored session of these users, and its cached copy with
    the cached_db engine. Returns how many were deleted. (With a cache-only
    or cookie engine there is nothing stored to find: the inactive check of
    each request still signs them out.)"""
    wanted = {str(pk) for pk in user_ids}
    if not wanted:
        return 0
    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator(chunk_size=2000):
        if str(session.get_decoded().get(SESSION_KEY)) in wanted:
            keys.append(session.session_key)
    for key in keys:
        store(session_key=key).delete()
    Session.objects.filter(session_key__in=keys).delete()  # engines that keep rows but do not delete them
    return len(keys)
