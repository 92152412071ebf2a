"""The plan loop as users expect it (issue 13, points 3, 5 and 7): a visible
«Bị trả lại», withdrawing and deleting, the checks before submitting, issuing
with a suggested number and a confirmed date, one plan or task per double
click, copies that move the years of the body, agency pickers limited to the
issuer's active units, and conflicts per task row."""

import datetime as dt
import importlib
import re
import uuid

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency
from agencies.tests.factories import AgencyFactory
from plans import services
from plans.models import Clause, Heading, Plan, PlanTransition, Task
from plans.services.copies import YearShift

from .factories import plan_draft, plan_submitted
from .pages import post_confirmed

TODAY = timezone.localdate()


def task_post(lead, **overrides):
    data = {"content": "Đăng tin", "lead_agency": lead.pk, "deadline": "30/06/2025", "budget": "1000000"}
    return data | overrides


def returned(plan, personas, comment="Bổ sung kinh phí cho các xã."):
    services.plan_submit(plan=plan, user=personas.drafter)
    return services.plan_return(plan=plan, user=personas.head, comment=comment)


# A visible «Bị trả lại» -----------------------------------------------------------

def test_a_returned_plan_says_so_in_the_list_and_on_top_of_its_pages(client, personas, draft):
    returned(draft, personas, comment="Bổ sung kinh phí cho các xã.")
    draft.refresh_from_db()
    assert draft.status == Plan.Status.RETURNED
    personas.login(client, "drafter")
    listed = client.get(reverse("plans:list")).content.decode()
    assert "Bị trả lại" in listed and "text-bg-danger" in listed
    page = client.get(reverse("plans:detail", args=[draft.pk])).content.decode()
    note = page[page.index('id="return-note"'):]
    assert page.index('id="return-note"') < page.index('class="plan-sheet"')
    assert "Bổ sung kinh phí cho các xã." in note[:600] and TODAY.strftime("%d/%m/%Y") in note[:600]
    assert personas.head.get_full_name() in note[:600]
    editor = client.get(reverse("plans:edit_section", args=[draft.pk, "muc-dich"])).content.decode()
    assert 'id="return-note"' in editor and "Bổ sung kinh phí cho các xã." in editor
    filtered = client.get(reverse("plans:list"), {"status": "returned"}).content.decode()
    assert draft.title in filtered


def test_a_returned_plan_is_edited_and_submitted_again(client, tree, personas, draft):
    returned(draft, personas)
    personas.login(client, "drafter")
    response = client.post(reverse("plans:task_new", args=[draft.pk]), task_post(tree["commune"]))
    assert response.status_code == 302
    response = client.post(reverse("plans:submit", args=[draft.pk]), {"comment": "Đã bổ sung."})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Plan.Status.SUBMITTED
    moves = list(draft.transitions.values_list("from_status", "to_status"))
    assert moves[-3:] == [("draft", "submitted"), ("submitted", "returned"), ("returned", "submitted")]


def test_returns_recorded_before_the_returned_state_are_migrated(personas, draft, tree):
    migration = importlib.import_module("plans.migrations.0012_plan_returned_deleted_keys_task_lock")
    sent_back = draft
    resubmitted = plan_draft(issuer=tree["district"], year=2027)
    for plan, moves in ((sent_back, [("draft", "submitted"), ("submitted", "draft")]),
                        (resubmitted, [("draft", "submitted"), ("submitted", "draft"), ("draft", "submitted")])):
        for from_status, to_status in moves:
            PlanTransition.objects.create(plan=plan, from_status=from_status, to_status=to_status, user=personas.head)
        Plan.objects.filter(pk=plan.pk).update(status=moves[-1][1])
    migration.returns_become_returned(apps, None)
    sent_back.refresh_from_db()
    resubmitted.refresh_from_db()
    assert (sent_back.status, resubmitted.status) == ("returned", "submitted")
    assert PlanTransition.objects.filter(from_status="submitted", to_status="draft").count() == 0
    assert PlanTransition.objects.filter(to_status="returned").count() == 2
    migration.returned_becomes_draft(apps, None)
    sent_back.refresh_from_db()
    assert sent_back.status == "draft"


# Withdraw ---------------------------------------------------------------------------

