"""Issue 14 point 1: inputs that used to answer HTTP 500, each pinned here."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from plans.models import Clause, Plan
from plans.tests.factories import plan_draft


def _client(personas, who: str) -> Client:
    client = Client(raise_request_exception=True)
    personas.login(client, who)
    return client


def _row_counts() -> dict[str, int]:
    from django.apps import apps

    return {m._meta.label: m._default_manager.count() for m in apps.get_models()
            if m._meta.managed and not m._meta.proxy}


@pytest.mark.parametrize("field", ["TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"])
@pytest.mark.parametrize("value", ["abc", "", "1.5", "1e10", "NaN", "-1", "99999999999999999999999999999"])
def test_formset_management_fields_garbled_on_a_section_page(personas, tree, field, value):
    plan = plan_draft(issuer=tree["district"], created_by=personas.drafter)
    client = _client(personas, "drafter")
    url = reverse("plans:edit_section", args=[plan.pk, "muc-dich"])
    before = list(Clause.objects.filter(plan=plan).values_list("pk", "text"))
    data = {"rows-TOTAL_FORMS": "1", "rows-INITIAL_FORMS": "0", "rows-MIN_NUM_FORMS": "0",
            "rows-MAX_NUM_FORMS": "1000", "rows-0-level": "0", "rows-0-marker": "number",
            "rows-0-text": "Mới", "rows-0-ORDER": "1", "lock_version": str(plan.lock_version)}
    data[f"rows-{field}"] = value
    response = client.post(url, data)
    if field in ("MIN_NUM_FORMS", "MAX_NUM_FORMS") and response.status_code == 302:
        # Django does not read these from the post when they are well-formed: the row is simply saved.
        assert value in ("", "-1", "99999999999999999999999999999")
        return
    assert response.status_code == 200, response.status_code
    body = response.content.decode()
    assert "Dữ liệu gửi lên không đầy đủ hoặc đã bị thay đổi" in body or "quá nhiều dòng" in body, body[:500]
    assert list(Clause.objects.filter(plan=plan).values_list("pk", "text")) == before


@pytest.mark.parametrize("page", ["edit", "edit_headings", "edit_responsibilities"])
@pytest.mark.parametrize("value", ["abc", "1e10", "NaN", "-1"])
def test_formset_management_fields_garbled_on_every_formset_page(personas, tree, page, value):
    plan = plan_draft(issuer=tree["district"], created_by=personas.drafter)
    client = _client(personas, "drafter")
    url = reverse(f"plans:{page}", args=[plan.pk])
    prefix = "basis" if page == "edit" else "rows"
    form_page = client.get(url)
    assert form_page.status_code == 200
    before = _row_counts()
    version = Plan.objects.get(pk=plan.pk).lock_version
    response = client.post(url, {f"{prefix}-TOTAL_FORMS": value, f"{prefix}-INITIAL_FORMS": "0",
                                 "lock_version": str(version), "year_start": "2026", "kind": "yearly",
                                 "title": "Kế hoạch", "place": "Bình Giang"})
    assert response.status_code == 200, response.status_code
    assert "Dữ liệu gửi lên không đầy đủ hoặc đã bị thay đổi" in response.content.decode()
    assert _row_counts() == before
    assert Plan.objects.get(pk=plan.pk).lock_version == version


CONTROL = "\x01\x02\x08\x0b\x0c\x1b\x1f\x7f"


def test_an_issued_plan_with_control_characters_and_a_long_title_downloads(personas, tree, settings, tmp_path):
    """Stored past the forms (an import, an older version, the admin): control
    characters in every text and a 300-character title. An issued plan keeps
    the first file it renders, so a refusal here would be for good."""
    import io
    import re

    from docx import Document

    from plans.models import Task
    from plans.tests.factories import plan_issued

    settings.MEDIA_ROOT = str(tmp_path)
    long_title = ("Tuyên truyền cải cách hành chính" + CONTROL + " năm 2026 ") * 8
    assert len(long_title) > 255
    plan = plan_issued(issuer=tree["district"], drafter=personas.drafter, head=personas.head,
                       leads=[tree["commune"]], title=long_title,
                       basis_lead_in="Ủy ban nhân dân" + CONTROL + " ban hành:", place="Bình" + CONTROL + " Giang")
    Task.objects.filter(plan=plan).update(content="Nhiệm vụ" + CONTROL, product="Tin" + CONTROL,
                                          timeframe="Quý" + CONTROL)
    Plan.objects.filter(pk=plan.pk).update(signer_name="Nguyễn" + CONTROL + " Văn An",
                                           signer_position="PHÓ" + CONTROL + " CHỦ TỊCH")
    Clause.objects.filter(plan=plan).update(text="Nội dung" + CONTROL)
    client = _client(personas, "head")
    for _ in range(2):  # the first download stores the file, the second reads it
        docx = client.get(reverse("plans:docx", args=[plan.pk]))
        assert docx.status_code == 200
        document = Document(io.BytesIO(docx.content))
        assert len(document.core_properties.title) <= 255
        assert document.core_properties.title.startswith("KẾ HOẠCH Tuyên truyền cải cách hành chính năm 2026")
        xml = docx.content
        assert xml.startswith(b"PK")
        text = "\n".join(p.text for p in document.paragraphs)
        assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text)
        pdf = client.get(reverse("plans:pdf", args=[plan.pk]))
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


@pytest.fixture
def controlled_names(tree):
    """Agency names with control characters, stored past the forms (the admin, an old import)."""
    from agencies.models import Agency

    Agency.objects.filter(pk=tree["commune"].pk).update(name="Ủy ban nhân dân xã" + CONTROL + " Một",
                                                        short_name="Xã\x00Một"[:0] + "Xã" + CONTROL)
    Agency.objects.filter(pk=tree["district2"].pk).update(name="=HYPERLINK(\"x\")" + CONTROL)
    return tree


def _xlsx_strings(content: bytes) -> list[str]:
    import io

    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return [str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row if v]


def test_agency_exports_with_control_characters_in_names(controlled_names, personas, tmp_path):
    from django.core.management import call_command

    client = _client(personas, "admin")
    response = client.get(reverse("admin:agencies_agency_export", args=["xlsx"]))
    assert response.status_code == 200
    cells = _xlsx_strings(response.content)
    assert "Ủy ban nhân dân xã Một" in cells and "'=HYPERLINK(\"x\")" in cells
    out = tmp_path / "don-vi.xlsx"
    call_command("export_agencies", "--format", "xlsx", "-o", str(out))
    assert "Ủy ban nhân dân xã Một" in _xlsx_strings(out.read_bytes())


def test_dashboard_xlsx_with_control_characters_in_names(controlled_names, personas):
    from dashboard.tests.factories import dashboard_world

    dashboard_world(tree=controlled_names, personas=personas)
    client = _client(personas, "head")
    response = client.get(reverse("dashboard:xlsx"))
    assert response.status_code == 200, response.status_code
    cells = _xlsx_strings(response.content)
    assert any("Ủy ban nhân dân xã Một" in c for c in cells), cells[:20]


HUGE_ID = "9" * 30


def test_a_30_digit_id_in_a_multiple_choice_field(personas, tree):
    """The task form's «Phối hợp» posted with a 30-digit id (OverflowError on SQLite)."""
    plan = plan_draft(issuer=tree["district"], created_by=personas.drafter, leads=[tree["commune"]])
    client = _client(personas, "drafter")
    before = _row_counts()
    response = client.post(reverse("plans:task_new", args=[plan.pk]), {
        "content": "Nhiệm vụ mới", "lead_agency": tree["commune"].pk, "coordinating_agencies": [HUGE_ID],
        "timeframe": "Quý I", "product": "Tin",
    })
    assert response.status_code == 200
    assert "không thuộc cơ quan ban hành" in response.content.decode()
    assert _row_counts() == before


