"""The two defects that lost users' data: money typed the Vietnamese way
("150.000.000") was saved a million times too small, and saving a plan
section from a stale page answered HTTP 500 and dropped what was typed."""

import pytest
from django.urls import reverse

from common.money import MONEY_ERROR, money_format, money_parse
from plans.models import Clause
from plans.tests.factories import plan_draft


@pytest.mark.parametrize(("typed", "amount"), [
    ("150.000.000", 150_000_000), ("12.000.000", 12_000_000), ("150000000", 150_000_000),
    ("150 000 000", 150_000_000), ("2.500.000 đồng", 2_500_000), ("1.500", 1_500), ("0", 0),
    ("2500000.0", 2_500_000), ("2.500.000,00", 2_500_000),
])
def test_money_is_read_the_vietnamese_way(typed, amount):
    assert money_parse(typed) == amount


@pytest.mark.parametrize("typed", ["1,5", "150.5", "1.50.000", "-5", "mười triệu", "1e6", "12.000.000.000.000.000"])
def test_money_that_is_not_whole_dong_is_refused(typed):
    with pytest.raises(ValueError):
        money_parse(typed)


def test_money_is_shown_grouped_with_dots():
    assert money_format(150_000_000) == "150.000.000" and money_format(None) == ""


def header_post(plan, **overrides):
    data = {"kind": "yearly", "year_start": str(plan.year_start), "title": plan.title, "place": plan.place,
            "lock_version": plan.lock_version, "basis-TOTAL_FORMS": "0", "basis-INITIAL_FORMS": "0"}
    return data | overrides


def test_plan_total_typed_with_dots_is_saved_in_full_and_shown_back_with_dots(client, tree, personas):
    plan = plan_draft(issuer=tree["district"])
    personas.login(client, "drafter")
    response = client.post(reverse("plans:edit", args=[plan.pk]), header_post(plan, budget_total="150.000.000"))
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.budget_total == 150_000_000
    body = client.get(reverse("plans:edit", args=[plan.pk])).content.decode()
    assert 'value="150.000.000"' in body and 'inputmode="numeric"' in body


def test_plan_total_with_a_decimal_is_refused_next_to_the_field_and_nothing_is_saved(client, tree, personas):
    plan = plan_draft(issuer=tree["district"])
    personas.login(client, "drafter")
    response = client.post(reverse("plans:edit", args=[plan.pk]),
                           header_post(plan, budget_total="1,5", place="Bình Giang Mới"))
    body = response.content.decode()
    assert response.status_code == 200 and MONEY_ERROR in body and 'value="Bình Giang Mới"' in body
    plan.refresh_from_db()
    assert plan.budget_total is None and plan.place == "Bình Giang"


def test_task_budget_typed_with_dots_is_saved_in_full(client, tree, personas):
    plan = plan_draft(issuer=tree["district"])
    personas.login(client, "drafter")
    response = client.post(reverse("plans:task_new", args=[plan.pk]), {
        "content": "Đăng tin", "lead_agency": tree["commune"].pk, "deadline": "30/06/2026", "budget": "12.000.000",
    }, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert plan.tasks.get(content="Đăng tin").budget == 12_000_000
    assert "12.000.000" in response.content.decode()


def section_post(plan, lock_version, text):
    return {"lock_version": lock_version, "rows-TOTAL_FORMS": "1", "rows-INITIAL_FORMS": "0",
            "rows-0-id": "", "rows-0-level": "0", "rows-0-marker": "number", "rows-0-text": text, "rows-0-ORDER": "1"}


@pytest.mark.parametrize(("slug", "section"), [("muc-dich", Clause.Section.PURPOSE), ("noi-dung", Clause.Section.CONTENT)])
def test_a_stale_section_save_is_refused_with_a_message_and_the_typed_text_kept(client, tree, personas, slug, section):
    plan = plan_draft(issuer=tree["district"])
    stale = plan.lock_version
    url = reverse("plans:edit_section", args=[plan.pk, slug])
    personas.login(client, "drafter")
    assert client.post(url, section_post(plan, stale, "Bản của thẻ thứ nhất")).status_code == 302
    response = client.post(url, section_post(plan, stale, "Bản của thẻ thứ hai"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "vừa được người khác lưu" in body and "Bản của thẻ thứ hai" in body
    assert list(plan.clauses.filter(section=section).values_list("text", flat=True)) == ["Bản của thẻ thứ nhất"]


def test_a_stale_save_of_the_duties_is_refused_with_a_message_and_the_typed_text_kept(client, tree, personas):
    plan = plan_draft(issuer=tree["district"])
    stale = plan.lock_version
    url = reverse("plans:edit_responsibilities", args=[plan.pk])
    personas.login(client, "drafter")

    def post(duties):
        return client.post(url, {
            "lock_version": stale, "rows-TOTAL_FORMS": "1", "rows-INITIAL_FORMS": "0", "rows-0-id": "",
            "rows-0-agency": tree["commune"].pk, "rows-0-title": "", "rows-0-duties": duties, "rows-0-ORDER": "1",
        })

    assert post("- Đăng tin hằng tháng").status_code == 302
    response = post("- Treo băng rôn")
    body = response.content.decode()
    assert response.status_code == 200 and "vừa được người khác lưu" in body and "Treo băng rôn" in body
    assert list(plan.clauses.filter(section=Clause.Section.DUTY).values_list("text", flat=True)) == ["Đăng tin hằng tháng"]