def test_the_drafter_withdraws_a_submitted_plan_after_a_confirmation_page(client, personas, draft):
    services.plan_submit(plan=draft, user=personas.drafter)
    personas.login(client, "drafter")
    detail = client.get(reverse("plans:detail", args=[draft.pk])).content.decode()
    withdraw_url = reverse("plans:withdraw", args=[draft.pk])
    assert f'href="{withdraw_url}" data-confirm=' in detail and 'id="confirm-dialog"' in detail
    page = client.get(withdraw_url)
    assert page.status_code == 200 and "Thu hồi về dự thảo" in page.content.decode()
    draft.refresh_from_db()
    assert draft.status == Plan.Status.SUBMITTED  # asking changes nothing
    response = client.post(withdraw_url, {"comment": "Sửa lại phụ lục."})
    assert response.status_code == 302
    draft.refresh_from_db()
    last = draft.transitions.last()
    assert draft.status == Plan.Status.DRAFT
    assert (last.from_status, last.to_status, last.user, last.comment) == (
        "submitted", "draft", personas.drafter, "Sửa lại phụ lục.")


@pytest.mark.parametrize(("persona", "status"), [("head", 403), ("reviewer", 403), ("outsider", 404)])
def test_only_the_issuers_drafter_withdraws(client, personas, draft, persona, status):
    services.plan_submit(plan=draft, user=personas.drafter)
    personas.login(client, persona)
    assert client.post(reverse("plans:withdraw", args=[draft.pk])).status_code == status
    draft.refresh_from_db()
    assert draft.status == Plan.Status.SUBMITTED


def test_a_draft_or_an_issued_plan_cannot_be_withdrawn(client, personas, draft, commune_head):
    personas.login(client, "drafter")
    assert client.post(reverse("plans:withdraw", args=[draft.pk])).status_code == 403
    draft.refresh_from_db()
    assert draft.status == Plan.Status.DRAFT


# Delete a draft ---------------------------------------------------------------------