@pytest.mark.parametrize("model", ["reports_notice", "reports_evidence", "reports_report", "plans_planimport"])
def test_read_only_models_have_no_add_form_in_the_admin(personas, model):
    """An empty «add» form for Notice or Evidence was an IntegrityError."""
    client = _client(personas, "admin")
    before = _row_counts()
    assert client.get(reverse(f"admin:{model}_add")).status_code == 403
    assert client.post(reverse(f"admin:{model}_add"), {"_save": ""}).status_code == 403
    assert _row_counts() == before
    assert client.get(reverse(f"admin:{model}_changelist")).status_code == 200


def test_admin_autocomplete_field_posted_with_text(personas):
    """The agency add form shown again with «successor» = "abc" (its autocomplete
    widget looked the posted value up as an id: ValueError)."""
    client = _client(personas, "admin")
    before = _row_counts()
    response = client.post(reverse("admin:agencies_agency_add"), {
        "code": "Z", "name": "Đơn vị Z", "kind": "office", "successor": "᚛ᚄᚓᚐ", "parent": HUGE_ID,
        "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0"})
    assert response.status_code == 200
    assert "errornote" in response.content.decode()
    assert _row_counts() == before


def _no_nul_anywhere() -> None:
    """No text column of any table holds a NUL (PostgreSQL refuses one; SQLite would keep it)."""
    from django.apps import apps
    from django.db import models

    for model in apps.get_models():
        if not model._meta.managed or model._meta.proxy:
            continue
        for column in model._meta.get_fields():
            if isinstance(column, (models.CharField, models.TextField)) and column.concrete:
                values = model._default_manager.values_list(column.name, flat=True)
                assert not any("\x00" in (value or "") for value in values), f"{model._meta.label}.{column.name}"


