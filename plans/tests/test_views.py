from django.urls import reverse

from agencies.models import Membership
from agencies.tests.factories import PASSWORD
from plans.models import Plan

Role = Membership.Role


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_login_page_is_vietnamese(client, db):
    response = client.get(reverse("login"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Đăng nhập" in body and "Tên đăng nhập" in body and "Mật khẩu" in body
    assert '<html lang="vi">' in body


def test_wrong_password_shows_a_vietnamese_message_and_keeps_the_username(client, personas):
    response = client.post(reverse("login"), {"username": "drafter", "password": "sai"})
    body = response.content.decode()
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in body
    assert 'value="drafter"' in body


def test_a_user_logs_in_and_sees_own_agency(client, commune_head):
    response = client.post(reverse("login"), {"username": "head2", "password": PASSWORD}, follow=True)
    body = response.content.decode()
    assert "Lê Thị Hoa" in body
    assert "Ủy ban nhân dân xã Một" in body


def test_home_and_lists_require_login(client, db):
    for url in (reverse("home"), reverse("plans:list"), reverse("plans:detail", args=[1])):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_plan_list_shows_only_plans_in_scope(client, personas, draft, issued_plan, period_plan):
    body = login(client, personas.drafter).get(reverse("plans:list")).content.decode()
    assert draft.title in body
    assert issued_plan.title not in body and period_plan.title not in body


def test_drafter_opens_own_draft_with_every_part(client, personas, draft):
    plan = draft
    body = login(client, personas.drafter).get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert "DỰ THẢO" in body
    assert "ỦY BAN NHÂN DÂN" in body and "HUYỆN MỘT" in body
    assert "Số: " in body and "/KH-UBND" in body
    for heading in ("I. MỤC ĐÍCH, YÊU CẦU", "II. NỘI DUNG, HÌNH THỨC TUYÊN TRUYỀN",
                    "III. KINH PHÍ THỰC HIỆN", "IV. TỔ CHỨC THỰC HIỆN"):
        assert heading in body
    # The Front is the third of three responsibilities.
    assert "3. Đề nghị Ủy ban Mặt trận Tổ quốc và các tổ chức chính trị - xã hội huyện:" in body
    assert "Nhữ Văn Chuyên" in body and "- Lưu: VTVP." in body
    assert "Ủy ban nhân dân xã Một" in body or "UBND xã Một" in body


def test_period_plan_without_funding_closes_up_the_numbering(client, personas, period_plan):
    plan = period_plan
    client.force_login(personas.admin)
    body = client.get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert "III. TỔ CHỨC THỰC HIỆN" in body and "KINH PHÍ" not in body
    assert "1.1. Quan điểm chỉ đạo" in body and "đ) Tình hình triển khai, kết quả" in body


def test_issued_plan_prints_number_and_date_with_leading_zeros(client, personas, issued_plan):
    client.force_login(personas.admin)
    body = client.get(reverse("plans:detail", args=[issued_plan.pk])).content.decode()
    assert "Số: 255/KH-UBND" in body
    assert "Thừa Thiên Huế, ngày 12 tháng 12 năm 2019" in body
    assert "DỰ THẢO" not in body


def test_other_agencys_draft_is_not_found(client, draft, commune_head):
    plan = draft
    response = login(client, commune_head).get(reverse("plans:detail", args=[plan.pk]))
    assert response.status_code == 404


def test_reviewer_reads_drafts_in_scope(client, personas, draft, period_plan):
    response = login(client, personas.reviewer).get(reverse("plans:detail", args=[draft.pk]))
    assert response.status_code == 200
    response = client.get(reverse("plans:detail", args=[period_plan.pk]))
    assert response.status_code == 404


def test_user_text_is_escaped(client, personas, draft):
    plan = draft
    plan.title = "<script>alert(1)</script>"
    plan.save(update_fields=["title"])
    body = login(client, personas.drafter).get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_plan_detail_query_count_does_not_grow_with_rows(client, personas, draft):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    plan = draft
    login(client, personas.drafter)
    url = reverse("plans:detail", args=[plan.pk])
    # session, user, the bare plan for the permission check, the user's roles,
    # plan with issuer, 5 prefetches (basis, clauses, responsibilities, tasks,
    # their coordinating agencies), 2 for the actions the user may take,
    # transitions, children (memberships, ancestors, plans), 3 history tables,
    # the bell's unread count, the user's roles for the dashboard link.
    client.get(url)  # the roles and the bell cached, as on any later page
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for task in list(plan.tasks.all())[:5]:
        task.pk = None
        task.save()
    with CaptureQueriesContext(connection) as after:
        client.get(url)
    assert len(after) == len(before) <= 20


def test_sections_missing_from_a_plan_print_no_empty_heading(client, personas, issued_plan, plan_no_requirements):
    client.force_login(personas.admin)
    huế = client.get(reverse("plans:detail", args=[issued_plan.pk])).content.decode()
    assert "1. Mục đích" in huế and "1. Nội dung tuyên truyền" in huế
    assert "Hình thức tuyên truyền</p>" not in huế and "TỔ CHỨC THỰC HIỆN" not in huế
    quang_nam = client.get(reverse("plans:detail", args=[plan_no_requirements.pk])).content.decode()
    assert "2. Yêu cầu" not in quang_nam
    assert "III. TỔ CHỨC THỰC HIỆN" in quang_nam  # I. mục đích, II. nội dung, III. …


def test_department_letterhead_names_the_place_once(client, personas, period_plan):
    client.force_login(personas.admin)
    body = client.get(reverse("plans:detail", args=[period_plan.pk])).content.decode()
    assert "UBND TỈNH BÌNH ĐỊNH" in body
    assert ">SỞ GIAO THÔNG VẬN TẢI<" in body
    assert "Bình Định, ngày       tháng 01 năm 2022" in body


def test_not_found_page_is_vietnamese(client, draft, commune_head):
    body = login(client, commune_head).get(reverse("plans:detail", args=[draft.pk])).content.decode()
    assert "Không tìm thấy trang" in body and "Not Found" not in body


def test_list_selector_and_permission_helper_agree_for_every_user(
    tree, personas, commune_head, draft, issued_plan, period_plan, plan_no_requirements
):
    from django.contrib.auth import get_user_model

    from agencies.permissions import can
    from plans.rules import PLAN_VIEW
    from plans.selectors import plan_list_for_user
    from plans.tests.factories import plan_issued

    # The district's issued plan: read by the units below it (the commune's head), as in the demo.
    district_issued = plan_issued(issuer=tree["district"], drafter=personas.drafter, head=personas.head)
    plans = list(Plan.objects.all())
    assert district_issued.pk in set(plan_list_for_user(user=commune_head).values_list("pk", flat=True))
    for user in get_user_model().objects.all():
        listed = set(plan_list_for_user(user=user).values_list("pk", flat=True))
        assert listed == {p.pk for p in plans if can(user, PLAN_VIEW, p)}, user.username
        user.is_active = False
        assert not plan_list_for_user(user=user).exists()


def test_django_admin_is_only_for_system_administrators(client, personas):
    staff = personas.drafter
    staff.is_staff = True
    staff.save()
    client.force_login(staff)
    assert client.get(reverse("admin:plans_plan_changelist")).status_code == 302  # sent to admin login
    client.force_login(personas.admin)
    assert client.get(reverse("admin:plans_plan_changelist")).status_code == 200