def test_the_drafter_deletes_a_draft_which_then_shows_nowhere_but_is_kept(client, personas, draft):
    personas.login(client, "drafter")
    delete_url = reverse("plans:delete", args=[draft.pk])
    page = client.get(delete_url).content.decode()
    assert "Xóa dự thảo" in page and draft.title[:40] in page
    response = client.post(delete_url)
    assert response.status_code == 302 and response["Location"] == reverse("plans:list")
    listed = client.get(reverse("plans:list")).content.decode()
    assert "0 kế hoạch" in listed and f'href="{reverse("plans:detail", args=[draft.pk])}"' not in listed
    assert client.get(reverse("plans:detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("plans:edit", args=[draft.pk])).status_code == 404
    kept = Plan.objects.get(pk=draft.pk)
    assert kept.status == Plan.Status.DELETED and kept.tasks.count() == 6
    last = kept.transitions.last()
    assert (last.to_status, last.user) == ("deleted", personas.drafter)
    personas.login(client, "admin")
    assert client.get(reverse("plans:detail", args=[draft.pk])).status_code == 404
    assert f'href="{reverse("plans:detail", args=[draft.pk])}"' not in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize(("persona", "status"), [("head", 403), ("reviewer", 403), ("outsider", 404)])
def test_only_the_issuers_drafter_deletes_a_draft(client, personas, draft, persona, status):
    personas.login(client, persona)
    assert client.post(reverse("plans:delete", args=[draft.pk])).status_code == status
    draft.refresh_from_db()
    assert draft.status == Plan.Status.DRAFT


def test_a_submitted_or_issued_plan_cannot_be_deleted(client, personas, draft):
    services.plan_submit(plan=draft, user=personas.drafter)
    personas.login(client, "drafter")
    assert client.post(reverse("plans:delete", args=[draft.pk])).status_code == 403
    draft.refresh_from_db()
    assert draft.status == Plan.Status.SUBMITTED


# The checks before submitting -------------------------------------------------------

def test_a_complete_draft_shows_no_problem_and_goes_up(client, personas, draft):
    personas.login(client, "drafter")
    page = client.get(reverse("plans:submit", args=[draft.pk])).content.decode()
    assert 'id="checks-ok"' in page and 'type="submit">Trình phê duyệt<' in page


def test_wrong_leads_and_deadlines_block_the_submission_with_links_to_fix_them(client, tree, personas, draft):
    tasks = list(draft.tasks.order_by("position"))
    dissolved = AgencyFactory(code="D-OLD", parent=tree["district"], name="Ủy ban nhân dân xã Cũ", is_active=False,
                              dissolved_on=dt.date(2025, 7, 1))
    Task.objects.filter(pk=tasks[0].pk).update(lead_agency=tree["district2"])
    Task.objects.filter(pk=tasks[1].pk).update(lead_agency=dissolved)
    Task.objects.filter(pk=tasks[2].pk).update(deadline=dt.date(2026, 3, 31))
    tasks[3].coordinating_agencies.add(tree["district2"])
    personas.login(client, "drafter")
    url = reverse("plans:submit", args=[draft.pk])
    page = client.get(url).content.decode()
    errors = page[page.index('id="checks-errors"'):page.index("</section>")]
    assert "Cần sửa trước khi trình (4)" in errors
    assert "Nhiệm vụ 1 («Nhiệm vụ 1: đăng tải tin, bài" in errors
    assert "cơ quan chủ trì «Ủy ban nhân dân huyện Hai» không thuộc Ủy ban nhân dân huyện Một" in errors
    assert "Nhiệm vụ 2" in errors and "«Ủy ban nhân dân xã Cũ» đã sáp nhập hoặc giải thể" in errors
    assert "Nhiệm vụ 3" in errors and "hạn hoàn thành 31/03/2026 nằm ngoài thời gian của kế hoạch (2025)" in errors
    assert "Nhiệm vụ 4" in errors and "cơ quan phối hợp «Ủy ban nhân dân huyện Hai»" in errors
    for task in tasks[:4]:
        assert f'href="{reverse("plans:task_edit", args=[draft.pk, task.pk])}"' in errors
    assert 'type="submit">Trình phê duyệt<' not in page
    response = client.post(url, {"comment": ""})
    assert "không thuộc Ủy ban nhân dân huyện Một" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Plan.Status.DRAFT


def test_empty_sections_block_and_link_to_their_tab(client, tree, personas):
    plan = services.plan_create(issuer=tree["district"], user=personas.drafter,
                                fields={"kind": "yearly", "year_start": 2026, "title": "Kế hoạch trống"})
    personas.login(client, "drafter")
    page = client.get(reverse("plans:submit", args=[plan.pk])).content.decode()
    for slug, label in (("muc-dich", "Mục đích"), ("yeu-cau", "Yêu cầu"), ("noi-dung", "Nội dung tuyên truyền")):
        assert f"Phần «{label}» chưa có nội dung." in page
        assert f'href="{reverse("plans:edit_section", args=[plan.pk, slug])}">Soạn phần «{label}»</a>' in page
    assert "Phụ lục chưa có nhiệm vụ nào" in page  # a warning too


def test_a_budget_total_unlike_the_appendix_warns_without_blocking(client, personas, draft):
    Plan.objects.filter(pk=draft.pk).update(budget_total=20_000_000)  # the six tasks add up to 21.000.000
    personas.login(client, "drafter")
    url = reverse("plans:submit", args=[draft.pk])
    page = client.get(url).content.decode()
    warnings = page[page.index('id="checks-warnings"'):]
    assert ("Tổng kinh phí ở phần chung (20.000.000 đồng) khác tổng kinh phí các nhiệm vụ trong phụ lục "
            "(21.000.000 đồng).") in warnings
    assert f'href="{reverse("plans:edit", args=[draft.pk])}#id_budget_total"' in warnings
    assert 'id="checks-errors"' not in page
    assert client.post(url, {"comment": ""}).status_code == 302
    Plan.objects.filter(pk=draft.pk).update(budget_total=21_000_000, status=Plan.Status.DRAFT)
    assert "Tổng kinh phí ở phần chung" not in client.get(url).content.decode()


@pytest.mark.parametrize(("persona", "status"), [("drafter", 200), ("head", 200), ("reviewer", 403), ("outsider", 404)])
def test_the_check_page_follows_the_submit_rule(client, personas, draft, persona, status):
    personas.login(client, persona)
    assert client.get(reverse("plans:submit", args=[draft.pk])).status_code == status


def test_the_check_page_costs_the_same_whatever_the_number_of_tasks(client, personas, draft):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    personas.login(client, "drafter")
    url = reverse("plans:submit", args=[draft.pk])
    client.get(url)  # the roles and the bell cached, as on any later page
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for task in list(draft.tasks.all())[:4]:
        task.pk, task.creation_key = None, None
        task.save()
    with CaptureQueriesContext(connection) as after:
        client.get(url)
    assert len(after) == len(before) <= 16


# Issuing ----------------------------------------------------------------------------

@pytest.fixture
def next_years_plan(tree, personas):
    """The district's plan for next year, submitted on 02/01 of this year."""
    plan = plan_draft(issuer=tree["district"], leads=[tree["commune"]], year=TODAY.year + 1)
    return plan_submitted(plan, user=personas.drafter, on=dt.date(TODAY.year, 1, 2))


def issue_post(**overrides):
    return {"number": "07", "issue_date": TODAY.strftime("%d/%m/%Y"), "signer_authority": "TM. ỦY BAN NHÂN DÂN",
            "signer_position": "CHỦ TỊCH", "signer_name": "Nguyễn Văn An"} | overrides


def test_the_issue_page_suggests_the_next_free_number_and_today(client, tree, personas, next_years_plan):
    other = plan_draft(issuer=tree["district"], year=TODAY.year)
    Plan.objects.filter(pk=other.pk).update(status="issued", number=12, issue_date=dt.date(TODAY.year, 1, 5))
    elsewhere = plan_draft(issuer=tree["district2"], year=TODAY.year)
    Plan.objects.filter(pk=elsewhere.pk).update(status="issued", number=40, issue_date=dt.date(TODAY.year, 1, 5))
    personas.login(client, "head")
    page = client.get(reverse("plans:issue", args=[next_years_plan.pk])).content.decode()
    assert 'name="number" value="13"' in page
    assert f'name="issue_date" value="{TODAY:%d/%m/%Y}"' in page


def test_an_issue_date_in_the_future_or_before_the_submission_is_refused(client, personas, next_years_plan):
    personas.login(client, "head")
    url = reverse("plans:issue", args=[next_years_plan.pk])
    tomorrow = TODAY + dt.timedelta(days=1)
    body = client.post(url, issue_post(issue_date=f"{tomorrow:%d/%m/%Y}", confirmed="1")).content.decode()
    assert "Ngày ban hành không được sau hôm nay." in body
    body = client.post(url, issue_post(issue_date=f"01/01/{TODAY.year}", confirmed="1")).content.decode()
    assert f"Ngày ban hành không được trước ngày trình (02/01/{TODAY.year})." in body
    next_years_plan.refresh_from_db()
    assert next_years_plan.status == Plan.Status.SUBMITTED
    with pytest.raises(Exception, match="không được sau hôm nay"):  # the service refuses it too
        services.plan_issue(plan=next_years_plan, user=personas.head, number=7, issue_date=tomorrow,
                            signer_authority="", signer_position="CHỦ TỊCH", signer_name="A")


def test_issuing_asks_to_confirm_the_values_typed_then_issues(client, personas, next_years_plan):
    personas.login(client, "head")
    url = reverse("plans:issue", args=[next_years_plan.pk])
    asked = client.post(url, issue_post())
    body = asked.content.decode()
    assert asked.status_code == 200 and 'id="issue-confirm"' in body
    assert f"Kế hoạch số 07/KH-UBND ngày {TODAY:%d/%m/%Y}, người ký CHỦ TỊCH Nguyễn Văn An" in body
    assert "data-confirm-open" in body and 'name="confirmed" value="1"' in body
    next_years_plan.refresh_from_db()
    assert next_years_plan.status == Plan.Status.SUBMITTED
    confirm_for = re.search(r'name="confirm_for" value="([^"]*)"', body).group(1)
    # A number changed after the question was asked is asked about again.
    again = client.post(url, issue_post(number="08", confirmed="1", confirm_for=confirm_for))
    assert 'id="issue-confirm"' in again.content.decode() and "Kế hoạch số 08/KH-UBND" in again.content.decode()
    next_years_plan.refresh_from_db()
    assert next_years_plan.status == Plan.Status.SUBMITTED
    response = post_confirmed(client, url, issue_post())
    assert response.status_code == 302
    next_years_plan.refresh_from_db()
    assert (next_years_plan.status, next_years_plan.reference, next_years_plan.issue_date) == (
        "issued", "07/KH-UBND", TODAY)


# One plan, one task per double click ------------------------------------------------

def test_the_new_plan_form_posted_twice_makes_one_plan(client, tree, personas):
    personas.login(client, "drafter")
    page = client.get(reverse("plans:new")).content.decode()
    key = re.search(r'name="creation_key" value="([0-9a-f-]+)"', page).group(1)
    data = {"issuer": tree["district"].pk, "kind": "yearly", "year_start": "2027", "title": "Kế hoạch năm 2027",
            "creation_key": key}
    first = client.post(reverse("plans:new"), data)
    second = client.post(reverse("plans:new"), data)
    assert Plan.objects.filter(title="Kế hoạch năm 2027").count() == 1
    assert first["Location"] == second["Location"] == reverse("plans:edit", args=[Plan.objects.get(
        title="Kế hoạch năm 2027").pk])
    fresh = client.get(reverse("plans:new")).content.decode()
    assert key not in fresh  # each form its own key


def test_someone_elses_creation_key_makes_a_new_plan_of_ones_own(client, tree, personas):
    key = uuid.uuid4()
    services.plan_create(issuer=tree["district2"], user=personas.outsider, creation_key=key,
                         fields={"kind": "yearly", "year_start": 2027, "title": "Của huyện Hai"})
    personas.login(client, "drafter")
    client.post(reverse("plans:new"), {"issuer": tree["district"].pk, "kind": "yearly", "year_start": "2027",
                                       "title": "Của huyện Một", "creation_key": str(key)})
    mine = Plan.objects.get(title="Của huyện Một")
    assert mine.issuer == tree["district"] and mine.creation_key is None


def test_the_new_task_form_posted_twice_makes_one_task(client, tree, personas, draft):
    personas.login(client, "drafter")
    form = client.get(reverse("plans:task_new", args=[draft.pk]), HTTP_HX_REQUEST="true").content.decode()
    key = re.search(r'name="creation_key" value="([0-9a-f-]+)"', form).group(1)
    data = task_post(tree["commune"], content="Treo băng rôn", creation_key=key)
    first = client.post(reverse("plans:task_new", args=[draft.pk]), data, HTTP_HX_REQUEST="true")
    second = client.post(reverse("plans:task_new", args=[draft.pk]), data, HTTP_HX_REQUEST="true")
    (task,) = draft.tasks.filter(content="Treo băng rôn")
    assert f'id="task-{task.pk}"' in first.content.decode() and f'id="task-{task.pk}"' in second.content.decode()
    assert draft.tasks.count() == 7
    # The same key posted to another plan's form is no key at all there.
    other = plan_draft(issuer=tree["district"], year=2025)
    client.post(reverse("plans:task_new", args=[other.pk]), data, HTTP_HX_REQUEST="true")
    assert other.tasks.filter(content="Treo băng rôn").count() == 1


def test_a_copy_posted_twice_makes_one_copy(client, personas, draft):
    personas.login(client, "drafter")
    data = {"issuer": draft.issuer_id, "year_start": "2026", "replace_years": "on", "preview_for": "2026-2026",
            "creation_key": str(uuid.uuid4())}
    first = client.post(reverse("plans:copy", args=[draft.pk]), data)
    second = client.post(reverse("plans:copy", args=[draft.pk]), data)
    assert Plan.objects.filter(issuer=draft.issuer, year_start=2026).count() == 1
    assert first["Location"] == second["Location"]


# Copying to another year --------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("Tuyên truyền CCHC năm 2025", "Tuyên truyền CCHC năm 2026"),
    ("Đánh giá kết quả năm 2024", "Đánh giá kết quả năm 2025"),
    ("Hoàn thành trước ngày 15/12/2025, báo cáo Quý I/2025", "Hoàn thành trước ngày 15/12/2026, báo cáo Quý I/2026"),
    ("giai đoạn 2021-2025 và 2021 - 2030", "giai đoạn 2021-2025 và 2021 - 2030"),
    ("Thực hiện Kế hoạch số 12/KH-UBND ngày 10/01/2025 của UBND tỉnh về CCHC năm 2025, xây dựng kế hoạch năm 2025",
     "Thực hiện Kế hoạch số 12/KH-UBND ngày 10/01/2025 của UBND tỉnh về CCHC năm 2025, xây dựng kế hoạch năm 2026"),
    ("Nghị định 13/2025/NĐ-CP năm 2025", "Nghị định 13/2025/NĐ-CP năm 2026"),
    ("mục tiêu đến năm 2030; năm 2020", "mục tiêu đến năm 2030; năm 2020"),
])
def test_a_yearly_plans_years_move_but_cited_documents_and_periods_stay(text, expected):
    assert YearShift(start=2025, end=2025, new_start=2026, new_end=2026)(text) == expected


