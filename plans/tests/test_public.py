"""The public register (issue 15, part 2): published issued plans for anyone
without login, their PDF and task table, open data in CSV and JSON with no
personal data; drafts, plans not issued and unpublished plans are 404 there."""

import csv
import datetime as dt
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from agencies.permissions import can
from plans import services
from plans.models import Area, Plan, Task
from plans.public import PublicPlanFilter, open_tasks, public_plans, task_rows, year_param
from plans.rules import PLAN_PUBLISH

from .factories import plan_draft, plan_issued
from .pages import post_confirmed

SIGNER = "Nguyễn Văn An"  # plan_issued's signer: never in the open data


@pytest.fixture
def register(tree, personas):
    """Published: the district's 2026 plan (two tasks, one of 150.000.000 đồng)
    and the sibling district's 2025 plan; not public: an issued plan taken
    off the register, a draft, a submitted, a returned and a deleted plan."""
    district, commune = tree["district"], tree["commune"]
    main = plan_issued(issuer=district, drafter=personas.drafter, head=personas.head,
                       leads=[tree["home_affairs"], commune], title="Tuyên truyền cải cách hành chính huyện Một",
                       number=12)
    first, second = main.tasks.order_by("position")
    first.budget = 150_000_000
    first.deadline = dt.date(2026, 6, 30)
    first.coordinating_text = "Đoàn Thanh niên"
    first.save()
    first.coordinating_agencies.add(commune)
    second.area = Area.objects.get(code="tthc")
    second.save()
    other = plan_issued(issuer=tree["district2"], drafter=personas.outsider, head=personas.outsider, year=2025,
                        leads=[tree["district2"]],
                        title="Kế hoạch đẩy mạnh chuyển đổi số năm 2025", number=3)
    hidden = plan_issued(issuer=district, drafter=personas.drafter, head=personas.head, year=2026, number=13,
                         title="Kế hoạch nội bộ không công khai", leads=[commune])
    services.plan_set_published(plan=hidden, user=personas.head, published=False)
    draft = plan_draft(issuer=district, title="Dự thảo bí mật năm 2026", leads=[commune])
    submitted = plan_draft(issuer=district, title="Kế hoạch chờ duyệt", leads=[commune])
    services.plan_submit(plan=submitted, user=personas.drafter)
    returned = plan_draft(issuer=district, title="Kế hoạch bị trả lại", leads=[commune])
    services.plan_submit(plan=returned, user=personas.drafter)
    services.plan_return(plan=returned, user=personas.head, comment="Sửa lại")
    deleted = plan_draft(issuer=district, title="Kế hoạch đã xóa", leads=[commune])
    services.plan_delete(plan=deleted, user=personas.drafter)
    return {"main": main, "other": other, "hidden": hidden, "draft": draft, "submitted": submitted,
            "returned": returned, "deleted": deleted}


def not_public(register):
    return [register[key] for key in ("hidden", "draft", "submitted", "returned", "deleted")]


# The flag ------------------------------------------------------------------------------

def test_plans_are_published_when_issued_unless_the_issuer_says_not(tree, personas):
    shown = plan_issued(issuer=tree["district"], drafter=personas.drafter, head=personas.head)
    assert shown.published
    plan = plan_draft(issuer=tree["district"], leads=[tree["commune"]], year=2027)
    services.plan_submit(plan=plan, user=personas.drafter)
    services.plan_issue(plan=plan, user=personas.head, number=2, issue_date=dt.date(2026, 1, 9), signer_authority="",
                        signer_position="CHỦ TỊCH", signer_name="A", published=False)
    plan.refresh_from_db()
    assert (plan.status, plan.published) == (Plan.Status.ISSUED, False)
    paper = plan_draft(issuer=tree["district"], year=2027)
    services.plan_record(plan=paper, user=personas.head, number=5, issue_date=dt.date(2026, 1, 9),
                         signer_authority="", signer_position="CHỦ TỊCH", signer_name="A")
    paper.refresh_from_db()
    assert paper.published and paper.recorded


