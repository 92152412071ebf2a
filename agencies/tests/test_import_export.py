import io

import openpyxl
import pytest
from django.urls import reverse, reverse_lazy

from agencies.models import Agency
from agencies.services import AgencyImportError, agency_export, agency_import

HEADER = "Mã,Tên đầy đủ,Tên ngắn,Loại,Viết tắt,Địa danh,Mã đơn vị cấp trên,Thư điện tử,Cơ quan Nội vụ,Đang hoạt động,Ngày sáp nhập/giải thể,Mã đơn vị sáp nhập vào"


def csv_bytes(*rows):
    return ("\n".join([HEADER, *rows]) + "\n").encode("utf-8")


pytestmark = pytest.mark.django_db


def test_it_imports_a_tree_whose_rows_name_parents_further_down():
    content = csv_bytes(
        "X1,Ủy ban nhân dân xã Một,UBND xã Một,xã,UBND,Một,T,,không,có,,",
        "T,Ủy ban nhân dân tỉnh Thử,UBND tỉnh,tỉnh,UBND,Thử,,ubnd@thu.gov.vn,,,,",
        "T-NV,Sở Nội vụ tỉnh Thử,Sở Nội vụ,sở,SNV,Thử,T,,có,có,,",
    )
    result = agency_import(content=content, filename="don-vi.csv")
    assert (result.created, result.updated) == (3, 0)
    commune = Agency.objects.get(code="X1")
    assert commune.parent.code == "T"
    assert commune.kind == Agency.Kind.COMMUNE
    assert Agency.objects.get(code="T-NV").is_home_affairs is True


def test_it_reports_row_and_column_and_writes_nothing():
    content = csv_bytes(
        "T,Ủy ban nhân dân tỉnh Thử,,tỉnh,UBND,Thử,,,,,,",
        "X1,,,xã,UBND,Một,T,,,,,",
        "X2,Xã Hai,,làng,UBND,Hai,T,,,,,",
        "X3,Xã Ba,,xã,UBND,Ba,T,,,không,31/02/2025,",
    )
    with pytest.raises(AgencyImportError) as caught:
        agency_import(content=content, filename="don-vi.csv")
    errors = caught.value.errors
    assert "Dòng 3, cột «Tên đầy đủ»: không được để trống." in errors
    assert any(e.startswith("Dòng 4, cột «Loại»: loại không hợp lệ") for e in errors)
    assert "Dòng 5, cột «Ngày sáp nhập/giải thể»: ngày phải viết dạng dd/mm/yyyy." in errors
    assert Agency.objects.count() == 0


def test_an_unknown_parent_rolls_back_the_rows_already_saved():
    content = csv_bytes(
        "T,Ủy ban nhân dân tỉnh Thử,,tỉnh,UBND,Thử,,,,,,",
        "X1,Xã Một,,xã,UBND,Một,KHONG-CO,,,,,",
    )
    with pytest.raises(AgencyImportError) as caught:
        agency_import(content=content, filename="don-vi.csv")
    assert caught.value.errors == ["Dòng 3, cột «Mã đơn vị cấp trên»: không có đơn vị mã «KHONG-CO»."]
    assert not Agency.objects.exists()


def test_it_refuses_a_loop_in_the_tree():
    content = csv_bytes(
        "A,Đơn vị A,,phòng,,,B,,,,,",
        "B,Đơn vị B,,phòng,,,A,,,,,",
    )
    with pytest.raises(AgencyImportError) as caught:
        agency_import(content=content, filename="don-vi.csv")
    assert any("vòng lặp" in e for e in caught.value.errors)
    assert not Agency.objects.exists()


def test_duplicate_codes_and_missing_dissolution_date_are_named():
    content = csv_bytes(
        "A,Đơn vị A,,phòng,,,,,,,,",
        "A,Đơn vị A lần hai,,phòng,,,,,,,,",
        "C,Đơn vị C,,phòng,,,,,,không,,",
    )
    with pytest.raises(AgencyImportError) as caught:
        agency_import(content=content, filename="don-vi.csv")
    assert "Dòng 3, cột «Mã»: mã «A» trùng với dòng 2." in caught.value.errors
    assert not Agency.objects.exists()


def test_it_refuses_a_file_without_required_columns():
    with pytest.raises(AgencyImportError) as caught:
        agency_import(content="Tên đầy đủ\nXã Một\n".encode(), filename="a.csv")
    assert caught.value.errors == ["Dòng 1: thiếu cột Mã, Loại."]


