"""Drafting views: permissions (allowed, wrong role, other agency, crafted
POST), bad input with Vietnamese messages, lifecycle, copies, concurrency."""

import datetime as dt

import pytest
from django.urls import reverse

from agencies.models import Membership
from agencies.tests.factories import PASSWORD
from plans import services
from plans.models import Clause, Plan, PlanTransition, Task

from .factories import FULL_DRAFT_TASKS, plan_submitted
from .pages import post_confirmed

Role = Membership.Role


def as_user(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def edit_urls(plan):
    task = plan.tasks.first()
    return [
        reverse("plans:edit", args=[plan.pk]),
        reverse("plans:edit_section", args=[plan.pk, "noi-dung"]),
        reverse("plans:edit_responsibilities", args=[plan.pk]),
        reverse("plans:tasks", args=[plan.pk]),
        reverse("plans:task_new", args=[plan.pk]),
        reverse("plans:task_edit", args=[plan.pk, task.pk]),
    ]


# Permissions ------------------------------------------------------------------

def test_drafter_opens_every_editing_page_of_own_draft(client, personas, draft):
    personas.login(client, "drafter")
    for url in edit_urls(draft):
        assert client.get(url).status_code == 200, url


def test_reviewer_reads_but_may_not_edit(client, personas, draft):
    personas.login(client, "reviewer")
    for url in edit_urls(draft):
        assert client.get(url).status_code == 403, url
    assert client.get(reverse("plans:new")).status_code == 403


def test_other_agency_gets_not_found_on_every_page(client, draft, commune_head):
    plan = draft
    as_user(client, commune_head)
    urls = edit_urls(plan) + [
        reverse("plans:submit", args=[plan.pk]), reverse("plans:issue", args=[plan.pk]),
        reverse("plans:return", args=[plan.pk]), reverse("plans:copy", args=[plan.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    response = client.post(reverse("plans:task_delete", args=[plan.pk, plan.tasks.first().pk]))
    assert response.status_code == 404
    assert plan.tasks.count() == FULL_DRAFT_TASKS


def test_anonymous_is_sent_to_login(client, draft):
    for url in edit_urls(draft) + [reverse("plans:new")]:
        response = client.get(url)
        assert response.status_code == 302 and "/dang-nhap/" in response["Location"]


def test_drafter_may_not_issue_and_head_may(client, personas, draft):
    plan = plan_submitted(draft, user=personas.drafter, on=dt.date(2025, 1, 3))
    personas.login(client, "drafter")
    response = post_confirmed(client, reverse("plans:issue", args=[plan.pk]), {
        "number": 7, "issue_date": "05/01/2025", "signer_position": "CHỦ TỊCH", "signer_name": "A",

    })
    assert response.status_code == 403
    plan.refresh_from_db()
    assert plan.status == Plan.Status.SUBMITTED
    client.logout()
    personas.login(client, "head")
    response = post_confirmed(client, reverse("plans:issue", args=[plan.pk]), {
        "number": 7, "issue_date": "05/01/2025", "signer_authority": "TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH",
        "signer_position": "PHÓ CHỦ TỊCH", "signer_name": "Nhữ Văn Chuyên",
    })
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.status, plan.reference, plan.issue_date.isoformat()) == ("issued", "07/KH-UBND", "2025-01-05")


def test_crafted_post_to_an_issued_plan_is_refused_and_changes_nothing(client, personas, draft):
    plan = draft
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.ISSUED, number=3, issue_date="2025-01-05")
    personas.login(client, "drafter")
    response = client.post(reverse("plans:edit", args=[plan.pk]), {"title": "Đổi trộm", "kind": "yearly"})
    assert response.status_code == 403
    assert "Bạn không có quyền" in response.content.decode()
    task = plan.tasks.first()
    response = client.post(reverse("plans:task_edit", args=[plan.pk, task.pk]), {"content": "Đổi trộm"})
    assert response.status_code == 403
    plan.refresh_from_db()
    task.refresh_from_db()
    assert plan.title != "Đổi trộm" and task.content != "Đổi trộm"


def test_a_task_of_another_plan_cannot_be_edited_through_this_one(client, personas, draft, period_plan):
    personas.login(client, "drafter")
    foreign = period_plan.tasks.first()
    response = client.get(reverse("plans:task_edit", args=[draft.pk, foreign.pk]))
    assert response.status_code == 404


# List and search ----------------------------------------------------------------

def test_search_ignores_diacritics_and_case(client, personas, draft, issued_plan):
    personas.login(client, "admin")
    body = client.get(reverse("plans:list"), {"q": "TUYEN truyen huyen mot"}).content.decode()
    assert draft.title in body and issued_plan.title not in body
    body = client.get(reverse("plans:list"), {"q": "255/kh"}).content.decode()
    assert issued_plan.title in body and draft.title not in body


def test_filters_by_year_status_and_issuer(client, personas, draft, issued_plan, period_plan, plan_no_requirements):
    personas.login(client, "admin")
    body = client.get(reverse("plans:list"), {"year": 2023}).content.decode()
    assert period_plan.title in body and draft.title not in body  # 2021-2025 covers 2023
    body = client.get(reverse("plans:list"), {"status": "issued"}).content.decode()
    assert issued_plan.title in body and draft.title not in body
    body = client.get(reverse("plans:list"), {"issuer": plan_no_requirements.issuer_id}).content.decode()
    assert plan_no_requirements.title in body and issued_plan.title not in body


def test_list_is_paginated_with_filters_kept(client, personas, draft):
    plan = draft
    for year in range(2030, 2056):
        services.plan_copy(plan=plan, user=personas.drafter, issuer=plan.issuer, year_start=year, year_end=year)
    personas.login(client, "drafter")
    body = client.get(reverse("plans:list"), {"q": "huyen mot"}).content.decode()
    assert f"{Plan.objects.filter(issuer=plan.issuer).count()} kế hoạch" in body
    assert "Trang 1/2" in body and "?q=huyen+mot&page=2" in body


def test_plan_list_query_count_is_flat(client, personas, draft, django_assert_max_num_queries):
    plan = draft
    personas.login(client, "drafter")
    with django_assert_max_num_queries(12):
        client.get(reverse("plans:list"))
    for year in range(2030, 2040):
        services.plan_copy(plan=plan, user=personas.drafter, issuer=plan.issuer, year_start=year, year_end=year)
    with django_assert_max_num_queries(12):
        client.get(reverse("plans:list"))


# Bad input --------------------------------------------------------------------

def task_post(lead, **overrides):
    data = {"content": "Đăng tin", "lead_agency": lead.pk, "deadline": "30/06/2025", "budget": "1000000"}
    return data | overrides


def test_task_deadline_outside_the_plan_years_is_refused_next_to_the_field(client, tree, personas, draft):
    plan = draft
    personas.login(client, "drafter")
    response = client.post(reverse("plans:task_new", args=[plan.pk]), task_post(tree["commune"], deadline="01/03/2027"),
                           HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "Hạn hoàn thành phải nằm trong thời gian của kế hoạch (2025)." in body
    assert "Đăng tin" in body  # the other input is kept
    assert plan.tasks.count() == FULL_DRAFT_TASKS


def test_a_date_that_does_not_exist_is_refused_as_such(client, tree, personas, draft):
    personas.login(client, "drafter")
    response = client.post(reverse("plans:task_new", args=[draft.pk]), task_post(tree["commune"], deadline="31/02/2025"),
                           HTTP_HX_REQUEST="true")
    assert "Nhập một ngày có thật, dạng dd/mm/yyyy" in response.content.decode()
    assert draft.tasks.count() == FULL_DRAFT_TASKS


@pytest.mark.parametrize("budget", ["-5", "mười triệu", "1e6"])
def test_negative_or_non_numeric_budget_is_refused(client, tree, personas, draft, budget):
    plan = draft
    personas.login(client, "drafter")
    response = client.post(reverse("plans:task_new", args=[plan.pk]), task_post(tree["commune"], budget=budget),
                           HTTP_HX_REQUEST="true")
    assert "Nhập số tiền bằng chữ số (đồng), không âm" in response.content.decode()
    assert plan.tasks.count() == FULL_DRAFT_TASKS


def test_lead_cannot_also_coordinate(client, tree, personas, draft):
    plan = draft
    lead = tree["commune"]
    personas.login(client, "drafter")
    response = client.post(reverse("plans:task_new", args=[plan.pk]),
                           task_post(lead, coordinating_agencies=[lead.pk]), HTTP_HX_REQUEST="true")
    assert "Cơ quan chủ trì không đồng thời là cơ quan phối hợp." in response.content.decode()


def test_a_valid_task_row_is_saved_and_returned_as_a_row(client, tree, personas, draft):
    plan = draft
    personas.login(client, "drafter")
    response = client.post(reverse("plans:task_new", args=[plan.pk]), task_post(tree["commune"]),
                           HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith("<tr id=\"task-") and "1.000.000" in body
    assert plan.tasks.count() == FULL_DRAFT_TASKS + 1


def test_submit_refuses_a_plan_with_empty_required_sections(client, tree, personas):
    plan = services.plan_create(issuer=tree["district"], user=personas.drafter, fields={
        "kind": "yearly", "year_start": 2026, "title": "Kế hoạch trống"})
    personas.login(client, "drafter")
    response = client.post(reverse("plans:submit", args=[plan.pk]), {"comment": ""})
    body = response.content.decode()
    for label in ("Mục đích", "Yêu cầu", "Nội dung tuyên truyền"):
        assert f"Phần «{label}» chưa có nội dung." in body
    plan.refresh_from_db()
    assert plan.status == Plan.Status.DRAFT


def test_empty_title_is_refused_and_other_input_kept(client, personas, draft):
    plan = draft
    personas.login(client, "drafter")
    response = client.post(reverse("plans:edit", args=[plan.pk]), {
        "kind": "yearly", "year_start": "2025", "title": "", "place": "Bình Giang Mới",
        "lock_version": plan.lock_version, "basis-TOTAL_FORMS": "0", "basis-INITIAL_FORMS": "0",
    })
    body = response.content.decode()
    assert "Nhập trích yếu của kế hoạch." in body and 'value="Bình Giang Mới"' in body
    plan.refresh_from_db()
    assert plan.place == "Bình Giang"


def test_second_save_from_a_stale_page_is_refused_with_input_kept(client, personas, draft):
    plan = draft
    stale = plan.lock_version
    personas.login(client, "drafter")
    data = {"kind": "yearly", "year_start": "2025", "title": "Bản của người thứ nhất", "place": "Bình Giang",
            "lock_version": stale, "basis-TOTAL_FORMS": "0", "basis-INITIAL_FORMS": "0"}
    assert client.post(reverse("plans:edit", args=[plan.pk]), data).status_code == 302
    data["title"] = "Bản của người thứ hai"
    response = client.post(reverse("plans:edit", args=[plan.pk]), data)
    body = response.content.decode()
    assert "vừa được người khác lưu" in body and "Bản của người thứ hai" in body
    plan.refresh_from_db()
    assert plan.title == "Bản của người thứ nhất"


def test_duplicate_number_in_the_same_year_is_refused(client, personas, draft):
    plan = draft
    other = services.plan_copy(plan=plan, user=personas.drafter, issuer=plan.issuer, year_start=2025, year_end=2025)
    for p, status in ((other, "issued"), (plan, "submitted")):
        Plan.objects.filter(pk=p.pk).update(status=status)
    Plan.objects.filter(pk=other.pk).update(number=9, issue_date="2025-02-01")
    personas.login(client, "head")
    response = post_confirmed(client, reverse("plans:issue", args=[plan.pk]), {
        "number": 9, "issue_date": "03/03/2025", "signer_position": "CHỦ TỊCH", "signer_name": "A"})
    assert "Số 09/KH-UBND đã được dùng trong năm 2025." in response.content.decode()


def test_return_needs_a_comment_and_is_recorded(client, personas, draft):
    plan = draft
    services.plan_submit(plan=plan, user=personas.drafter)
    personas.login(client, "head")
    response = client.post(reverse("plans:return", args=[plan.pk]), {"comment": ""})
    assert "Nhập lý do trả lại" in response.content.decode()
    client.post(reverse("plans:return", args=[plan.pk]), {"comment": "Bổ sung kinh phí cho xã."})
    plan.refresh_from_db()
    assert plan.status == Plan.Status.RETURNED
    last = PlanTransition.objects.filter(plan=plan).last()
    assert (last.to_status, last.comment, last.user.username) == ("returned", "Bổ sung kinh phí cho xã.", "head")


# Clause lists -------------------------------------------------------------------

def test_section_rows_are_added_removed_reordered_and_nested(client, personas, period_plan):
    plan = period_plan
    Membership.objects.create(user=personas.drafter, agency=plan.issuer, role=Role.DRAFTER)
    personas.login(client, "drafter")
    purposes = list(plan.clauses.filter(section=Clause.Section.PURPOSE))
    form = {"lock_version": plan.lock_version, "rows-TOTAL_FORMS": "4", "rows-INITIAL_FORMS": "3"}
    # Reverse the order, delete the middle one, add a child under the (new) first.
    rows = [
        (purposes[2].pk, 0, "letter", purposes[2].text, 1, ""),
        (purposes[1].pk, 0, "letter", purposes[1].text, 2, "on"),
        (purposes[0].pk, 0, "letter", purposes[0].text, 3, ""),
        ("", 1, "dash", "Ý con mới", 2, ""),
    ]
    for i, (pk, level, marker, text, order, delete) in enumerate(rows):
        form |= {f"rows-{i}-id": pk, f"rows-{i}-level": level, f"rows-{i}-marker": marker,
                 f"rows-{i}-text": text, f"rows-{i}-ORDER": order}
        if delete:
            form[f"rows-{i}-DELETE"] = "on"
    response = client.post(reverse("plans:edit_section", args=[plan.pk, "muc-dich"]), form)
    assert response.status_code == 302
    stored = list(plan.clauses.filter(section=Clause.Section.PURPOSE).order_by("position"))
    assert [c.text for c in stored] == [purposes[2].text, "Ý con mới", purposes[0].text]
    assert stored[1].parent_id == stored[0].pk and stored[0].pk == purposes[2].pk
    body = client.get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert f"a) {purposes[2].text}" in body and f"b) {purposes[0].text}" in body


def test_a_child_row_without_a_parent_is_refused(client, personas, draft):
    plan = draft
    personas.login(client, "drafter")
    form = {"lock_version": plan.lock_version, "rows-TOTAL_FORMS": "1", "rows-INITIAL_FORMS": "0",
            "rows-0-level": "2", "rows-0-marker": "dash", "rows-0-text": "Mồ côi", "rows-0-ORDER": "1"}
    response = client.post(reverse("plans:edit_section", args=[plan.pk, "muc-dich"]), form)
    assert "Ý con phải đứng ngay sau một ý cấp trên." in response.content.decode()
    assert plan.clauses.filter(section=Clause.Section.PURPOSE).count() == 3


def test_responsibilities_round_trip_their_duties(client, personas, draft, front):
    plan = draft
    personas.login(client, "drafter")
    page = client.get(reverse("plans:edit_responsibilities", args=[plan.pk])).content.decode()
    assert "- Chủ trì tổ chức thực hiện công tác tuyên truyền" in page
    mttq = front
    form = {"lock_version": plan.lock_version, "rows-TOTAL_FORMS": "1", "rows-INITIAL_FORMS": "0",
            "rows-0-agency": mttq.pk, "rows-0-title": "Ủy ban MTTQ huyện", "rows-0-is_request": "on",
            "rows-0-duties": "Phối hợp tuyên truyền.\n- Vận động đoàn viên\n+ hội viên", "rows-0-ORDER": "1"}
    assert client.post(reverse("plans:edit_responsibilities", args=[plan.pk]), form).status_code == 302
    (responsibility,) = plan.responsibilities.all()
    markers = list(responsibility.duties.order_by("position").values_list("marker", flat=True))
    assert markers == ["paragraph", "dash", "plus"]
    body = client.get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert "1. Đề nghị Ủy ban MTTQ huyện:" in body


# Copies, amendments, cascade, history ---------------------------------------------

def test_amending_an_issued_plan_makes_a_new_version_and_keeps_the_old(client, personas, issued_plan):
    plan = issued_plan
    Membership.objects.create(user=personas.drafter, agency=plan.issuer, role=Role.DRAFTER)
    personas.login(client, "drafter")
    response = client.post(reverse("plans:amend", args=[plan.pk]))
    new = Plan.objects.get(amends=plan)
    assert response["Location"] == reverse("plans:edit", args=[new.pk])
    assert (new.version, new.status, new.number) == (2, "draft", None)
    assert new.clauses.count() == plan.clauses.count()
    old_page = client.get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert "Số: 255/KH-UBND" in old_page and "Dự thảo" in old_page  # links the amendment


def test_cascade_prefills_content_and_links_the_parent(client, tree, personas, draft, commune_head):
    parent = draft
    Plan.objects.filter(pk=parent.pk).update(status="issued", number=12, issue_date="2025-01-20")
    as_user(client, commune_head)  # head of the commune, under the district
    response = client.post(reverse("plans:cascade", args=[parent.pk]), {"issuer": tree["commune"].pk})
    child = Plan.objects.get(issuer=tree["commune"])
    assert response["Location"] == reverse("plans:edit", args=[child.pk])
    basis = child.basis_references.get()
    assert basis.linked_plan == parent
    assert basis.text.startswith("Kế hoạch số 12/KH-UBND ngày 20/01/2025 của Ủy ban nhân dân huyện Một")
    parent_content = parent.clauses.filter(section=Clause.Section.CONTENT).count()
    assert child.clauses.filter(section=Clause.Section.CONTENT).count() == parent_content
    assert not child.tasks.exists()
    client.logout()
    personas.login(client, "reviewer")
    parent_page = client.get(reverse("plans:detail", args=[parent.pk])).content.decode()
    assert reverse("plans:detail", args=[child.pk]) in parent_page  # the parent lists its child


def test_copy_moves_years_and_deadlines(personas, draft):
    plan = draft
    new = services.plan_copy(plan=plan, user=personas.drafter, issuer=plan.issuer, year_start=2026, year_end=2026)
    assert new.title.endswith("năm 2026") and new.status == "draft"
    assert sorted(t.deadline.year for t in new.tasks.all()) == [2026] * FULL_DRAFT_TASKS
    assert Task.objects.filter(plan=plan).count() == FULL_DRAFT_TASKS  # source untouched


def test_changes_are_recorded_with_who_and_when(client, tree, personas, draft):
    plan = draft
    personas.login(client, "drafter")
    client.post(reverse("plans:task_edit", args=[plan.pk, plan.tasks.first().pk]),
                task_post(tree["commune"], content="Nội dung đã sửa"))
    records = Task.history.filter(plan_id=plan.pk, content="Nội dung đã sửa")
    assert {(r.history_user.username, r.history_type) for r in records} == {("drafter", "~")}
    body = client.get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert f"{personas.drafter.get_full_name()} sửa nhiệm vụ" in body


def test_a_repeated_row_id_is_refused(client, personas, draft):
    plan = draft
    clause = plan.clauses.filter(section=Clause.Section.PURPOSE).first()
    personas.login(client, "drafter")
    form = {"lock_version": plan.lock_version, "rows-TOTAL_FORMS": "2", "rows-INITIAL_FORMS": "2"}
    for i, level in enumerate((0, 1)):
        form |= {f"rows-{i}-id": clause.pk, f"rows-{i}-level": level, f"rows-{i}-marker": "dash",
                 f"rows-{i}-text": "x", f"rows-{i}-ORDER": i + 1}
    response = client.post(reverse("plans:edit_section", args=[plan.pk, "muc-dich"]), form)
    assert "Có dòng bị lặp" in response.content.decode()
    assert plan.clauses.filter(section=Clause.Section.PURPOSE).count() == 3


def test_a_basis_row_id_of_another_plan_changes_nothing_there(client, personas, draft, period_plan):
    plan, other = draft, period_plan
    foreign = other.basis_references.first()
    personas.login(client, "drafter")
    response = client.post(reverse("plans:edit", args=[plan.pk]), {
        "kind": "yearly", "year_start": "2025", "title": plan.title, "place": "Bình Giang",
        "lock_version": plan.lock_version, "basis-TOTAL_FORMS": "1", "basis-INITIAL_FORMS": "0",
        "basis-0-id": foreign.pk, "basis-0-verb": "Căn cứ", "basis-0-text": "Văn bản mới", "basis-0-ORDER": "1",
    })
    assert response.status_code == 302
    foreign.refresh_from_db()
    assert foreign.plan_id == other.pk and foreign.text != "Văn bản mới"
    assert list(plan.basis_references.values_list("text", flat=True)) == ["Văn bản mới"]


def test_edit_page_queries_do_not_grow_with_rows(client, personas, draft, django_assert_max_num_queries):
    plan = draft
    personas.login(client, "drafter")
    url = reverse("plans:edit_section", args=[plan.pk, "noi-dung"])
    with django_assert_max_num_queries(14):
        client.get(url)
    for i in range(10):
        Clause.objects.create(plan=plan, section=Clause.Section.CONTENT, position=900 + i, marker="dash", text="x")
    with django_assert_max_num_queries(14):
        client.get(url)
