"""Property-based fuzzing of every page (issue 14): every URL pattern the
portal answers, resolved with real ids of a small world, as every persona and
anonymous, driven with generated query strings and generated form posts built
from the page's own field names. Two properties:

- no answer is a server error (status < 500);
- a refused post writes nothing: when the answer is an error (4xx) or the form
  shown again with its errors, every table has the rows it had before.

Deterministic (derandomize=True) and small, so CI runs it in well under a
minute on SQLite; the failures it found are pinned one by one in
test_no_server_error.py."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib import admin
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from par import services as par_services
from plans.models import Heading, PlanImport
from plans.tests.factories import plan_draft
from reports import services as report_services
from reports.models import SummaryDocumentJob
from reports.tests.factories import PDF, report_fill, report_sent, report_world

# Examples per role (each drives every page once); FUZZ_EXAMPLES=20 for a longer hunt.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "2"))
ROLES = ["anonymous", "drafter", "head", "reviewer", "outsider", "admin"]

# Pages that render a whole document (WeasyPrint, python-docx): a second or so
# each, and they read no input beyond the ids; test_no_server_error.py and the
# document tests cover what they print.
SLOW = {"plans:pdf", "plans:docx", "reports:summary_document", "public:pdf"}

# Text that broke pages once, or could: control characters and NUL, numbers
# past every integer column, floats and words where counts go, huge ids, long
# strings, HTML and formulas, decomposed Vietnamese, right-to-left and emoji.
NASTY = [
    "", " ", "\x00", "a\x00b", "\x01\x08\x0b\x1b\x7f", "abc", "NaN", "nan", "inf", "-inf", "1e10", "1.5",
    "-1", "0", "00", "2147483647", "2147483648", "9223372036854775807", "9223372036854775808",
    str(2**63), str(-(2**63) - 1), "9" * 30, "1" * 400, "x" * 5000, "<script>alert(1)</script>",
    "=1+1", "../../etc/passwd", "Tuye\u0302\u0300n truye\u0302\u0300n", "\u202eabc", "😀", "\ud7ff",
    "31/02/2026", "2026-13-45", "00/00/0000", "true", "on", "[]", "{}", "%00", "\\", "'", '"',
]

INTEGERS = st.sampled_from([-1, 0, 1, 2**31, 2**63, -(2**63) - 1, 10**30]).map(str)
TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
NASTY_VALUE = st.one_of(st.sampled_from(NASTY), INTEGERS, TEXT)


IMPORT_TEXT = """ỦY BAN NHÂN DÂN HUYỆN MỘT
KẾ HOẠCH
Tuyên truyền cải cách hành chính năm 2027
I. MỤC ĐÍCH, YÊU CẦU
1. Mục đích
- Nâng cao nhận thức.
2. Yêu cầu
- Thường xuyên.
"""


@dataclass
class World:
    personas: object
    urls: list[tuple[str, str]] = field(default_factory=list)  # (pattern name, path)


def _patterns(resolver: URLResolver, namespace: str = "", prefix: str = ""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # the admin's own patterns: listed from the site's registry below
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _patterns(pattern, inner, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", list(pattern.pattern.regex.groupindex)


def _build_world(tree, personas, tmp_path, settings_) -> World:
    settings_.MEDIA_ROOT = str(tmp_path / "media")
    reports = report_world(tree=tree, personas=personas)
    draft = plan_draft(issuer=tree["district"], created_by=personas.drafter, leads=[tree["commune"]], year=2027)
    heading = Heading.objects.create(plan=draft, text="ĐỐI TƯỢNG", role=Heading.Role.OTHER, position=5)
    report = reports.report(tree["commune"], "Quý I/2026")
    report_fill(report)
    evidence = report_services.evidence_add(report=report, name="minh-chung.pdf", content=PDF,
                                            content_type="application/pdf", user=personas.head)
    sent = report_sent(report_fill(reports.report(tree["home_affairs"], "Quý I/2026")), by=personas.reviewer,
                       on=dt.date(2026, 4, 1))
    period = report.period
    importer = Client()
    importer.force_login(personas.drafter)
    imported = importer.post(reverse("plans:import"), {"issuer": tree["district"].pk, "text": IMPORT_TEXT})
    assert imported.status_code == 302, imported.content.decode()[:2000]
    plan_import = PlanImport.objects.latest("pk")
    # A summary document job of the reviewer's (its pages answer its asker only).
    job = SummaryDocumentJob.objects.create(user=personas.reviewer, period=period, agency=tree["district"],
                                            file_format=SummaryDocumentJob.Format.XLSX)
    # The commune's PAR self-assessment of 2026 (its pages take a unit, a year and a criterion's item).
    par_item = par_services.assessment_open(agency=tree["commune"], year=2026).items.order_by("pk").first()
    ids = {
        "plan_id": [draft.pk, reports.plan.pk],
        "task_id": [draft.tasks.first().pk],
        "heading_id": [heading.pk],
        "report_id": [report.pk, sent.pk],
        "evidence_id": [evidence.pk],
        "line_id": [report.lines.first().pk],
        "period_id": [period.pk],
        "agency_id": [tree["commune"].pk, tree["district2"].pk],
        "year": [2026],
        "import_id": [plan_import.pk],
        "section_slug": ["muc-dich", "noi-dung"],
        "part": ["units", "told"],
        "job_id": [job.pk],
        "item_id": [par_item.pk],
        "file_format": ["xlsx"],
        # Password reset and invitation links: a real user's id and token, and a forged one.
        "uidb64": [urlsafe_base64_encode(force_bytes(personas.outsider.pk)), urlsafe_base64_encode(b"9" * 30)],
        "token": [default_token_generator.make_token(personas.outsider), "abc-def"],
    }
    world = World(personas=personas)
    for name, params in _patterns(get_resolver()):
        if name in SLOW:
            continue
        if not params:
            world.urls.append((name, reverse(name)))
            continue
        # One url per value of the first parameter that has several, the others at their first.
        for key in params:
            for value in ids[key][: 2 if key == params[0] else 1]:
                kwargs = {p: (value if p == key else ids[p][0]) for p in params}
                if name == "plans:task_row" or name.startswith("plans:task_") and "task_id" in kwargs:
                    kwargs["plan_id"] = draft.pk  # the task belongs to the draft
                if name == "plans:edit_heading":
                    kwargs["plan_id"] = draft.pk
                if name in ("reports:evidence", "reports:evidence_delete", "api:report_evidence", "api:report_line"):
                    kwargs["report_id"] = report.pk  # the file and the line belong to the commune's report
                world.urls.append((name, reverse(name, kwargs=kwargs)))
            break
    for model, _model_admin in admin.site._registry.items():
        opts = model._meta
        world.urls.append((f"admin:{opts.app_label}_{opts.model_name}_changelist",
                           reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")))
        world.urls.append((f"admin:{opts.app_label}_{opts.model_name}_add",
                           reverse(f"admin:{opts.app_label}_{opts.model_name}_add")))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            world.urls.append((f"admin:{opts.app_label}_{opts.model_name}_change",
                               reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk])))
    world.urls = sorted(set(world.urls))
    return world


# Logs a refused request writes on purpose (a failed login is recorded and
# counted towards a lockout): not a partial write.
LOGS = {"accounts.AuditEvent", "axes.AccessAttempt", "axes.AccessFailureLog", "axes.AccessLog"}


def row_counts() -> dict[str, int]:
    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models()
        if m._meta.managed and not m._meta.proxy and m._meta.app_label not in ("sessions", "admin")
        and m._meta.label not in LOGS
    }


FIELD = re.compile(r"<(input|select|textarea)\b([^>]*)>", re.IGNORECASE)
ATTR = re.compile(r'(\w[\w-]*)="([^"]*)"')


def form_fields(html: str) -> dict[str, list[str]]:
    """name -> the values the page offers (its value, or its select's options)."""
    import html as html_lib

    fields: dict[str, list[str]] = {}
    for match in FIELD.finditer(html):
        attrs = dict(ATTR.findall(match.group(2)))
        name = attrs.get("name")
        if not name or name == "csrfmiddlewaretoken":
            continue
        values = fields.setdefault(html_lib.unescape(name), [])
        if attrs.get("type") == "file":
            values.append(FILE)
        elif "value" in attrs:
            values.append(html_lib.unescape(attrs["value"]))
    for select in re.finditer(r'<select[^>]*name="([^"]*)"[^>]*>(.*?)</select>', html, re.S | re.I):
        options = re.findall(r'<option([^>]*)value="([^"]*)"', select.group(2), re.I)
        chosen = [html_lib.unescape(v) for attrs, v in options if "selected" in attrs]
        others = [html_lib.unescape(v) for attrs, v in options if "selected" not in attrs and v]
        fields.setdefault(html_lib.unescape(select.group(1)), []).extend(chosen + others)
    for area in re.finditer(r'<textarea[^>]*name="([^"]*)"[^>]*>(.*?)</textarea>', html, re.S | re.I):
        text = html_lib.unescape(area.group(2)).removeprefix("\n")
        if text:
            fields.setdefault(html_lib.unescape(area.group(1)), []).append(text)
    return fields


FILE = "\x00file"  # marks a file input among a page's fields


def _files():
    """Uploads: junk, truncated or real containers, text with NUL, under names
    with control characters (at most 120 characters: the 400-character evidence
    name is pinned by the evidence work)."""
    import io

    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["Mã", "Tên đầy đủ", "Loại"])
    book.active.append(["X", "=1+1", "xã"])
    buffer = io.BytesIO()
    book.save(buffer)
    contents = st.one_of(
        st.binary(max_size=300),
        st.sampled_from([b"", b"PK\x03\x04" + b"\x00" * 50, b"%PDF-1.4\n" + b"\xff" * 50, buffer.getvalue(),
                         buffer.getvalue()[:400], "Mã,Tên đầy đủ,Loại\nX,Xã\x00 Một,xã\n".encode(),
                         "KẾ HOẠCH\nTuyên truyền\x00 năm 2027\nI. MỤC ĐÍCH\n- Một.\n".encode()]),
    )
    names = st.one_of(st.sampled_from(["a.csv", "a.xlsx", "a.docx", "a.pdf", "a.txt", "a.PNG", ".csv", "a"]),
                      st.text(max_size=100).map(lambda text: text + ".csv"),
                      st.sampled_from(["\x00.csv", "ke\x01hoach.docx", "x" * 115 + ".pdf"]))
    return st.builds(lambda name, content: (name, content), names, contents)


