"""Onboarding: importing users and roles, invitations, deactivation."""

from __future__ import annotations

import io
import re
import time
import unicodedata
import zipfile
from urllib.parse import urlsplit

import openpyxl
import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from agencies import onboarding
from agencies.models import Agency, Membership
from agencies.onboarding import UserImportError, users_import, users_invite, users_reinvite
from agencies.tasks import users_invite_task
from agencies.tests.factories import PASSWORD, user_with_roles
from agencies.tokens import invitation_token_generator

User = get_user_model()
Role = Membership.Role
HEADER = "Họ tên,Thư điện tử,Mã đơn vị,Vai trò"
NEW_PASSWORD = "Mat-khau-moi-2026!"

pytestmark = pytest.mark.django_db


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def xlsx_bytes(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def refused(content: bytes, filename: str = "nguoi-dung.csv") -> list[str]:
    """The errors of a refused import, checking that nothing was written."""
    before = (User.objects.count(), Membership.objects.count())
    with pytest.raises(UserImportError) as caught:
        users_import(content=content, filename=filename)
    assert (User.objects.count(), Membership.objects.count()) == before
    return caught.value.errors


def counts():
    return User.objects.count(), Membership.objects.count()


# Importing -----------------------------------------------------------------


def test_it_creates_users_with_roles_and_no_password(tree, django_capture_on_commit_callbacks):
    content = csv_bytes(
        "Nguyễn Văn An,An.Nguyen@Mot.gov.vn,D,Chuyên viên soạn thảo",
        "Trần Thị Bình,binh@mot.gov.vn,D,\"head; drafter\"",
        "Trần Thị Bình,binh@mot.gov.vn,D-X,lãnh đạo đơn vị",
        "Lê Văn Cường,cuong@mot.gov.vn,d-nv,Cán bộ Nội vụ (xem xét)",
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = users_import(content=content, filename="nguoi-dung.csv")
    assert (result.created, result.roles_added, result.existing) == (3, 5, [])
    an = User.objects.get(username="an.nguyen@mot.gov.vn")
    assert (an.email, an.first_name, an.is_active, an.is_staff) == ("an.nguyen@mot.gov.vn", "Nguyễn Văn An", True, False)
    assert not an.has_usable_password()
    binh = User.objects.get(email="binh@mot.gov.vn")
    assert set(binh.memberships.values_list("agency__code", "role")) == {
        ("D", Role.HEAD), ("D", Role.DRAFTER), ("D-X", Role.HEAD)
    }
    assert set(User.objects.get(email="cuong@mot.gov.vn").memberships.values_list("agency__code", "role")) == {
        ("D-NV", Role.REVIEWER)
    }
    # the invitations go out after the commit, for the three new users only
    assert len(callbacks) == 1
    assert sorted(result.invited_ids) == sorted(User.objects.values_list("pk", flat=True))


def test_an_excel_file_imports_too_with_decomposed_letters_and_control_characters(tree):
    decomposed = unicodedata.normalize("NFD", "Phạm Thị Dung")
    content = xlsx_bytes([
        ["HỌ VÀ TÊN", "E-mail", "Mã đơn vị", "Vai trò"],
        [decomposed, " dung@mot.gov.vn ", "D", "drafter;head"],
        [None, None, None, None],
        ["Quản Trị", "qt@mot.gov.vn", "P", "Quản trị hệ thống"],
    ])
    result = users_import(content=content, filename="nguoi-dung.xlsx")
    assert result.created == 2
    dung = User.objects.get(email="dung@mot.gov.vn")
    assert dung.first_name == "Phạm Thị Dung"
    assert unicodedata.is_normalized("NFC", dung.first_name)
    assert dung.memberships.count() == 2
    # the admin role gets into Django admin
    assert User.objects.get(email="qt@mot.gov.vn").is_staff is True


def test_a_csv_saved_by_excel_with_bom_and_semicolons_imports(tree):
    content = "\ufeffHọ tên;Thư điện tử;Mã đơn vị;Vai trò\r\nVõ Văn Em;em@mot.gov.vn;D;drafter, head\r\n".encode()
    assert users_import(content=content, filename="NGUOI-DUNG.CSV").roles_added == 2


def test_an_existing_email_keeps_its_password_gets_the_new_name_and_roles_and_no_invitation(
    tree, django_capture_on_commit_callbacks
):
    old = user_with_roles("giang@mot.gov.vn", (tree["district"], Role.DRAFTER), email="Giang@mot.gov.vn")
    content = csv_bytes("Đỗ Thị Giang,giang@mot.gov.vn,D,\"drafter, head\"")
    with django_capture_on_commit_callbacks(execute=True):
        result = users_import(content=content, filename="u.csv")
    assert (result.created, result.roles_added, result.renamed, result.existing) == (0, 1, 1, ["giang@mot.gov.vn"])
    assert "1 thư điện tử đã có tài khoản (giang@mot.gov.vn)" in result.summary()
    old.refresh_from_db()
    assert old.first_name == "Đỗ Thị Giang"
    assert old.check_password(PASSWORD)
    assert set(old.memberships.values_list("role", flat=True)) == {Role.DRAFTER, Role.HEAD}
    assert User.objects.count() == 1
    assert mail.outbox == []


def test_a_dry_run_writes_nothing_and_says_what_would_happen(tree, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = users_import(content=csv_bytes("A B,ab@mot.gov.vn,D,drafter"), filename="u.csv", dry_run=True)
    assert result.created == 1
    assert result.summary().startswith("Kiểm tra xong, tệp hợp lệ; khi nhập sẽ tạo 1 tài khoản mới")
    assert counts() == (0, 0)
    assert callbacks == []


def test_every_bad_cell_is_named_by_row_and_column_and_nothing_is_written(tree):
    Agency.objects.filter(code="D2").update(is_active=False, dissolved_on="2025-07-01")
    user_with_roles("khoa@mot.gov.vn", email="khoa@mot.gov.vn", is_active=False)
    errors = refused(csv_bytes(
        "Người Tốt,tot@mot.gov.vn,D,drafter",  # a good row: not written either
        ",trong@mot.gov.vn,D,drafter",
        "Sai Thư,khong-phai-email,D,drafter",
        "Không Đơn Vị,kdv@mot.gov.vn,KHONG-CO,drafter",
        "Sai Vai Trò,svt@mot.gov.vn,D,\"drafter, thủ trưởng\"",
        "Thiếu Vai Trò,tvt@mot.gov.vn,D,",
        "Người Tốt,tot@mot.gov.vn,D,head",
        "Người Khác,tot@mot.gov.vn,D-X,head",
        "Sáp Nhập,sn@mot.gov.vn,D2,drafter",
        "Bị Khóa,khoa@mot.gov.vn,D,drafter",
        "Không Mã,km@mot.gov.vn,,drafter",
        f"{'A' * 151},dai@mot.gov.vn,D,drafter",
    ))
    assert errors == [
        "Dòng 3, cột «Họ tên»: không được để trống.",
        "Dòng 4, cột «Thư điện tử»: «khong-phai-email» không phải địa chỉ thư điện tử hợp lệ.",
        "Dòng 5, cột «Mã đơn vị»: không có đơn vị mã «KHONG-CO».",
        "Dòng 6, cột «Vai trò»: không nhận ra vai trò «thủ trưởng» (dùng: " + onboarding.ROLE_HELP + ").",
        "Dòng 7, cột «Vai trò»: không được để trống.",
        "Dòng 8, cột «Thư điện tử»: «tot@mot.gov.vn» tại đơn vị «D» trùng với dòng 2 "
        "(ghi mọi vai trò của một người tại một đơn vị trên cùng một dòng).",
        "Dòng 9, cột «Họ tên»: «Người Khác» khác họ tên «Người Tốt» của «tot@mot.gov.vn» ở dòng 2.",
        "Dòng 10, cột «Mã đơn vị»: đơn vị «D2» đã sáp nhập/giải thể, không nhận thêm người dùng.",
        "Dòng 11, cột «Thư điện tử»: tài khoản «khoa@mot.gov.vn» đang bị khóa; mở khóa trước khi thêm vai trò.",
        "Dòng 12, cột «Mã đơn vị»: không được để trống.",
        "Dòng 13, cột «Họ tên»: dài quá 150 ký tự.",
    ]


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (csv_bytes("A,a@x.vn,D,drafter", header="Họ tên,Thư điện tử,Vai trò"), "u.csv",
         "Dòng 1: thiếu cột «Mã đơn vị» (cần: Họ tên, Thư điện tử, Mã đơn vị, Vai trò)."),
        (csv_bytes("A,a@x.vn,D,drafter,x", header=HEADER + ",Chức vụ"), "u.csv", "Dòng 1: không nhận ra cột «Chức vụ»."),
        ("Họ tên,Thư điện tử,Mã đơn vị,Vai trò\nNguyễn,a@x.vn,D,drafter\n".encode("utf-16"), "u.csv",
         "Tệp CSV phải được lưu với mã hóa UTF-8."),
        (b"Ho ten,email\n", "u.xlsx", "Tệp .xlsx không hợp lệ (nội dung không phải Excel)."),
        (b"PK\x03\x04 not really a zip", "u.xlsx", "Không đọc được tệp Excel (tệp hỏng hoặc không phải .xlsx)."),
        (xlsx_bytes([["Họ tên"]]), "u.csv",
         "Tệp .csv không hợp lệ (nội dung là tệp nén/Excel; hãy đổi đuôi thành .xlsx)."),
        (csv_bytes(), "u.csv", "Tệp không có dòng dữ liệu nào (chỉ có dòng tiêu đề)."),
        (b"", "u.csv", "Tệp rỗng."),
        (b"\n\n", "u.csv", "Tệp không có dữ liệu."),
        (csv_bytes("A,a@x.vn,D,drafter"), "u.txt", "Chỉ nhận tệp .csv hoặc .xlsx."),
        (b"a" * (5 * 1024 * 1024 + 1), "u.csv", "Tệp lớn hơn 5 MB."),
    ],
    ids=["missing-column", "unknown-column", "not-utf8", "fake-xlsx", "broken-zip", "zip-as-csv",
         "header-only", "empty", "blank-lines", "extension", "too-big"],
)
def test_a_bad_file_is_refused_with_one_clear_message(tree, content, filename, message):
    assert refused(content, filename) == [message]


def test_nul_characters_are_stripped_not_stored(tree):
    users_import(content=csv_bytes("Ngô\x00 Văn Hải,hai@mot.gov.vn,D,drafter"), filename="u.csv")
    assert User.objects.get().first_name == "Ngô Văn Hải"


def test_too_many_rows_are_refused_while_reading(tree, monkeypatch):
    monkeypatch.setattr(onboarding, "MAX_ROWS", 3)
    rows = [f"Người {i},n{i}@mot.gov.vn,D,drafter" for i in range(4)]
    assert refused(csv_bytes(*rows)) == ["Tệp có quá 3 dòng dữ liệu; hãy chia thành nhiều tệp."]
    sheet = [["Họ tên", "Thư điện tử", "Mã đơn vị", "Vai trò"], *[r.split(",") for r in rows]]
    assert refused(xlsx_bytes(sheet), "u.xlsx") == ["Tệp có quá 3 dòng dữ liệu; hãy chia thành nhiều tệp."]
    assert users_import(content=csv_bytes(*rows[:3]), filename="u.csv").created == 3


def test_blank_lines_and_overlong_cells_are_refused_with_a_message(tree, monkeypatch):
    monkeypatch.setattr(onboarding, "MAX_ROWS", 3)
    assert refused(csv_bytes("A,a@mot.gov.vn,D,drafter") + b"\n" * 200) == [
        "Tệp có quá nhiều dòng trống; hãy xóa các dòng trống rồi nhập lại."
    ]
    assert refused(csv_bytes('A,a@mot.gov.vn,D,"drafter' + "x" * 200_000)) == [
        "Tệp CSV không đọc được: có ô quá dài hoặc dấu ngoặc kép không được đóng."
    ]


def test_an_xlsx_declaring_a_huge_sheet_is_streamed_not_loaded(tree):
    """A tiny file whose sheet claims A1:Z1000000: read-only mode reads only the rows present."""
    content = xlsx_bytes([["Họ tên", "Thư điện tử", "Mã đơn vị", "Vai trò"], ["Lý Văn Khánh", "k@mot.gov.vn", "D", "head"]])
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:Z1000000"', data)
            target.writestr(item, data)
    start = time.perf_counter()
    assert users_import(content=buffer.getvalue(), filename="u.xlsx").created == 1
    assert time.perf_counter() - start < 5


def test_a_thousand_rows_load_in_a_fixed_number_of_queries(tree, django_assert_max_num_queries):
    rows = [f"Người Dùng {i},nguoi{i}@tinh.gov.vn,{('D', 'D-X', 'D-NV')[i % 3]},\"drafter; head\"" for i in range(1000)]
    # No query per row: 2 reads, then bulk inserts (SQLite's 999-variable limit
    # cuts them into ~20 batches; PostgreSQL needs 2 for users, 4 for roles).
    with django_assert_max_num_queries(30):
        result = users_import(content=csv_bytes(*rows), filename="u.csv")
    assert (result.created, result.roles_added) == (1000, 2000)
    assert counts() == (1000, 2000)


def test_the_sample_file_in_docs_imports(db):
    from django.conf import settings

    from agencies.tests.factories import AgencyFactory

    for code in ("HD-BG", "HD-BG-KS", "HD-BG-NV", "HD-BG-VH"):
        AgencyFactory(code=code)
    content = (settings.BASE_DIR / "docs" / "nguoi-dung-mau.csv").read_bytes()
    result = users_import(content=content, filename="nguoi-dung-mau.csv")
    assert (result.created, result.roles_added) == (4, 7)


# The command ---------------------------------------------------------------


def test_the_command_imports_and_refuses_like_the_page(tree, tmp_path, capsys):
    good = tmp_path / "nguoi-dung.csv"
    good.write_bytes(csv_bytes("Mai Văn Long,long@mot.gov.vn,D,drafter"))
    call_command("import_users", str(good))
    assert "Đã nhập: tạo 1 tài khoản mới (thư mời đặt mật khẩu đang được gửi), thêm 1 vai trò." in capsys.readouterr().out
    bad = tmp_path / "sai.csv"
    bad.write_bytes(csv_bytes("Mai Văn Minh,minh@mot.gov.vn,D,drafter", "Mai Văn Nam,,D,drafter"))
    with pytest.raises(CommandError, match="1 lỗi, không dòng nào được ghi"):
        call_command("import_users", str(bad))
    assert "Dòng 3, cột «Thư điện tử»: không được để trống." in capsys.readouterr().err
    assert counts() == (1, 1)
    with pytest.raises(CommandError, match="Không tìm thấy tệp"):
        call_command("import_users", str(tmp_path / "khong-co.csv"))


# Invitations ---------------------------------------------------------------


def invited_user(tree, email="oanh@mot.gov.vn"):
    users_import(content=csv_bytes(f"Hồ Thị Oanh,{email},D,drafter"), filename="u.csv")
    return User.objects.get(email=email)


def link_in(message) -> str:
    url = re.search(r"https?://\S+/kich-hoat/\S+/", message.body).group(0)
    return urlsplit(url).path


def test_the_invitation_mail_carries_a_link_that_works_once(tree, client):
    user = invited_user(tree)
    assert users_invite([user.pk]) == []
    [message] = mail.outbox
    assert message.to == ["oanh@mot.gov.vn"]
    assert message.subject == "Mời tham gia Cổng kế hoạch tuyên truyền cải cách hành chính"
    assert "Tên đăng nhập: oanh@mot.gov.vn" in message.body
    assert "Chuyên viên soạn thảo – Đơn vị D" in message.body or "Chuyên viên soạn thảo – Ủy ban nhân dân huyện Một" in message.body
    assert "trong 7 ngày" in message.body
    link = link_in(message)

    page = client.get(link)
    assert page.status_code == 302 and page["Location"].endswith("/dat-mat-khau/")
    form = client.get(page["Location"])
    assert "Kích hoạt tài khoản" in form.content.decode() and "oanh@mot.gov.vn" in form.content.decode()
    # a weak password is refused in Vietnamese, the link still works
    weak = client.post(page["Location"], {"new_password1": "123", "new_password2": "123"})
    assert weak.status_code == 200 and "is-invalid" in weak.content.decode()
    assert "Mật khẩu quá ngắn: cần ít nhất 8 ký tự." in weak.content.decode()
    assert "Mật khẩu không được chỉ gồm chữ số." in weak.content.decode()
    assert "This password" not in weak.content.decode()
    similar = client.post(page["Location"], {"new_password1": "oanh@mot.gov.vn", "new_password2": "oanh@mot.gov.vn"})
    assert "Mật khẩu quá giống" in similar.content.decode()
    mismatch = client.post(page["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "x"})
    assert "Hai mật khẩu đã nhập không giống nhau." in mismatch.content.decode()
    done = client.post(page["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == reverse("login")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert client.login(username="oanh@mot.gov.vn", password=NEW_PASSWORD)
    client.logout()

    again = client.get(link)
    assert again.status_code == 200
    assert "Liên kết kích hoạt không còn hiệu lực" in again.content.decode()
    # an activated user gets no second invitation
    assert users_invite([user.pk]) == [] and len(mail.outbox) == 1


def test_the_link_expires_after_invitation_days(tree, client, settings):
    user = invited_user(tree)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    generator = invitation_token_generator
    eight_days_ago = generator._num_seconds(generator._now()) - 8 * 24 * 3600
    old_token = generator._make_token_with_timestamp(user, eight_days_ago, generator.secret)
    assert not generator.check_token(user, old_token)
    assert "không còn hiệu lực" in client.get(f"/kich-hoat/{uid}/{old_token}/").content.decode()
    settings.INVITATION_DAYS = 10
    assert generator.check_token(user, old_token)
    assert client.get(f"/kich-hoat/{uid}/{old_token}/").status_code == 302
    # a password reset token does not open an invitation
    from django.contrib.auth.tokens import default_token_generator

    assert not generator.check_token(user, default_token_generator.make_token(user))


def test_a_new_invitation_makes_the_old_link_useless(tree, client, django_capture_on_commit_callbacks):
    user = invited_user(tree)
    users_invite([user.pk])
    old_link = link_in(mail.outbox[0])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert users_reinvite([user.pk]) == (1, 0)
    assert len(callbacks) == 1
    users_invite_task.apply(args=[[user.pk]]).get()  # what the worker runs, in this process
    new_link = link_in(mail.outbox[1])
    assert "không còn hiệu lực" in client.get(old_link).content.decode()
    assert client.get(new_link).status_code == 302


def test_no_invitation_for_a_deactivated_user_and_its_link_opens_nothing(tree, client):
    user = invited_user(tree)
    users_invite([user.pk])
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert client.get(link_in(mail.outbox[0])).status_code == 200
    assert users_reinvite([user.pk]) == (0, 1)
    users_invite([user.pk])
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    "path",
    ["/kich-hoat/abc/def/", "/kich-hoat/MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkw/1-2/",
     "/kich-hoat/%00/zz-zz/", "/kich-hoat/MQ/dat-mat-khau/"],
)
def test_a_bad_activation_link_answers_a_page_not_an_error(tree, client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert "Liên kết kích hoạt không còn hiệu lực" in response.content.decode()
    assert client.post(path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}).status_code == 200


# The admin page --------------------------------------------------------------


IMPORT_URL = "/admin/auth/user/import/"


def upload(content: bytes, name: str = "nguoi-dung.csv"):
    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_an_admin_checks_then_imports_a_file_on_the_admin_page(personas, client, django_capture_on_commit_callbacks):
    personas.login(client, "admin")
    page = client.get(IMPORT_URL)
    assert page.status_code == 200 and "Họ tên" in page.content.decode()
    assert "Nhập từ CSV/XLSX" in client.get("/admin/auth/user/").content.decode()
    before = counts()
    content = csv_bytes("Phan Văn Phúc,phuc@mot.gov.vn,D,drafter")
    checked = client.post(IMPORT_URL, {"file": upload(content), "check": "Kiểm tra"})
    assert "Kiểm tra xong, tệp hợp lệ; khi nhập sẽ tạo 1 tài khoản mới" in checked.content.decode()
    assert counts() == before
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        done = client.post(IMPORT_URL, {"file": upload(content), "import": "Nhập"}, follow=True)
    assert "Đã nhập: tạo 1 tài khoản mới (thư mời đặt mật khẩu đang được gửi), thêm 1 vai trò." in done.content.decode()
    assert counts() == (before[0] + 1, before[1] + 1)
    assert len(callbacks) == 1


def test_the_admin_page_lists_every_error_and_writes_nothing(personas, client):
    personas.login(client, "admin")
    before = counts()
    response = client.post(IMPORT_URL, {"file": upload(csv_bytes("A,a@mot.gov.vn,D,drafter", "B,b@,D,drafter"))})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Không nhập được: 1 lỗi, không dòng nào được ghi." in body
    assert "Dòng 3, cột «Thư điện tử»: «b@» không phải địa chỉ thư điện tử hợp lệ." in body
    assert counts() == before
    wrong = client.post(IMPORT_URL, {"file": upload(b"x", "a.exe")})
    assert wrong.status_code == 200 and "Chỉ nhận tệp .csv hoặc .xlsx." in wrong.content.decode()
    assert client.post(IMPORT_URL, {}).status_code == 200


@pytest.mark.parametrize("persona", ["drafter", "head", "reviewer", "outsider"])
def test_other_roles_cannot_open_the_import_page(personas, client, persona):
    user = getattr(personas, persona)
    User.objects.filter(pk=user.pk).update(is_staff=True)  # staff but without the admin role
    personas.login(client, persona)
    before = counts()
    for response in (client.get(IMPORT_URL), client.post(IMPORT_URL, {"file": upload(csv_bytes("A,a@x.vn,D,drafter"))})):
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert counts() == before


@pytest.mark.parametrize("persona", ["drafter", "reviewer"])
def test_other_roles_cannot_lock_or_reinvite(personas, client, persona, django_capture_on_commit_callbacks):
    user = getattr(personas, persona)
    User.objects.filter(pk=user.pk).update(is_staff=True)
    personas.login(client, persona)
    target = personas.head
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        responses = [
            client.get(f"/admin/auth/user/{target.pk}/deactivate/"),
            client.post(f"/admin/auth/user/{target.pk}/deactivate/"),
            client.post("/admin/auth/user/", {"action": "deactivate_users", "_selected_action": [target.pk]}),
            client.post("/admin/auth/user/", {"action": "resend_invitation", "_selected_action": [target.pk]}),
        ]
    for response in responses:
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert User.objects.get(pk=target.pk).is_active
    assert callbacks == []


def test_an_admin_role_without_user_permissions_is_sent_back(tree, client):
    """The admin role opens Django admin; adding users needs the auth permissions too."""
    user_with_roles("qt", (tree["province"], Role.ADMIN), is_staff=True)
    assert client.login(username="qt", password=PASSWORD)
    response = client.get(IMPORT_URL)
    assert response.status_code == 302 and response["Location"] == "/admin/auth/user/"
    before = counts()
    client.post(IMPORT_URL, {"file": upload(csv_bytes("A,a@mot.gov.vn,D,drafter"))})
    assert counts() == before


def test_an_anonymous_visitor_is_sent_to_log_in(client, db):
    response = client.get(IMPORT_URL)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


# Deactivation ----------------------------------------------------------------


def sessions_of(user) -> int:
    return sum(1 for s in Session.objects.all() if s.get_decoded().get(SESSION_KEY) == str(user.pk))


def test_deactivating_a_user_ends_their_sessions(personas, client):
    from django.test import Client

    victim_client, other_client = Client(), Client()
    personas.login(victim_client, "drafter")
    personas.login(other_client, "head")
    assert victim_client.get("/").status_code == 200
    assert sessions_of(personas.drafter) == 1
    admin_client = personas.login(Client(), "admin")
    response = admin_client.post(
        "/admin/auth/user/",
        {"action": "deactivate_users", "_selected_action": [personas.drafter.pk]},
        follow=True,
    )
    assert "Đã khóa 1 tài khoản và kết thúc các phiên đăng nhập của họ." in response.content.decode()
    assert sessions_of(personas.drafter) == 0
    personas.drafter.refresh_from_db()
    assert personas.drafter.is_active is False
    following = victim_client.get("/")
    assert following.status_code == 302 and following["Location"].startswith(reverse("login"))
    assert other_client.get("/").status_code == 200  # the others stay signed in
    assert not victim_client.login(username="drafter", password=PASSWORD)


def test_an_inactive_user_is_signed_out_even_with_a_session_left_behind(personas, client):
    """If a session outlived the deletion (another cache, a race), the request still finds the user inactive."""
    personas.login(client, "drafter")
    User.objects.filter(pk=personas.drafter.pk).update(is_active=False)  # no session cleanup
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_user_page_deactivates_with_a_confirmation(personas, client):
    from django.test import Client

    victim = personas.login(Client(), "reviewer")
    personas.login(client, "admin")
    change = client.get(f"/admin/auth/user/{personas.reviewer.pk}/change/")
    url = f"/admin/auth/user/{personas.reviewer.pk}/deactivate/"
    assert url in change.content.decode()
    assert "Khóa tài khoản" in client.get(url).content.decode()
    assert User.objects.get(pk=personas.reviewer.pk).is_active  # GET changes nothing
    client.post(url)
    assert not User.objects.get(pk=personas.reviewer.pk).is_active
    assert victim.get("/").status_code == 302
    # oneself: refused
    own = client.post(f"/admin/auth/user/{personas.admin.pk}/deactivate/", follow=True)
    assert "Không thể tự khóa tài khoản của chính mình." in own.content.decode()
    assert User.objects.get(pk=personas.admin.pk).is_active
    assert client.get("/admin/auth/user/999999999999999999999999999999/deactivate/").status_code == 404


def test_unticking_active_on_the_user_page_ends_sessions_too(personas, client):
    from django.test import Client

    victim = personas.login(Client(), "outsider")
    personas.login(client, "admin")
    user = personas.outsider
    data = {
        "username": user.username, "first_name": user.first_name, "last_name": "", "email": user.email,
        "is_staff": "", "is_superuser": "", "last_login_0": "", "last_login_1": "",
        "date_joined_0": "01/01/2026", "date_joined_1": "08:00:00",
        "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0",
    }
    response = client.post(f"/admin/auth/user/{user.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert not User.objects.get(pk=user.pk).is_active
    assert sessions_of(user) == 0
    assert victim.get("/").status_code == 302


def test_an_admin_cannot_deactivate_themself_through_the_action(personas, client):
    personas.login(client, "admin")
    response = client.post(
        "/admin/auth/user/",
        {"action": "deactivate_users", "_selected_action": [personas.admin.pk, personas.head.pk]},
        follow=True,
    )
    assert "Không thể tự khóa tài khoản của chính mình" in response.content.decode()
    assert User.objects.get(pk=personas.admin.pk).is_active
    assert not User.objects.get(pk=personas.head.pk).is_active


def test_resend_invitation_action(personas, client, django_capture_on_commit_callbacks):
    invited = invited_user(personas)
    personas.login(client, "admin")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            "/admin/auth/user/",
            {"action": "resend_invitation", "_selected_action": [invited.pk, personas.drafter.pk]},
            follow=True,
        )
    body = response.content.decode()
    assert "Đã gửi lại thư mời cho 1 tài khoản" in body
    assert "Bỏ qua 1 tài khoản đã đặt mật khẩu" in body
    assert len(callbacks) == 1