def test_a_period_plans_own_span_moves():
    shift = YearShift(start=2021, end=2025, new_start=2026, new_end=2030)
    assert shift("giai đoạn 2021 - 2025; năm 2023; đến 2021-2030") == "giai đoạn 2026 - 2030; năm 2028; đến 2021-2030"


def test_the_copy_page_lists_every_changed_sentence_and_the_basis_left_alone(client, personas, draft):
    Clause.objects.filter(plan=draft, section=Clause.Section.PURPOSE).update(
        text="Đánh giá kết quả năm 2024. Câu này không đổi. Triển khai Kế hoạch số 5/KH-UBND năm 2025.")
    personas.login(client, "drafter")
    page = client.get(reverse("plans:copy", args=[draft.pk])).content.decode()
    changes = page[page.index('id="year-changes"'):]
    assert "Thay năm trong nội dung (2025 → 2026)" in changes
    assert "Tuyên truyền cải cách hành chính nhà nước huyện Một năm <del" in changes  # the title
    assert "Đánh giá kết quả năm <del class=\"text-danger\">2024</del>." in changes
    assert "Đánh giá kết quả năm <mark>2025</mark>." in changes
    assert "Câu này không đổi" not in changes and "Kế hoạch số 5/KH-UBND năm 2025" not in changes
    assert 'name="preview_for" value="2026-2026"' in changes
    kept = changes[changes.index('id="basis-kept"'):]
    assert "<li>Căn cứ Kế hoạch số 12/KH-UBND ngày 10/01/2025 của Ủy ban nhân dân tỉnh" in kept
    # Other years: the list follows (the htmx request of the year field).
    fragment = client.get(reverse("plans:copy", args=[draft.pk]), {
        "issuer": draft.issuer_id, "year_start": "2027", "replace_years": "on"}, HTTP_HX_REQUEST="true")
    assert "(2025 → 2027)" in fragment.content.decode() and 'value="2027-2027"' in fragment.content.decode()