def test_nul_in_per_line_review_comments(personas, tree):
    from reports.models import ReportEvent
    from reports.tests.factories import report_fill, report_sent, report_world

    world = report_world(tree=tree, personas=personas)
    report = report_sent(report_fill(world.report(tree["commune"], "Quý I/2026")), by=personas.head)
    line = report.lines.first()
    client = _client(personas, "reviewer")
    response = client.post(reverse("reports:review", args=[report.pk]), {
        "decision": "return", "comment": "Bổ sung\x00 số liệu", f"lc-{line.pk}": "Thiếu\x00 ảnh\x00"})
    assert response.status_code == 302
    event = ReportEvent.objects.filter(report=report).latest("pk")
    assert event.comment == "Bổ sung số liệu"
    _no_nul_anywhere()


def test_nul_in_the_agency_csv_after_the_first_2_kb_through_the_admin(personas, tree):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from agencies.models import Agency
    from agencies.tests.test_import_export import csv_bytes

    filler = [f"N{i},Ủy ban nhân dân xã số {i},,xã,UBND,Một,P,,,,," for i in range(60)]
    content = csv_bytes(*filler, "N-Z,Ủy ban\x00 nhân dân xã Cuối\x00,,xã,UBND,Cuối,P,,,,,")
    assert content.index(b"\x00") > 2048
    client = _client(personas, "admin")
    response = client.post(reverse("admin:agencies_agency_import"),
                           {"file": SimpleUploadedFile("don-vi\x00.csv", content, "text/csv")})
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert Agency.objects.get(code="N-Z").name == "Ủy ban nhân dân xã Cuối"
    _no_nul_anywhere()


def test_nul_in_a_plan_import_file_name_and_text(personas, tree):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from plans.models import PlanImport

    client = _client(personas, "drafter")
    text = "KẾ HOẠCH\nTuyên truyền cải cách hành chính năm 2027\nI. MỤC ĐÍCH\n- Nâng cao\x01 nhận thức.\n"
    response = client.post(reverse("plans:import"), {
        "issuer": tree["district"].pk, "file": SimpleUploadedFile("ke-hoach\x00.txt", text.encode())})
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert PlanImport.objects.get().filename == "ke-hoach.txt"
    response = client.post(reverse("plans:import"), {"issuer": tree["district"].pk, "text": text + "\x00"})
    assert response.status_code == 302
    _no_nul_anywhere()


def test_admin_list_filtered_by_a_foreign_key_past_bigint(personas):
    """/admin/plans/clause/?plan=9223372036854775808 (OverflowError on SQLite)."""
    client = _client(personas, "admin")
    for value in (str(2**63), HUGE_ID):
        response = client.get(reverse("admin:plans_clause_changelist"), {"plan": value})
        assert response.status_code == 200


@pytest.mark.parametrize("param", ["agency", "parent", "plan", "period", "page"])
@pytest.mark.parametrize("value", [str(2**63), HUGE_ID, "²", "-1", "abc"])
def test_dashboard_query_strings_with_impossible_ids(personas, tree, param, value):
    from dashboard.tests.factories import dashboard_world

    dashboard_world(tree=tree, personas=personas)
    client = _client(personas, "head")
    for name in ("dashboard:index", "dashboard:xlsx"):
        response = client.get(reverse(name), {param: value})
        assert response.status_code in (200, 404), (name, response.status_code)
        if param == "agency":
            assert response.status_code == 404


def test_summary_and_notifications_with_impossible_ids(personas, tree):
    from reports.tests.factories import report_world

    world = report_world(tree=tree, personas=personas)
    period = world.periods["Quý I/2026"]
    client = _client(personas, "reviewer")
    for value in ("²", str(2**63), HUGE_ID):
        assert client.get(reverse("reports:summary", args=[period.pk]), {"agency": value}).status_code == 404
        response = client.post(reverse("reports:notifications_read"), {"id": value})
        assert response.status_code == 302
        response = client.post(reverse("reports:summary_remind", args=[period.pk]), {"report": [value, "²"]})
        assert response.status_code in (302, 403, 404)


@pytest.mark.parametrize("number", ["2147483648", "9" * 30])
def test_an_imported_plan_whose_decision_number_is_past_any_integer_column(personas, tree, number):
    """«kèm theo Quyết định số 2147483648/QĐ-UBND» (DataError on PostgreSQL, OverflowError on SQLite)."""
    from plans import services
    from plans.importing import recognise

    text = (f"ỦY BAN NHÂN DÂN HUYỆN MỘT\nSố: {number}/KH-UBND\nMột, ngày 10 tháng 01 năm 2027\nKẾ HOẠCH\nTuyên truyền cải cách hành chính năm 2027\n"
            f"(Kèm theo Quyết định số {number}/QĐ-UBND ngày 05/01/2027 của UBND huyện)\n"
            "I. MỤC ĐÍCH, YÊU CẦU\n1. Mục đích\n- Nâng cao nhận thức.\n")
    structure = recognise(text.encode())
    structure.pop("source_lines", None)
    plan = services.plan_draft_from_import(structure=structure, issuer=tree["district"], user=personas.drafter,
                                           source_name="kh.txt")
    plan.refresh_from_db()
    assert plan.decision_number is None and plan.number is None


