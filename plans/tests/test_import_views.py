"""Importing an existing plan through the pages: upload, the review page
beside the source, fixing parts, placing unplaced lines, saving a draft;
permissions and bad input."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from plans.models import Heading, Plan, PlanImport

SOURCE = """ỦY BAN NHÂN DÂN
HUYỆN MỘT
Số: 049/KH-UBND
Một, ngày 05 tháng 01 năm 2026
KẾ HOẠCH
Tuyên truyền cải cách hành chính năm 2026
Xét đề nghị của Trưởng phòng Nội vụ huyện, Ủy ban nhân dân huyện ban hành Kế hoạch như sau:
I. MỤC TIÊU, YÊU CẦU
1. Mục tiêu
a) Nâng cao nhận thức về cải cách hành chính.
c) Người dân biết thủ tục hành chính.
2. Yêu cầu
- Thiết thực, hiệu quả.
II. ĐỐI TƯỢNG
Cán bộ, công chức và người dân trên địa bàn huyện.
III. TỔ CHỨC THỰC HIỆN
1. Phòng Nội vụ
- Chủ trì, theo dõi, đôn đốc thực hiện Kế hoạch.
2. Ủy ban nhân dân xã Một
- Tuyên truyền trên loa truyền thanh.
Nơi nhận:
- Sở Nội vụ;
- Lưu: VT, NV.
TM. ỦY BAN NHÂN DÂN
CHỦ TỊCH
Nguyễn Văn An
"""


def upload(client, tree, text=SOURCE, name="ke-hoach.txt"):
    return client.post(reverse("plans:import"), {
        "issuer": tree["district"].pk, "file": SimpleUploadedFile(name, text.encode("utf-8"), "text/plain"),
    })


def review_data(response):
    """The review form as the page filled it, ready to post back."""
    form = response.context["form"]
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if hasattr(value, "pk"):
            value = value.pk
        if value is None:
            continue
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        data[name] = value
    return data


def test_a_drafter_uploads_a_plan_reviews_it_and_saves_a_draft_as_written(client, tree, personas):
    personas.login(client, "drafter")
    response = upload(client, tree)
    assert response.status_code == 302
    plan_import = PlanImport.objects.get()
    review = client.get(response["Location"])
    body = review.content.decode()
    assert "Xét đề nghị của Trưởng phòng Nội vụ huyện" in body and "ĐỐI TƯỢNG" in body
    data = review_data(review)
    data["title"] = "Tuyên truyền cải cách hành chính huyện Một năm 2026"  # the drafter fixes one part
    for name in data:
        if name.startswith("u"):
            data[name] = "keep"
    saved = client.post(response["Location"], data)
    assert saved.status_code == 302, saved.context["form"].errors if saved.context else ""
    plan = Plan.objects.get()
    plan_import.refresh_from_db()
    assert plan_import.plan == plan and plan.status == Plan.Status.DRAFT and plan.keep_markers
    assert plan.title == "Tuyên truyền cải cách hành chính huyện Một năm 2026"
    texts = [h.text for h in plan.headings.all()]
    assert "MỤC TIÊU, YÊU CẦU" in texts and "ĐỐI TƯỢNG" in texts
    assert plan.headings.get(text="ĐỐI TƯỢNG").role == Heading.Role.OTHER
    detail = client.get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert "c) Người dân biết thủ tục hành chính." in detail and "Xét đề nghị của" in detail


def test_an_unplaced_line_must_be_placed_or_confirmed_before_saving(client, tree, personas):
    personas.login(client, "drafter")
    source = "Trang chủ | Văn bản | Tải về\n" + SOURCE
    location = upload(client, tree, source)["Location"]
    review = client.get(location)
    form = review.context["form"]
    assert any("Tải về" in line for line in form.unplaced)
    data = {k: v for k, v in review_data(review).items() if not k.startswith("u")}
    response = client.post(location, data)
    assert "Chọn nơi đặt dòng này" in response.content.decode()
    assert not Plan.objects.exists()
    # Placing it in a section keeps it in the plan's text.
    first_other = next(i for i, (_, h) in enumerate(form.headings) if h["text"] == "ĐỐI TƯỢNG")
    data |= {f"u{i}": f"h{first_other}" for i in range(len(form.unplaced))}
    assert client.post(location, data).status_code == 302
    assert Plan.objects.get().clauses.filter(text__contains="Tải về").exists()


@pytest.mark.parametrize(("content", "name", "message"), [
    (b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "quet.pdf", "PDF"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "anh.docx", "Không đọc được tệp"),
    (b"", "rong.txt", ""),
])
def test_bad_files_get_a_vietnamese_message_and_nothing_is_written(client, tree, personas, content, name, message):
    personas.login(client, "drafter")
    response = client.post(reverse("plans:import"), {
        "issuer": tree["district"].pk, "file": SimpleUploadedFile(name, content)})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not PlanImport.objects.exists() and not Plan.objects.exists()


def test_a_file_over_10_mb_is_refused(client, tree, personas):
    personas.login(client, "drafter")
    big = io.BytesIO(b"a" * (10 * 1024 * 1024 + 1))
    response = client.post(reverse("plans:import"), {
        "issuer": tree["district"].pk, "file": SimpleUploadedFile("lon.txt", big.getvalue())})
    assert "lớn hơn 10 MB" in response.content.decode() and not PlanImport.objects.exists()


@pytest.mark.parametrize(("persona", "start", "review"), [
    ("drafter", 200, 200), ("reviewer", 403, 404), ("outsider", 200, 404)])
def test_import_pages_check_role_and_owner(client, tree, personas, persona, start, review):
    personas.login(client, "drafter")
    location = upload(client, tree)["Location"]
    client.logout()
    personas.login(client, persona)
    assert client.get(reverse("plans:import")).status_code == start
    assert client.get(location).status_code == review


def test_an_issuer_outside_the_users_agencies_is_refused(client, tree, personas):
    personas.login(client, "drafter")
    response = client.post(reverse("plans:import"), {
        "issuer": tree["district2"].pk, "file": SimpleUploadedFile("a.txt", SOURCE.encode())})
    assert response.status_code == 200 and "Chọn" in response.content.decode()
    assert not PlanImport.objects.exists()