def test_only_the_issuers_head_changes_the_flag_and_only_on_an_issued_plan(tree, personas, register):
    main, draft = register["main"], register["draft"]
    assert can(personas.head, PLAN_PUBLISH, main)
    for user in (personas.drafter, personas.reviewer, personas.outsider, personas.admin):
        assert not can(user, PLAN_PUBLISH, main), user
    assert not can(personas.head, PLAN_PUBLISH, draft)
    with pytest.raises(ValidationError):
        services.plan_set_published(plan=draft, user=personas.head, published=True)
    services.plan_set_published(plan=main, user=personas.head, published=False)
    main.refresh_from_db()
    assert not main.published
    # Not a move of the status: no transition, so no notice goes out again.
    assert main.transitions.filter(to_status=Plan.Status.ISSUED).count() == 1
    assert main.history.first().published is False  # who and when: the plan's history


def test_the_issue_form_offers_the_checkbox_ticked_and_keeps_what_was_posted(client, tree, personas):
    plan = plan_draft(issuer=tree["district"], leads=[tree["commune"]], year=2026)
    services.plan_submit(plan=plan, user=personas.drafter)
    personas.login(client, "head")
    url = reverse("plans:issue", args=[plan.pk])
    page = client.get(url).content.decode()
    box = page[page.index('name="published"') - 200:page.index('name="published"') + 200]
    assert "checked" in box and "Công khai trên trang công khai" in page
    data = {"number": "07", "issue_date": dt.date.today().strftime("%d/%m/%Y"), "signer_authority": "",
            "signer_position": "CHỦ TỊCH", "signer_name": "A"}  # the box unticked: not posted
    asked = client.post(url, data).content.decode()
    assert "Kế hoạch sẽ không hiện trên trang công khai." in asked
    assert post_confirmed(client, url, data).status_code == 302
    plan.refresh_from_db()
    assert (plan.status, plan.published) == (Plan.Status.ISSUED, False)
    record = plan_draft(issuer=tree["district"], year=2026, title="Ghi nhận")
    response = client.post(reverse("plans:record", args=[record.pk]), data | {
        "number": "09", "published": "on", "confirm": "on"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.published and record.recorded


def test_the_plan_page_shows_the_state_and_the_head_toggles_it(client, personas, register):
    main = register["main"]
    personas.login(client, "head")
    page = client.get(reverse("plans:detail", args=[main.pk])).content.decode()
    assert 'id="plan-public"' in page and reverse("public:plan", args=[main.pk]) in page
    assert "Thôi công khai" in page
    assert client.post(reverse("plans:publish", args=[main.pk])).status_code == 302  # box absent: off
    main.refresh_from_db()
    assert not main.published
    assert "Không công khai" in client.get(reverse("plans:detail", args=[main.pk])).content.decode()
    client.post(reverse("plans:publish", args=[main.pk]), {"published": "on"})
    main.refresh_from_db()
    assert main.published
    assert client.get(reverse("plans:publish", args=[main.pk])).status_code == 405
    personas.login(client, "drafter")
    assert "Thôi công khai" not in client.get(reverse("plans:detail", args=[main.pk])).content.decode()
    assert client.post(reverse("plans:publish", args=[main.pk])).status_code == 403
    personas.login(client, "outsider")
    assert client.post(reverse("plans:publish", args=[main.pk])).status_code == 404
    client.logout()
    response = client.post(reverse("plans:publish", args=[main.pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    main.refresh_from_db()
    assert main.published


# Selectors -----------------------------------------------------------------------------

def test_the_register_holds_published_issued_plans_only(register):
    assert {p.pk for p in public_plans()} == {register["main"].pk, register["other"].pk}


def test_the_filter_searches_without_diacritics_and_filters_year_issuer_area(tree, register):
    def found(**data):
        return {p.pk for p in PublicPlanFilter(data, queryset=public_plans()).qs}

    main, other = register["main"].pk, register["other"].pk
    assert found(q="tuyen truyen cai cach") == {main}
    assert found(q="CHUYỂN ĐỔI SỐ") == found(q="chuyen doi so") == {other}
    assert found(q="huyen hai") == {other}  # the issuer's name
    assert found(q="12/KH-UBND") == {main}
    assert found(q="bi mat") == found(q="noi bo") == set()  # a draft, an unpublished plan
    assert found(year="2026") == {main} and found(year="2025") == {other}
    assert found(issuer=str(tree["district2"].pk)) == {other}
    assert found(area="tthc") == {main, other}  # content items of both carry it
    assert found(area="khong-co") == found(year="1900") == found(issuer="abc") == {main, other}  # ignored


def test_the_open_data_rows_are_the_published_plans_tasks_in_printed_order(register):
    rows = list(task_rows(open_tasks()))
    assert {row["plan_id"] for row in rows} == {register["main"].pk, register["other"].pk}
    main_rows = [row for row in rows if row["plan_id"] == register["main"].pk]
    assert [row["stt"] for row in main_rows] == [1, 2]
    assert main_rows[0]["budget"] == 150_000_000 and main_rows[0]["deadline"] == "2026-06-30"
    assert main_rows[0]["coordinating_agency_names"] == ["Ủy ban nhân dân xã Một"]
    assert [row["plan_id"] for row in task_rows(open_tasks(year=2025))] == [register["other"].pk]


def test_year_param_refuses_what_is_not_a_year():
    assert year_param(None) is None and year_param("") is None and year_param(" 2026 ") == 2026
    for bad in ("abc", "20266", "1e3", "-1", "0000", "9999", "2026.0", "\x00"):
        with pytest.raises(ValueError, match="Năm phải là số có bốn chữ số"):
            year_param(bad)


# Pages ---------------------------------------------------------------------------------

def test_anyone_lists_the_register_without_logging_in(client, register):
    response = client.get(reverse("public:register"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "public" in response["Cache-Control"] and "max-age=300" in response["Cache-Control"]
    assert not response.cookies  # no session, no form token: the page is the same for everyone
    assert register["main"].title in body and register["other"].title in body
    for plan in not_public(register):
        assert plan.title not in body
    assert "08/01/2026" in body and "12/KH-UBND" in body
    assert 'href="/dang-nhap/"' in body
    searched = client.get(reverse("public:register"), {"q": "tuyen truyen huyen mot"}).content.decode()
    assert register["main"].title in searched and register["other"].title not in searched
    assert "1 kế hoạch phù hợp" in searched


def test_the_register_pages_through_plans_in_a_fixed_number_of_queries(
        client, tree, personas, register, django_assert_num_queries):
    # The choices (years, issuers, areas), the count, the page: whatever the number of plans.
    with django_assert_num_queries(5):
        client.get(reverse("public:register"), {"q": "tuyen truyen", "year": "2026", "area": "tthc"})
    for number in range(20, 45):
        plan_issued(issuer=tree["district"], drafter=personas.drafter, head=personas.head, number=number)
    with django_assert_num_queries(5):
        page = client.get(reverse("public:register")).content.decode()
    assert "Trang 1/2" in page
    second = client.get(reverse("public:register"), {"page": "2"}).content.decode()
    assert "Trang 2/2" in second
    assert client.get(reverse("public:register"), {"page": "x" * 50}).status_code == 200


def test_a_published_plan_shows_its_tasks_the_vietnamese_way(client, register, django_assert_max_num_queries):
    main = register["main"]
    with django_assert_max_num_queries(10):
        response = client.get(reverse("public:plan", args=[main.pk]))
    body = response.content.decode()
    assert response.status_code == 200 and "public" in response["Cache-Control"]
    assert "Kế hoạch số 12/KH-UBND" in body and "Ủy ban nhân dân huyện Một" in body and "08/01/2026" in body
    table = body[body.index('id="tasks"'):]
    assert "150.000.000" in table and "30/06/2026" in table and "Phòng Nội vụ" in table
    assert "Ủy ban nhân dân xã Một; Đoàn Thanh niên" in table
    for link in ("public:pdf", "public:plan_tasks_csv", "public:plan_tasks_json"):
        assert reverse(link, args=[main.pk]) in body
    assert SIGNER not in body  # the signer is in the official PDF, not in the page or the data


def test_an_amended_plan_shows_with_its_amendment(client, personas, register):
    main = register["main"]
    new = services.plan_amend(plan=main, user=personas.drafter)
    services.plan_submit(plan=new, user=personas.drafter)
    services.plan_issue(plan=new, user=personas.head, number=30, issue_date=dt.date(2026, 3, 2), signer_authority="",
                        signer_position="CHỦ TỊCH", signer_name="A")
    listed = client.get(reverse("public:register")).content.decode()
    assert listed.count(main.title) == 2 and "Đã được sửa đổi" in listed and "Bản sửa đổi (phiên bản 2)" in listed
    old_page = client.get(reverse("public:plan", args=[main.pk])).content.decode()
    assert "đã được sửa đổi bởi" in old_page and "30/KH-UBND" in old_page
    new_page = client.get(reverse("public:plan", args=[new.pk])).content.decode()
    assert "Bản sửa đổi (phiên bản 2)" in new_page and "12/KH-UBND" in new_page


def test_nothing_but_published_issued_plans_is_ever_public(client, register):
    names = ["public:plan", "public:pdf", "public:plan_tasks_csv", "public:plan_tasks_json"]
    for plan in not_public(register):
        for name in names:
            assert client.get(reverse(name, args=[plan.pk])).status_code == 404, (name, plan.title)
    for name in names:
        assert client.get(reverse(name, args=[10**9])).status_code == 404
    for name in ("public:plans_csv", "public:plans_json", "public:tasks_csv", "public:tasks_json"):
        body = b"".join(client.get(reverse(name)).streaming_content).decode()
        for plan in not_public(register):
            assert plan.title not in body
        hidden_task_ids = set(Task.objects.filter(plan__in=not_public(register)).values_list("pk", flat=True))
        if "tasks" in name and name.endswith("json"):
            assert not {row["id"] for row in json.loads(body)} & hidden_task_ids
    # Writes are not taken here.
    assert client.post(reverse("public:register")).status_code == 405


def test_a_logged_in_user_gets_the_same_public_pages(client, personas, register):
    personas.login(client, "head")
    body = client.get(reverse("public:register")).content.decode()
    assert register["hidden"].title not in body and register["draft"].title not in body
    assert client.get(reverse("public:plan", args=[register["draft"].pk])).status_code == 404
    assert "Đăng xuất" not in body and 'name="csrfmiddlewaretoken"' not in body  # the layout shows nobody


def test_the_pdf_of_a_published_plan_is_served_through_the_document_store(client, settings, tmp_path, register):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    main = register["main"]
    response = client.get(reverse("public:pdf", args=[main.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert 'filename="KH-12-KH-UBND-2026.pdf"' in response["Content-Disposition"]
    assert "public" in response["Cache-Control"]


# Open data -----------------------------------------------------------------------------

def read_csv(response):
    raw = b"".join(response.streaming_content)
    assert raw.startswith("\ufeff".encode())  # Excel reads UTF-8 with the mark
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def read_json(response):
    return json.loads(b"".join(response.streaming_content))


def test_open_data_of_plans_in_csv_and_json(client, register):
    main = register["main"]
    response = client.get(reverse("public:plans_csv"))
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="ke-hoach-cong-khai.csv"' in response["Content-Disposition"]
    rows = read_csv(response)
    assert [row["id"] for row in rows] == [str(main.pk), str(register["other"].pk)]
    assert rows[0]["reference"] == "12/KH-UBND" and rows[0]["issue_date"] == "2026-01-08"
    assert rows[0]["issuer_code"] == "D" and rows[0]["recorded"] == "false"
    assert rows[0]["url"] == "http://testserver" + reverse("public:plan", args=[main.pk])
    data = read_json(client.get(reverse("public:plans_json"), {"year": "2025"}))
    assert [row["id"] for row in data] == [register["other"].pk]
    assert data[0]["number"] == 3 and data[0]["year_start"] == 2025 and data[0]["amends_id"] is None
    assert client.get(reverse("public:plans_json"), {"year": "2030"}).streaming_content is not None


def test_open_data_of_tasks_with_money_as_integers_and_no_personal_data(client, personas, register):
    main = register["main"]
    data = read_json(client.get(reverse("public:tasks_json")))
    row = next(r for r in data if r["plan_id"] == main.pk and r["stt"] == 1)
    assert row["budget"] == 150_000_000 and isinstance(row["budget"], int)
    assert row["lead_agency_code"] == "D-NV" and row["coordinating_agency_codes"] == ["D-X"]
    assert row["plan_reference"] == "12/KH-UBND" and row["deadline"] == "2026-06-30"
    rows = read_csv(client.get(reverse("public:plan_tasks_csv", args=[main.pk])))
    assert [r["stt"] for r in rows] == ["1", "2"]
    assert rows[0]["budget"] == "150000000" and rows[0]["coordinating_agency_names"] == "Ủy ban nhân dân xã Một"
    per_plan = read_json(client.get(reverse("public:plan_tasks_json", args=[main.pk])))
    assert {r["plan_id"] for r in per_plan} == {main.pk} and len(per_plan) == 2
    everything = "".join(
        b"".join(client.get(reverse(name)).streaming_content).decode()
        for name in ("public:plans_csv", "public:plans_json", "public:tasks_csv", "public:tasks_json")
    )
    for person in (personas.drafter, personas.head, personas.outsider):
        assert person.username not in everything and (not person.email or person.email not in everything)
    assert SIGNER not in everything and "signer" not in everything and "created_by" not in everything


def test_a_bad_year_is_refused_in_vietnamese(client, register):
    for url in (reverse("public:plans_csv"), reverse("public:tasks_json")):
        response = client.get(url, {"year": "hai nghìn"})
        assert response.status_code == 400
        assert "Năm phải là số có bốn chữ số" in response.content.decode()


def test_open_data_reads_in_bounded_queries(client, tree, personas, register, django_assert_max_num_queries):
    for number in range(20, 30):
        plan_issued(issuer=tree["district"], drafter=personas.drafter, head=personas.head, number=number,
                    leads=[tree["commune"], tree["home_affairs"]])
    # Tasks: a chunk of rows and their coordinating agencies per 500 rows, not a query per row.
    with django_assert_max_num_queries(4):
        assert len(read_json(client.get(reverse("public:tasks_json")))) == 2 + 1 + 10 * 2
    with django_assert_max_num_queries(3):
        assert len(read_csv(client.get(reverse("public:plans_csv")))) == 12


def test_open_data_reads_a_chunk_at_a_time_and_misses_nothing(client, monkeypatch, tree, personas, register):
    import plans.public

    for number in range(20, 25):
        plan_issued(issuer=tree["district"], drafter=personas.drafter, head=personas.head, number=number,
                    leads=[tree["commune"], tree["home_affairs"], tree["district"]])
    whole = read_json(client.get(reverse("public:tasks_json")))
    plans_whole = read_json(client.get(reverse("public:plans_json")))
    monkeypatch.setattr(plans.public, "CHUNK", 2)
    monkeypatch.setattr(plans.public, "PLAN_CHUNK", 1)
    assert read_json(client.get(reverse("public:tasks_json"))) == whole
    assert read_json(client.get(reverse("public:plans_json"))) == plans_whole
    assert len(plans_whole) == 7 and len(whole) == 2 + 1 + 5 * 3
    assert [row["stt"] for row in whole if row["plan_id"] == plans_whole[-1]["id"]] == [1, 2, 3]
    assert [row["id"] for row in plans_whole] == sorted(row["id"] for row in plans_whole)


def test_the_open_data_page_documents_every_field(client, register):
    body = client.get(reverse("public:open_data")).content.decode()
    for name in ("reference", "issuer_code", "budget_total", "stt", "lead_agency_code", "coordinating_agency_codes"):
        assert f"<code>{name}</code>" in body
    assert reverse("public:tasks_csv") in body and "?year=2026" in body


def test_the_staff_pages_stay_behind_the_login(client, register):
    main = register["main"]
    for url in (reverse("plans:list"), reverse("plans:detail", args=[main.pk]), reverse("plans:pdf", args=[main.pk]),
                reverse("plans:docx", args=[main.pk]), reverse("home")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), url