@pytest.mark.parametrize("number", ["2147483648", "99999999", "9" * 30, "1e10", "-1", "０５"])
def test_a_plan_number_past_the_bound_is_refused_when_issuing(personas, tree, number):
    import datetime as dt

    from plans.tests.factories import plan_submitted

    plan = plan_submitted(plan_draft(issuer=tree["district"], created_by=personas.drafter,
                                     leads=[tree["commune"]]), user=personas.drafter, on=dt.date(2026, 1, 5))
    client = _client(personas, "head")
    before = _row_counts()
    response = client.post(reverse("plans:issue", args=[plan.pk]), {
        "number": number, "issue_date": "08/01/2026", "signer_position": "CHỦ TỊCH", "signer_name": "Nguyễn Văn An"})
    assert response.status_code == 200
    assert "Nhập số văn bản bằng chữ số" in response.content.decode()
    assert _row_counts() == before
    assert Plan.objects.get(pk=plan.pk).status == Plan.Status.SUBMITTED


@pytest.mark.parametrize("quantity", [str(2**31), str(2**63), "9" * 30])
def test_a_task_target_past_the_column_is_refused(personas, tree, quantity):
    plan = plan_draft(issuer=tree["district"], created_by=personas.drafter, leads=[tree["commune"]])
    client = _client(personas, "drafter")
    before = _row_counts()
    response = client.post(reverse("plans:task_new", args=[plan.pk]), {
        "content": "Nhiệm vụ mới", "lead_agency": tree["commune"].pk, "target_quantity": quantity,
        "timeframe": "Quý I", "product": "Tin"})
    assert response.status_code == 200
    assert "Chỉ tiêu tối đa 1.000.000.000" in response.content.decode()
    assert _row_counts() == before


@pytest.mark.parametrize("query", [
    {"year": "1e400"}, {"year": HUGE_ID}, {"year": "-" + HUGE_ID}, {"issuer": HUGE_ID}, {"page": HUGE_ID},
    {"page": "NaN"}, {"period": HUGE_ID}, {"state": "\x00"}, {"q": "\x00" * 3 + "x" * 5000},
])
def test_list_filters_with_impossible_values(personas, tree, query):
    from reports.tests.factories import report_world

    report_world(tree=tree, personas=personas)
    for who in ("drafter", "reviewer", "admin"):
        client = _client(personas, who)
        for name in ("plans:list", "reports:index", "home"):
            response = client.get(reverse(name), query)
            assert response.status_code in (200, 404), (who, name, response.status_code)


def test_every_admin_add_form_posted_empty_writes_nothing(personas):
    """An empty «add» form of any model in the admin: refused with its errors, or no add form at all."""
    from django.contrib import admin

    client = _client(personas, "admin")
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
        before = _row_counts()
        response = client.post(url, {"_save": ""})
        assert response.status_code in (200, 403), (url, response.status_code)
        assert _row_counts() == before, url
        if response.status_code == 200:
            assert "errornote" in response.content.decode(), url


def test_agency_admin_list_with_unknown_lookups(personas, tree):
    """/admin/agencies/agency/?e=1&plan=x: Django's "invalid setup" page, which the
    tree admin decorated with scripts it has no room for (KeyError: 'media')."""
    client = _client(personas, "admin")
    response = client.get(reverse("admin:agencies_agency_changelist"), {"plan": "x"})
    assert response.status_code == 302 and "e=1" in response["Location"]
    response = client.get(reverse("admin:agencies_agency_changelist"), {"plan": "x", "e": "1"})
    assert response.status_code == 200
    response = client.get(reverse("admin:agencies_agency_changelist"), {"e": "1"})
    assert response.status_code == 200 and "Ủy ban nhân dân huyện Một" in response.content.decode()


def test_a_huge_row_count_builds_no_forms(db):
    """rows-TOTAL_FORMS=10**29 made Django build 2,000 forms before refusing them (13 s for one post)."""
    from plans.forms import ClauseRows

    rows = ClauseRows({"rows-TOTAL_FORMS": "9" * 29, "rows-INITIAL_FORMS": "0"}, prefix="rows")
    assert not rows.is_valid()
    assert rows.forms == []
    assert "quá nhiều dòng" in " ".join(rows.non_form_errors())