def _upload(data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    name, content = data.draw(_files(), label="file")
    return SimpleUploadedFile(name, content)


# A form shown again with its errors (Django's error lists, Bootstrap's invalid
# fields, the pages' own alert boxes) or an answer that refuses outright.
REFUSED = re.compile(r'errorlist|is-invalid|invalid-feedback|alert-danger|class="errornote"')


def _client(world: World, role: str) -> Client:
    client = Client(raise_request_exception=False)
    if role != "anonymous":
        client.force_login(getattr(world.personas, role))
    return client


def _form_post(data, fields: dict[str, list[str]]) -> dict:
    """Either every field kept or garbled at random, or the form as the page
    offers it with a single field garbled: that one reaches the checks (and
    the services) behind an otherwise valid form."""
    if not fields or data.draw(st.booleans(), label="all fields"):
        return {key: _value(data, offered) for key, offered in fields.items()}
    names = list(fields)
    garbled = data.draw(st.sampled_from(names), label="garbled field")
    post = {}
    for key, offered in fields.items():
        if key == garbled or not offered or FILE in offered:
            post[key] = _value(data, [v for v in offered if v != offered[0]] if key == garbled else offered)
        else:
            post[key] = offered[0]
    return post


def _value(data, offered: list[str]):
    if FILE in offered:
        return _upload(data)
    if offered and data.draw(st.booleans(), label="keep"):
        return data.draw(st.sampled_from(offered), label="offered")
    return data.draw(NASTY_VALUE, label="nasty")


def _short(data: dict) -> str:
    def short(value):
        if not isinstance(value, str):
            return f"<file {getattr(value, 'name', '')!r} {getattr(value, 'size', '')} bytes>"
        return value[:40] + "…" if len(value) > 40 else value

    return repr({key: short(value) for key, value in data.items()})


def _check(response, what: str) -> None:
    # The readiness probe's 503 is its answer (a service is down: no worker runs
    # here), not a server error; anything else of 5xx is.
    if " /healthz/ready" in what and response.status_code == 503:
        return
    assert response.status_code < 500, f"{what}: {response.status_code}"


QUERY_KEYS = ["page", "agency", "plan", "period", "parent", "issuer", "q", "status", "state", "year", "sort",
              "next", "kind", "o", "p", "_changelist_filters", "e", "nam", "goc", "cap"]
# What the POST-only actions read (review, remind, mark as read, confirm a move).
ACTION_FIELDS = {"decision": ["accept", "return"], "comment": [], "id": [], "report": [], "next": ["/"],
                 "confirm": ["on"], "reason": [], "lock_version": ["1"]}
# Actions that move or remove what other pages show: driven last.
LAST = ("delete", "withdraw", "submit", "issue", "record", "return", "amend", "copy", "cascade", "logout")


def _order(item: tuple[str, str]) -> tuple[bool, str, str]:
    name, url = item
    return (name.split(":")[-1].startswith(LAST), name, url)


def _post(client, world: World, role: str, url: str, post: dict) -> None:
    before = row_counts()
    response = client.post(url, post)
    _check(response, f"POST {url} as {role} with {_short(post)}")
    if response.streaming:
        b"".join(response.streaming_content)
        return
    refused = response.status_code >= 400 or (
        response.status_code == 200 and REFUSED.search(response.content.decode(errors="replace")))
    if refused:
        after = row_counts()
        changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
        assert not changed, f"POST {url} as {role} refused ({response.status_code}) but wrote {changed}: {_short(post)}"


def _drive(world: World, role: str, data) -> None:
    for name, url in sorted(world.urls, key=_order):
        client = _client(world, role)  # fresh each time: a logout or a password form may have ended the session
        # GET with generated query parameters.
        query = {key: data.draw(NASTY_VALUE, label=f"{name}?{key}") for key in
                 data.draw(st.lists(st.sampled_from(QUERY_KEYS), max_size=3, unique=True), label="keys")}
        page = client.get(url, query)
        _check(page, f"GET {url} {_short(query)} as {role}")
        if page.streaming:  # a file download: nothing to fill in (read through the client's wrapper,
            b"".join(page.streaming_content)  # which keeps the test's database connection open)
            continue
        if page.status_code == 405:  # a POST-only action: post what such actions read
            post = {key: _value(data, offered) for key, offered in ACTION_FIELDS.items()
                    if data.draw(st.booleans(), label=f"{name} {key}")}
            _post(client, world, role, url, post)
            continue
        if page.status_code != 200 or "html" not in page.get("Content-Type", ""):
            continue
        html = page.content.decode(errors="replace")
        fields = form_fields(html)
        # The page's own filters, all at once, each kept or garbled.
        filters = {key: _value(data, offered) for key, offered in fields.items() if key in QUERY_KEYS}
        if filters:
            _check(client.get(url, filters), f"GET {url} {_short(filters)} as {role}")
        if 'method="post"' not in html.lower() and "hx-post" not in html:
            continue
        _post(client, world, role, url, _form_post(data, fields))


@pytest.fixture
def world(tree, personas, tmp_path, settings) -> World:
    return _build_world(tree, personas, tmp_path, settings)


def test_the_world_reaches_every_page(world):
    """The discovery works: every pattern of the portal's own apps has a url."""
    names = {name for name, _ in world.urls}
    for name in ("plans:edit_section", "plans:task_edit", "reports:detail", "reports:evidence", "reports:summary",
                 "dashboard:index", "dashboard:xlsx", "plans:import_review", "admin:reports_notice_add"):
        assert name in names


@pytest.mark.parametrize("role", ROLES)
def test_no_input_gives_a_server_error_or_a_partial_write(world, role):
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def run(data):
        # Each example starts from the same world: what it changed (a deleted
        # draft, a submitted report) is rolled back with its savepoint.
        # The files too: the evidence a rolled-back delete removed comes back
        # (a row whose file is gone is the evidence work's case, issue 14 point 8).
        media = Path(django_settings.MEDIA_ROOT)
        kept = media.with_name("media-kept")
        shutil.rmtree(kept, ignore_errors=True)
        shutil.copytree(media, kept)
        try:
            with transaction.atomic():
                _drive(world, role, data)
                transaction.set_rollback(True)
        finally:
            shutil.rmtree(media)
            kept.rename(media)

    run()