def test_xlsx_export_imports_back_unchanged(tree):
    tree["district2"].is_active = False
    tree["district2"].dissolved_on = "2025-07-01"
    tree["district2"].successor = tree["district"]
    tree["district2"].save()
    content = agency_export(file_format="xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert sheet["A1"].value == "Mã"
    assert sheet.max_row == 1 + Agency.objects.count()
    before = list(Agency.objects.order_by("code").values())
    Agency.objects.filter(code="D-X").update(name="Tên bị sửa")
    result = agency_import(content=content, filename="don-vi.xlsx")
    assert result.created == 0 and result.updated == len(before)
    assert list(Agency.objects.order_by("code").values()) == before


def test_csv_export_neutralises_formulas(tree):
    tree["commune"].name = "=HYPERLINK(\"http://x\")"
    tree["commune"].save()
    text = agency_export(file_format="csv").decode("utf-8-sig")
    assert "'=HYPERLINK" in text


class TestAdminImport:
    url = reverse_lazy("admin:agencies_agency_import")

    def test_staff_with_rights_imports_a_file(self, admin_client):
        upload = io.BytesIO(csv_bytes("T,Ủy ban nhân dân tỉnh Thử,,tỉnh,UBND,Thử,,,,,,"))
        upload.name = "don-vi.csv"
        response = admin_client.post(self.url, {"file": upload}, follow=True)
        assert "Đã nhập: 1 đơn vị mới" in response.content.decode()
        assert Agency.objects.filter(code="T").exists()

    def test_bad_rows_are_listed_on_the_page(self, admin_client):
        upload = io.BytesIO(csv_bytes("T,,,tỉnh,UBND,Thử,,,,,,"))
        upload.name = "don-vi.csv"
        response = admin_client.post(self.url, {"file": upload})
        assert "Dòng 2, cột «Tên đầy đủ»: không được để trống." in response.content.decode()
        assert not Agency.objects.exists()

    def test_a_file_that_is_not_excel_is_refused_by_content(self, admin_client):
        upload = io.BytesIO(b"not a zip file at all")
        upload.name = "don-vi.xlsx"
        response = admin_client.post(self.url, {"file": upload})
        assert "Tệp .xlsx không hợp lệ" in response.content.decode()

    def test_non_staff_user_is_sent_to_admin_login(self, client, make_user):
        client.force_login(make_user("plain"))
        response = client.get(self.url)
        assert response.status_code == 302
        assert reverse("admin:login") in response["Location"]

    def test_export_downloads_xlsx(self, admin_client, tree):
        response = admin_client.get(reverse("admin:agencies_agency_export", args=["xlsx"]))
        assert response.status_code == 200
        assert response.content[:2] == b"PK"


def test_commands_import_and_export_a_file(tmp_path):
    from django.core.management import CommandError, call_command

    good = tmp_path / "don-vi.csv"
    good.write_bytes(csv_bytes("T,Ủy ban nhân dân tỉnh Thử,,tỉnh,UBND,Thử,,,,,,"))
    call_command("import_agencies", str(good), stdout=io.StringIO())
    out = tmp_path / "ra.xlsx"
    call_command("export_agencies", "--format", "xlsx", "-o", str(out), stdout=io.StringIO())
    assert openpyxl.load_workbook(out).active["A2"].value == "T"

    bad = tmp_path / "sai.csv"
    bad.write_bytes(csv_bytes("U,,,tỉnh,UBND,,,,,,,"))
    errors = io.StringIO()
    with pytest.raises(CommandError, match="1 lỗi"):
        call_command("import_agencies", str(bad), stderr=errors)
    assert "Dòng 2, cột «Tên đầy đủ»: không được để trống." in errors.getvalue()
    assert not Agency.objects.filter(code="U").exists()


def test_one_upload_lists_every_problem_in_row_order():
    content = csv_bytes(
        "T,Ủy ban nhân dân tỉnh Thử,,tỉnh,UBND,Thử,,,,,,",
        "X1,,,xã,UBND,Một,T,,,,,",
        "X2,Xã Hai,,xã,UBND,Hai,KHONG-CO,,,,,",
    )
    with pytest.raises(AgencyImportError) as caught:
        agency_import(content=content, filename="don-vi.csv")
    assert caught.value.errors == [
        "Dòng 3, cột «Tên đầy đủ»: không được để trống.",
        "Dòng 4, cột «Mã đơn vị cấp trên»: không có đơn vị mã «KHONG-CO».",
    ]
    assert not Agency.objects.exists()


def test_export_writes_kinds_as_vietnamese_words(tree):
    text = agency_export(file_format="csv").decode("utf-8-sig")
    assert "P,Ủy ban nhân dân tỉnh Thử,,tỉnh," in text
    assert "D-X,Ủy ban nhân dân xã Một,,xã," in text


def test_a_misspelt_header_is_refused_not_ignored():
    content = HEADER.replace("Mã đơn vị cấp trên", "Ma don vi cap tren").encode() + "\nT,A,,xã,,,,,,,,\n".encode()
    with pytest.raises(AgencyImportError) as caught:
        agency_import(content=content, filename="a.csv")
    assert caught.value.errors == ["Dòng 1: không nhận ra cột «Ma don vi cap tren»."]


def test_decomposed_unicode_from_unikey_is_read():
    import unicodedata

    content = unicodedata.normalize("NFD", csv_bytes("T,Ủy ban nhân dân tỉnh Thử,,tỉnh,UBND,Thử,,,,,,").decode())
    agency_import(content=content.encode(), filename="a.csv")
    assert Agency.objects.get(code="T").name == "Ủy ban nhân dân tỉnh Thử"
