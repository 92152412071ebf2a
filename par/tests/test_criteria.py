"""Criteria as data: thresholds, the admin (inline criteria, copy to next
year, the default set, export), and the XLSX import/export of a set."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from par.criteria_xlsx import COLUMNS, criteria_set_export, criteria_set_import, criteria_template_export
from par.defaults import TAGS
from par.models import Assessment, CriteriaSet, Criterion, Level, Measure, Tag
from par.services import criteria_set_default_create
from par.thresholds import points_for, thresholds_errors, thresholds_parse
from plans.models import Area, Channel
from plans.reference import reference_lists_ensure

D = Decimal

# Thresholds -----------------------------------------------------------------


def test_thresholds_read_the_vietnamese_way():
    assert thresholds_parse("100: 1; 80: 0,5") == [(D(100), D(1)), (D(80), D("0.5"))]
    assert thresholds_parse("100%: 1\n80%: 0.5") == [(D(100), D(1)), (D(80), D("0.5"))]
    assert thresholds_parse("1.000,5: 2") == [(D("1000.5"), D(2))]
    assert thresholds_parse("") == []
    pairs = thresholds_parse("100: 1; 80: 0,5")
    assert points_for(D(100), pairs, max_score=D(1)) == D(1)
    assert points_for(D("85.5"), pairs, max_score=D(1)) == D("0.5")
    assert points_for(D(79), pairs, max_score=D(1)) == D(0)
    assert points_for(None, pairs, max_score=D(1)) == D(0)


@pytest.mark.parametrize(("text", "message"), [
    ("100 1", "thiếu dấu hai chấm"),
    ("abc: 1", "không phải «ngưỡng: điểm» bằng số"),
    ("80: 0,5; 100: 1", "từ cao xuống thấp"),
    ("100: 0,5; 80: 1", "không được nhiều điểm hơn"),
    ("100: 2", "vượt điểm tối đa 1"),
    ("-5: 0", "không được âm"),
])
def test_thresholds_errors_say_what_is_wrong_in_vietnamese(text, message):
    assert message in thresholds_errors(text, max_score=D(1))
    with pytest.raises(ValidationError) as caught:
        Criterion(code="1", title="x", max_score=D(1), measure=Measure.TASKS_DONE, thresholds=text).clean()
    assert message in caught.value.message_dict["thresholds"][0]


def test_an_automatic_measure_needs_thresholds_and_a_counter_total_its_counter():
    with pytest.raises(ValidationError) as caught:
        Criterion(code="1", title="x", max_score=D(1), measure=Measure.COUNTER_TOTAL, thresholds="").clean()
    assert set(caught.value.message_dict) == {"counter", "thresholds"}


# Admin ------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, personas):
    return personas.login(client, "admin")


@pytest.fixture
def default_set(db):
    reference_lists_ensure(Area, Channel)
    return criteria_set_default_create(year=2026, level=Level.COMMUNE)


def test_only_system_admins_reach_the_criteria_admin(client, personas, default_set):
    personas.login(client, "head")
    assert client.get(reverse("admin:par_criteriaset_changelist")).status_code == 302
    assert client.get(reverse("admin:par_criteriaset_import")).status_code == 302


def test_admin_pages_open(admin_client, default_set):
    for name, args in [("admin:par_criteriaset_changelist", []), ("admin:par_criteriaset_change", [default_set.pk]),
                       ("admin:par_criteriaset_add", []), ("admin:par_criteriaset_import", []),
                       ("admin:par_criteriaset_default", []), ("admin:par_tag_changelist", []),
                       ("admin:par_assessment_changelist", []), ("admin:par_evidencepack_changelist", [])]:
        response = admin_client.get(reverse(name, args=args))
        assert response.status_code == 200, name
    page = admin_client.get(reverse("admin:par_criteriaset_change", args=[default_set.pk])).content.decode()
    assert "1.4.2" in page and "100: 1; 80: 0,5" in page
    assert reverse("admin:par_criteriaset_export", args=[default_set.pk]) in page


def _inline_post(criteria_set: CriteriaSet, changes: dict[str, dict]) -> dict:
    """The change form as the browser sends it, with `changes` (by code) applied."""
    criteria = list(criteria_set.criteria.order_by("position", "pk"))
    data = {"year": criteria_set.year, "level": criteria_set.level, "title": criteria_set.title,
            "source": criteria_set.source, "criteria-TOTAL_FORMS": len(criteria),
            "criteria-INITIAL_FORMS": len(criteria), "criteria-MIN_NUM_FORMS": 0, "criteria-MAX_NUM_FORMS": 1000,
            "_save": "Lưu"}
    for n, c in enumerate(criteria):
        row = {"id": c.pk, "criteria_set": criteria_set.pk, "position": c.position, "code": c.code, "title": c.title,
               "max_score": c.max_score, "measure": c.measure, "counter": c.counter_id or "",
               "thresholds": c.thresholds, "tag": c.tag_id or "", "parent": c.parent_id or "", "guidance": c.guidance}
        row |= changes.get(c.code, {})
        data |= {f"criteria-{n}-{key}": value for key, value in row.items()}
    return data


def test_admin_inline_refuses_bad_thresholds_in_vietnamese(admin_client, default_set):
    url = reverse("admin:par_criteriaset_change", args=[default_set.pk])
    response = admin_client.post(url, _inline_post(default_set, {"1.4.2": {"thresholds": "80: 0,5; 100: 1"}}))
    assert response.status_code == 200
    assert "Ngưỡng phải xếp từ cao xuống thấp" in response.content.decode()
    assert Criterion.objects.get(criteria_set=default_set, code="1.4.2").thresholds == "100: 1; 80: 0,5"


def test_admin_inline_refuses_children_above_their_parent(admin_client, default_set):
    url = reverse("admin:par_criteriaset_change", args=[default_set.pk])
    response = admin_client.post(url, _inline_post(default_set, {"1.4": {"max_score": "2"}}))
    assert response.status_code == 200
    assert "vượt điểm tối đa của tiêu chí này" in response.content.decode()
    assert Criterion.objects.get(criteria_set=default_set, code="1.4").max_score == D("3.5")


def test_admin_inline_saves_and_places_a_new_row_by_its_code(admin_client, default_set):
    url = reverse("admin:par_criteriaset_change", args=[default_set.pk])
    data = _inline_post(default_set, {"1.4.2": {"thresholds": "100: 1; 90: 0,75; 80: 0,5"}})
    n = data["criteria-TOTAL_FORMS"]
    data["criteria-TOTAL_FORMS"] = n + 1
    data |= {f"criteria-{n}-criteria_set": default_set.pk, f"criteria-{n}-position": 20,
             f"criteria-{n}-code": "1.4.6.1", f"criteria-{n}-title": "Sáng kiến được công nhận",
             f"criteria-{n}-max_score": "0.25", f"criteria-{n}-measure": "manual"}
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    new = Criterion.objects.get(criteria_set=default_set, code="1.4.6.1")
    assert new.parent.code == "1.4.6" and new.max_score == D("0.25")
    assert Criterion.objects.get(criteria_set=default_set, code="1.4.2").thresholds == "100: 1; 90: 0,75; 80: 0,5"


def test_admin_copy_action_copies_to_next_year_and_says_when_it_exists(admin_client, default_set):
    url = reverse("admin:par_criteriaset_changelist")
    data = {"action": "copy_to_next_year", "_selected_action": [default_set.pk]}
    response = admin_client.post(url, data, follow=True)
    copy = CriteriaSet.objects.get(year=2027, level=Level.COMMUNE)
    assert copy.copied_from == default_set
    assert list(copy.criteria.values_list("code", "parent__code", "thresholds", "tag_id").order_by("position")) == \
        list(default_set.criteria.values_list("code", "parent__code", "thresholds", "tag_id").order_by("position"))
    assert "Đã sao chép" in response.content.decode()
    response = admin_client.post(url, data, follow=True)
    assert "Năm 2027 đã có bộ tiêu chí cấp «UBND xã, phường, đặc khu»" in response.content.decode()
    assert CriteriaSet.objects.filter(year=2027).count() == 1


def test_admin_default_set_page_creates_once(admin_client, db):
    reference_lists_ensure(Area, Channel)
    url = reverse("admin:par_criteriaset_default")
    response = admin_client.post(url, {"year": 2030, "level": Level.DEPARTMENT})
    made = CriteriaSet.objects.get(year=2030, level=Level.DEPARTMENT)
    assert response.status_code == 302 and made.criteria.count() == 8
    response = admin_client.post(url, {"year": 2030, "level": Level.DEPARTMENT})
    assert response.status_code == 200
    assert "Năm này đã có bộ tiêu chí cho cấp này." in response.content.decode()


def test_admin_exports_one_set_as_xlsx_and_several_as_a_zip(admin_client, default_set):
    other = criteria_set_default_create(year=2026, level=Level.DEPARTMENT)
    url = reverse("admin:par_criteriaset_changelist")
    one = admin_client.post(url, {"action": "export_xlsx", "_selected_action": [default_set.pk]})
    assert one["Content-Type"].startswith("application/vnd.openxmlformats")
    assert openpyxl.load_workbook(io.BytesIO(one.content)).active["A4"].value == "Số hiệu"
    both = admin_client.post(url, {"action": "export_xlsx", "_selected_action": [default_set.pk, other.pk]})
    assert sorted(zipfile.ZipFile(io.BytesIO(both.content)).namelist()) == [
        "bo-tieu-chi-commune-2026.xlsx", "bo-tieu-chi-department-2026.xlsx"]
    template = admin_client.get(reverse("admin:par_criteriaset_template"))
    assert openpyxl.load_workbook(io.BytesIO(template.content)).active["A6"].value == "1.4"


# XLSX import / export ----------------------------------------------------------

FIELDS = ["position", "code", "title", "max_score", "measure", "counter_id", "thresholds", "tag_id", "guidance"]


def _rows(criteria_set: CriteriaSet) -> list[tuple]:
    return [tuple(getattr(c, f) for f in FIELDS) + (c.parent.code if c.parent else None,)
            for c in criteria_set.criteria.select_related("parent").order_by("position", "pk")]


def test_round_trip_export_then_import_as_another_year_keeps_every_field(default_set):
    Criterion.objects.filter(criteria_set=default_set, code="1.4.6").update(
        guidance="- Mô hình mới; = sáng kiến\n- dòng hai", title="Có cách làm mới (sáng tạo) trong tuyên truyền")
    default_set.source = "Quyết định số 1149/QĐ-BNV"
    default_set.save()
    imported = criteria_set_import(io.BytesIO(criteria_set_export(default_set)), year=2028, level=Level.COMMUNE)
    assert (imported.year, imported.level, imported.title, imported.source) == (
        2028, Level.COMMUNE, default_set.title, "Quyết định số 1149/QĐ-BNV")
    assert _rows(imported) == _rows(default_set)
    assert Tag.objects.count() == len(TAGS)  # the tags were found by their names, not made again


def test_the_template_is_the_default_set(db):
    reference_lists_ensure(Area, Channel)
    made = criteria_set_default_create(year=2026, level=Level.COMMUNE)
    imported = criteria_set_import(criteria_template_export(Level.COMMUNE), year=2029, level=Level.COMMUNE)
    assert _rows(imported) == _rows(made)


def _sheet(rows: list[list], *, header: list[str] | None = None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Bộ tiêu chí thử"])
    sheet.append(["Căn cứ: Quyết định thử"])
    sheet.append([])
    sheet.append(header or COLUMNS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


GOOD = [
    ["1", "Chỉ đạo, điều hành", 2, "", "", "", "", ""],
    ["1.1", "Kế hoạch đúng hạn", "0,5", "plan_on_time", "", "100: 0,5", "Kế hoạch CCHC", ""],
    ["1.2", "Tin bài", 1, "Tổng một chỉ tiêu số liệu trong năm", "tin_bai_cong", "12: 1; 6: 0,5", "tuyen-truyen", ""],
]


def test_import_a_good_file_finds_counters_makes_unknown_tags_and_the_tree(db):
    reference_lists_ensure(Area, Channel)
    Tag.objects.create(code="tuyen-truyen", name="Tuyên truyền")
    made = criteria_set_import(_sheet(GOOD), year=2026, level=Level.DEPARTMENT)
    assert (made.title, made.source) == ("Bộ tiêu chí thử", "Quyết định thử")
    one, first, second = made.criteria.order_by("position")
    assert first.parent == one and second.parent == one and one.parent is None
    assert first.max_score == D("0.5") and first.measure == Measure.PLAN_ON_TIME
    assert first.tag.code == "ke-hoach-cchc" and first.tag.name == "Kế hoạch CCHC"
    assert second.tag.code == "tuyen-truyen" and second.counter.code == "tin_bai_cong"


def _refused(content: bytes, **kwargs) -> list[str]:
    sets, tags = CriteriaSet.objects.count(), Tag.objects.count()
    with pytest.raises(ValidationError) as caught:
        criteria_set_import(content, year=kwargs.pop("year", 2026), level=kwargs.pop("level", Level.COMMUNE),
                            **kwargs)
    assert (CriteriaSet.objects.count(), Tag.objects.count()) == (sets, tags)  # nothing written
    return [m for messages in caught.value.message_dict.values() for m in messages]


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.mark.django_db
@pytest.mark.parametrize(("content", "message"), [
    (PNG, "không phải Excel"),
    (b"PK\x03\x04 this is no zip at all", "Không đọc được tệp Excel"),
    (b"", "không phải Excel"),
    (b"PK\x03\x04" + b"\x00" * 100, "Không đọc được tệp Excel"),
    (b"PK\x03\x04" + b"0" * (2 * 1024 * 1024), "lớn hơn 2 MB"),
])
def test_import_refuses_what_is_not_an_xlsx(content, message):
    errors = _refused(content)
    assert any(message in e for e in errors), errors


@pytest.mark.django_db
def test_import_refuses_missing_columns():
    errors = _refused(_sheet(GOOD, header=["Số hiệu", "Nội dung", "Cách tính"]))
    assert errors == ["Thiếu cột «Điểm tối đa» ở dòng tiêu đề (dòng 4)."]
    errors = _refused(_sheet(GOOD, header=["STT", "Nội dung"]))
    assert "Không tìm thấy dòng tiêu đề" in errors[0]


@pytest.mark.django_db
def test_import_refuses_too_many_rows():
    rows = [[f"{n}", "Tiêu chí", 1, "", "", "", "", ""] for n in range(1, 400)]
    assert "quá 300 tiêu chí" in _refused(_sheet(rows))[0]


def test_bad_rows_write_nothing_and_name_row_and_column(db):
    reference_lists_ensure(Area, Channel)
    rows = [
        ["1", "Chỉ đạo", 1, "", "", "", "Nhãn mới không được tạo", ""],  # row 5: children 1.1+1.2 = 1,5 > 1
        ["1.1", "Kế hoạch", "nửa", "plan_on_time", "", "100: 0,5", "", ""],  # row 6: bad number
        ["1.2", "Nhiệm vụ", 1, "tính nhẩm", "", "", "", ""],  # row 7: unknown measure
        ["1.3", "Báo cáo", "0,5", "reports_on_time", "", "80: 0,5; 100: 0,25", "", ""],  # row 8: thresholds
        ["1.2", "Trùng", 0, "", "", "", "", ""],  # row 9: duplicate code
        ["2.1", "Mồ côi", 0, "", "", "", "", ""],  # row 10: no parent 2
        ["1.4", "Tin bài", "0,5", "counter_total", "", "12: 0,5", "", ""],  # row 11: counter missing
        ["1.5", "Chỉ tiêu lạ", "0,5", "counter_total", "khong-co", "12: 0,5", "", ""],  # row 12: unknown counter
        ["1.6", "Tự động không ngưỡng", "0,5", "tasks_done", "", "", "", ""],  # row 13: no thresholds
        ["", "", None, "", "", "", "", ""],  # blank: skipped
        ["", "Không số hiệu", 1, "", "", "", "", ""],  # row 15
    ]
    errors = _refused(_sheet(rows))
    expected = [
        "Dòng 5, cột «Điểm tối đa»: tổng điểm tối đa các tiêu chí con (3) vượt điểm tối đa của tiêu chí «1» (1).",
        "Dòng 6, cột «Điểm tối đa»: «nửa» không phải là số.",
        "Dòng 7, cột «Cách tính»: «tính nhẩm» không phải cách tính nào của cổng",
        "Dòng 8, cột «Ngưỡng → điểm»: Ngưỡng phải xếp từ cao xuống thấp, không trùng nhau.",
        "Dòng 9, cột «Số hiệu»: số hiệu «1.2» trùng với dòng 7.",
        "Dòng 10, cột «Số hiệu»: chưa có tiêu chí «2» chứa tiêu chí «2.1».",
        "Dòng 11, cột «Chỉ tiêu»: cách tính «Tổng một chỉ tiêu số liệu» cần ghi chỉ tiêu",
        "Dòng 12, cột «Chỉ tiêu»: không có chỉ tiêu số liệu «khong-co».",
        "Dòng 13, cột «Ngưỡng → điểm»: cách tính tự động cần ngưỡng",
        "Dòng 15, cột «Số hiệu»: chưa ghi số hiệu.",
    ]
    for line in expected:
        assert any(e.startswith(line) for e in errors), (line, errors)
    assert len(errors) == len(expected), "\n".join(errors)


def test_import_replaces_only_when_asked_and_unused(default_set, tree):
    content = _sheet(GOOD[:2])
    errors = _refused(content, year=2026, level=Level.COMMUNE)
    assert "Chọn «Thay thế bộ đã có»" in errors[0]
    replaced = criteria_set_import(content, year=2026, level=Level.COMMUNE, replace=True)
    assert replaced.pk == default_set.pk and replaced.criteria.count() == 2
    Assessment.objects.create(agency=tree["commune"], criteria_set=replaced, year=2026)
    errors = _refused(_sheet(GOOD[:1]), year=2026, level=Level.COMMUNE, replace=True)
    assert "đã được đơn vị dùng để tự đánh giá" in errors[0]
    assert replaced.criteria.count() == 2


def test_import_page_shows_errors_next_to_the_field_and_keeps_the_input(admin_client, default_set):
    url = reverse("admin:par_criteriaset_import")
    png = io.BytesIO(PNG)
    png.name = "bo-tieu-chi.xlsx"
    response = admin_client.post(url, {"file": png, "year": 2031, "level": Level.DEPARTMENT,
                                       "title": "Bộ của tỉnh <b>"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "không phải Excel" in page
    assert 'value="2031"' in page and 'value="Bộ của tỉnh &lt;b&gt;"' in page
    assert '<option value="department" selected>' in page
    good = io.BytesIO(criteria_set_export(default_set))
    good.name = "bo.xlsx"
    response = admin_client.post(url, {"file": good, "year": 2026, "level": Level.COMMUNE})
    assert "Chọn «Thay thế bộ đã có»" in response.content.decode()  # next to «replace», nothing written
    good.seek(0)
    response = admin_client.post(url, {"file": good, "year": 2031, "level": Level.DEPARTMENT, "title": "Bộ của tỉnh"})
    made = CriteriaSet.objects.get(year=2031, level=Level.DEPARTMENT)
    assert response.status_code == 302 and made.title == "Bộ của tỉnh" and made.criteria.count() == 8


@pytest.mark.django_db
def test_import_refuses_a_zip_bomb():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (50 * 1024 * 1024))
    assert "giải nén ra quá lớn" in _refused(buffer.getvalue())[0]