def test_a_copy_applies_the_listed_replacements_only_for_the_years_shown(client, personas, draft):
    Clause.objects.filter(plan=draft, section=Clause.Section.PURPOSE).update(text="Kết quả năm 2024, kế hoạch năm 2025.")
    personas.login(client, "drafter")
    url = reverse("plans:copy", args=[draft.pk])
    data = {"issuer": draft.issuer_id, "year_start": "2027", "replace_years": "on", "preview_for": "2026-2026"}
    page = client.post(url, data).content.decode()  # the list shown was for 2026
    assert "Danh sách thay đổi bên dưới đã cập nhật theo năm mới" in page and "(2025 → 2027)" in page
    assert not Plan.objects.filter(year_start=2027).exists()
    response = client.post(url, data | {"preview_for": "2027-2027"})
    copy = Plan.objects.get(year_start=2027)
    assert response["Location"] == reverse("plans:edit", args=[copy.pk])
    assert set(copy.clauses.filter(section=Clause.Section.PURPOSE).values_list("text", flat=True)) == {
        "Kết quả năm 2026, kế hoạch năm 2027."}
    assert copy.title.endswith("năm 2027") and copy.basis_lead_in.endswith("năm 2027 với những nội dung sau:")
    assert list(copy.basis_references.values_list("text", flat=True)) == list(
        draft.basis_references.values_list("text", flat=True))


