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


def test_recording_an_imported_plan_is_prefilled_with_the_number_and_date_of_its_source(client, tree, personas):
    personas.login(client, "drafter")
    location = upload(client, tree)["Location"]
    review = client.get(location)
    data = review_data(review) | {f"u{i}": "keep" for i in range(len(review.context["form"].unplaced))}
    client.post(location, data)
    plan = Plan.objects.get()
    client.logout()
    personas.login(client, "head")
    body = client.get(reverse("plans:record", args=[plan.pk])).content.decode()
    assert 'value="049"' in body and 'value="05/01/2026"' in body


def test_the_review_page_refuses_an_outline_that_would_not_print_the_duties(client, tree, personas):
    personas.login(client, "drafter")
    location = upload(client, tree)["Location"]
    review = client.get(location)
    form = review.context["form"]
    duty = next(i for i, (_, h) in enumerate(form.headings) if h["role"] == Heading.Role.DUTY)
    data = review_data(review) | {f"u{i}": "keep" for i in range(len(form.unplaced))}
    body = client.post(location, data | {f"h{duty}-level": "2"}).content.decode()
    assert "phải là phần cấp 1" in body
    body = client.post(location, data | {"h0-role": Heading.Role.DUTY}).content.decode()
    assert "Chỉ một đề mục có vai trò «Tổ chức thực hiện»" in body
    assert not Plan.objects.exists()


def test_unplaced_lines_may_go_to_the_recipients_or_all_be_kept_at_once(client, tree, personas):
    personas.login(client, "drafter")
    location = upload(client, tree, "Trang chủ | Tải về\n" + SOURCE + "- UBND tỉnh Thử;\nChia sẻ\n")["Location"]
    review = client.get(location)
    form = review.context["form"]
    recipient = next(i for i, line in enumerate(form.unplaced) if "UBND tỉnh Thử" in line)
    data = {k: v for k, v in review_data(review).items() if not k.startswith("u")}
    response = client.post(location, data | {f"u{recipient}": "recipients", "keep_all": "on"})
    assert response.status_code == 302
    plan = Plan.objects.get()
    recipients = list(plan.clauses.filter(section="recipient").values_list("text", flat=True))
    assert "UBND tỉnh Thử" in recipients
    assert "Chia sẻ" in plan.unplaced_text


def test_a_request_to_a_body_outside_the_chain_prints_as_written(client, tree, personas):
    personas.login(client, "drafter")
    source = SOURCE.replace("2. Ủy ban nhân dân xã Một\n",
                            "2. Đề nghị Ủy ban Mặt trận Tổ quốc Việt Nam huyện:\n")
    location = upload(client, tree, source)["Location"]
    review = client.get(location)
    client.post(location, review_data(review) | {f"u{i}": "keep" for i in range(len(review.context["form"].unplaced))})
    body = client.get(reverse("plans:detail", args=[Plan.objects.get().pk])).content.decode()
    assert "2. Đề nghị Ủy ban Mặt trận Tổ quốc Việt Nam huyện:" in body


def test_a_source_far_longer_than_a_plan_is_refused(client, tree, personas):
    personas.login(client, "drafter")
    response = client.post(reverse("plans:import"), {"issuer": tree["district"].pk, "text": "Dòng\n" * 3001})
    assert "quá dài cho một kế hoạch" in response.content.decode() and not PlanImport.objects.exists()


def test_a_marker_too_long_to_be_one_stays_in_its_text(client, tree, personas):
    personas.login(client, "drafter")
    location = upload(client, tree)["Location"]
    review = client.get(location)
    data = review_data(review) | {f"u{i}": "keep" for i in range(len(review.context["form"].unplaced))}
    data["h1-clauses"] = "1.2.3.4.5.6.7.8. Một ý đánh số rất sâu."
    assert client.post(location, data).status_code == 302
    clause = Plan.objects.get().clauses.get(text__contains="Một ý đánh số rất sâu.")
    assert clause.marker_text == "" and clause.text == "1.2.3.4.5.6.7.8. Một ý đánh số rất sâu."