def test_a_copy_without_replacing_keeps_the_body_as_written(client, personas, draft):
    personas.login(client, "drafter")
    client.post(reverse("plans:copy", args=[draft.pk]), {"issuer": draft.issuer_id, "year_start": "2026",
                                                          "preview_for": "2026-2026"})
    copy = Plan.objects.get(year_start=2026)
    assert copy.title.endswith("năm 2026") and copy.basis_lead_in.endswith("năm 2025 với những nội dung sau:")


def test_a_copy_keeps_the_plans_own_headings_and_markers(personas, draft):
    heading = Heading.objects.create(plan=draft, position=1, text="ĐỐI TƯỢNG NĂM 2025", role=Heading.Role.OTHER)
    Clause.objects.create(plan=draft, section=Clause.Section.OTHER, heading=heading, position=1, marker="letter",
                          marker_text="đ)", text="Cán bộ, công chức năm 2025.")
    copy = services.plan_copy(plan=draft, user=personas.drafter, issuer=draft.issuer, year_start=2026,
                              year_end=2026, replace_years=True)
    (new_heading,) = copy.headings.all()
    (clause,) = copy.clauses.filter(section=Clause.Section.OTHER)
    assert (new_heading.text, clause.heading, clause.marker_text, clause.text) == (
        "ĐỐI TƯỢNG NĂM 2026", new_heading, "đ)", "Cán bộ, công chức năm 2026.")


# Agency pickers and their validation (point 5) -----------------------------------------

@pytest.fixture
def same_names(tree):
    """Two communes of one name in the district, under different wards, and a dissolved one."""
    wards = [AgencyFactory(code=f"D-W{n}", parent=tree["district"], name=f"Cụm {n}") for n in (1, 2)]
    twins = [AgencyFactory(code=f"D-BG{n}", parent=ward, kind=Agency.Kind.COMMUNE, name="Ủy ban nhân dân xã Bình Giang")
             for n, ward in enumerate(wards, start=1)]
    gone = AgencyFactory(code="D-GONE", parent=tree["district"], name="Ủy ban nhân dân xã Đã Nhập", is_active=False,
                         dissolved_on=dt.date(2025, 7, 1))
    return {"wards": wards, "twins": twins, "gone": gone}


def test_the_task_pickers_offer_the_issuers_active_units_with_the_parent_for_same_names(
        client, tree, personas, draft, front, same_names):
    personas.login(client, "drafter")
    form = client.get(reverse("plans:task_new", args=[draft.pk])).content.decode()
    lead = form[form.index('name="lead_agency"'):form.index("</select>", form.index('name="lead_agency"'))]
    offered = re.findall(r'<option value="(\d+)"', lead)
    expected = {tree[key].pk for key in ("district", "home_affairs", "commune")} | {
        a.pk for a in same_names["wards"] + same_names["twins"]}
    assert set(map(int, offered)) == expected
    assert "— — Ủy ban nhân dân xã Bình Giang (Cụm 1)" in lead and "— — Ủy ban nhân dân xã Bình Giang (Cụm 2)" in lead
    assert ">Ủy ban nhân dân huyện Một<" in lead and "— Phòng Nội vụ" in lead
    assert str(tree["district2"].pk) not in offered and str(front.pk) not in offered
    assert str(same_names["gone"].pk) not in offered


@pytest.mark.parametrize("who", ["district2", "gone", "front"])
def test_a_crafted_lead_outside_the_issuers_units_is_refused_next_to_the_field(client, tree, personas, draft, front,
                                                                              same_names, who):
    agency = {"district2": tree["district2"], "gone": same_names["gone"], "front": front}[who]
    personas.login(client, "drafter")
    response = client.post(reverse("plans:task_new", args=[draft.pk]), task_post(agency, content="Giao trộm"),
                           HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    field = body[body.index('name="lead_agency"'):]
    assert "Đơn vị này không thuộc cơ quan ban hành hoặc đã sáp nhập, giải thể" in field[:3000]
    assert not Task.objects.filter(content="Giao trộm").exists()


def test_a_crafted_coordinator_is_refused_and_the_edit_not_saved(client, tree, personas, draft):
    task = draft.tasks.first()
    personas.login(client, "drafter")
    response = client.post(reverse("plans:task_edit", args=[draft.pk, task.pk]), task_post(
        tree["commune"], content="Đổi nội dung", coordinating_agencies=[tree["district2"].pk],
        lock_version=task.lock_version), HTTP_HX_REQUEST="true")
    assert "Đơn vị này không thuộc cơ quan ban hành" in response.content.decode()
    task.refresh_from_db()
    assert task.content != "Đổi nội dung" and not task.coordinating_agencies.exists()


def test_the_service_refuses_what_the_form_would_not_offer(tree, draft, front):
    with pytest.raises(Exception) as refused:
        services.task_save(plan=draft, coordinating=[front], fields={
            "content": "x", "lead_agency": tree["district2"], "deadline": dt.date(2025, 6, 30)})
    assert set(refused.value.message_dict) == {"lead_agency", "coordinating_agencies"}
    assert "tổ chức ngoài hệ thống hành chính" in refused.value.message_dict["coordinating_agencies"][0]


def test_the_duties_picker_keeps_the_front_and_refuses_a_foreign_unit(client, tree, personas, draft, front):
    personas.login(client, "drafter")
    url = reverse("plans:edit_responsibilities", args=[draft.pk])
    page = client.get(url).content.decode()
    assert f'<option value="{front.pk}" selected>' in page  # a request to the Front stays possible
    assert f'value="{tree["district2"].pk}"' not in page
    form = {"lock_version": draft.lock_version, "rows-TOTAL_FORMS": "1", "rows-INITIAL_FORMS": "0",
            "rows-0-agency": tree["district2"].pk, "rows-0-title": "", "rows-0-duties": "- Phối hợp",
            "rows-0-ORDER": "1"}
    body = client.post(url, form).content.decode()
    assert "Đơn vị này không thuộc cơ quan ban hành" in body
    assert draft.responsibilities.count() == 3


def test_a_duty_owner_no_longer_offered_is_said_so_not_dropped_silently(client, tree, personas, draft):
    Agency.objects.filter(pk=tree["home_affairs"].pk).update(is_active=False, dissolved_on=dt.date(2025, 7, 1))
    personas.login(client, "drafter")
    page = client.get(reverse("plans:edit_responsibilities", args=[draft.pk])).content.decode()
    assert "«Phòng Nội vụ» không còn chọn được" in page


# Conflicts per task row (point 7) ---------------------------------------------------------

def test_a_task_saved_from_a_stale_form_is_refused_with_the_input_kept(client, tree, personas, draft):
    task = draft.tasks.first()
    url = reverse("plans:task_edit", args=[draft.pk, task.pk])
    personas.login(client, "drafter")
    opened = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    version = re.search(r'name="lock_version" value="(\d+)"', opened).group(1)
    first = client.post(url, task_post(tree["commune"], content="Bản của thẻ thứ nhất", lock_version=version),
                        HTTP_HX_REQUEST="true")
    assert "table-success" in first.content.decode()
    second = client.post(url, task_post(tree["commune"], content="Bản của thẻ thứ hai", lock_version=version),
                         HTTP_HX_REQUEST="true")
    body = second.content.decode()
    assert second.status_code == 200  # htmx swaps it in: the message shows where the user typed
    assert "Nhiệm vụ này vừa được lưu ở nơi khác" in body and "Bản của thẻ thứ hai" in body
    assert f'name="lock_version" value="{version}"' in body  # a second click cannot overwrite either
    task.refresh_from_db()
    assert task.content == "Bản của thẻ thứ nhất"
    assert Task.history.filter(id=task.pk, content="Bản của thẻ thứ hai").count() == 0


def test_a_task_deleted_while_edited_elsewhere_keeps_the_input_and_can_be_added_again(client, tree, personas, draft):
    task = draft.tasks.first()
    url = reverse("plans:task_edit", args=[draft.pk, task.pk])
    personas.login(client, "drafter")
    client.post(reverse("plans:task_delete", args=[draft.pk, task.pk]))
    response = client.post(url, task_post(tree["commune"], content="Vẫn còn đây", lock_version="1"),
                           HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and "vừa bị xóa ở nơi khác" in body and "Vẫn còn đây" in body
    assert f'hx-post="{reverse("plans:task_new", args=[draft.pk])}"' in body
    assert not draft.tasks.filter(content="Vẫn còn đây").exists()


def test_deleting_a_task_asks_on_its_own_page_then_renumbers(client, personas, draft):
    tasks = list(draft.tasks.order_by("position"))
    personas.login(client, "drafter")
    url = reverse("plans:task_delete", args=[draft.pk, tasks[1].pk])
    page = client.get(url).content.decode()
    assert "Xóa nhiệm vụ 2 «Nhiệm vụ 2:" in page and draft.tasks.count() == 6
    rows = client.get(reverse("plans:tasks", args=[draft.pk])).content.decode()
    # The link says which task (number and content), not only «Xóa» like every other row.
    assert f'href="{url}" role="button" aria-label="Xóa nhiệm vụ 2: Nhiệm vụ 2:' in rows
    assert client.post(url)["Location"] == reverse("plans:tasks", args=[draft.pk])
    assert list(draft.tasks.order_by("position").values_list("position", flat=True)) == [1, 2, 3, 4, 5]


# Query counts ------------------------------------------------------------------------------

def test_the_appendix_and_a_task_form_cost_the_same_whatever_the_number_of_tasks(
        client, personas, draft, django_assert_max_num_queries):
    personas.login(client, "drafter")
    urls = [reverse("plans:tasks", args=[draft.pk]), reverse("plans:task_new", args=[draft.pk])]
    client.get(urls[0])  # the roles and the bell cached, as on any later page
    counts = []
    for _ in range(2):
        for url in urls:
            from django.db import connection
            from django.test.utils import CaptureQueriesContext

            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counts.append(len(queries))
        for task in list(draft.tasks.all())[:4]:
            task.pk, task.creation_key = None, None
            task.save()
    assert counts[:2] == counts[2:] and max(counts) <= 16


def test_garbled_hidden_fields_give_a_message_or_nothing_never_an_error_page(client, tree, personas, draft):
    personas.login(client, "drafter")
    response = client.post(reverse("plans:task_new", args=[draft.pk]),
                           task_post(tree["commune"], content="Khóa hỏng", creation_key="không-phải-uuid"),
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and draft.tasks.filter(content="Khóa hỏng").count() == 1
    task = draft.tasks.get(content="Khóa hỏng")
    response = client.post(reverse("plans:task_edit", args=[draft.pk, task.pk]),
                           task_post(tree["commune"], content="Đổi", lock_version="abc"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Biểu mẫu đã cũ: tải lại trang rồi sửa lại." in response.content.decode()
    task.refresh_from_db()
    assert task.content == "Khóa hỏng"
