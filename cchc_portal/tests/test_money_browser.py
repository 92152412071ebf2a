"""Money typed the Vietnamese way in Chromium: the plan total and a task's
budget keep every digit (a number box used to read "150.000.000" as 150)."""

import pytest

from agencies.tests.factories import PASSWORD
from plans.models import Area, Channel
from plans.reference import reference_lists_ensure
from plans.tests.factories import plan_draft


@pytest.mark.django_db(transaction=True)
def test_a_drafter_types_money_with_dots_and_it_is_saved_in_full(live_server, log_in, tree, personas):
    # Transactional tests empty the tables between them, reference lists included.
    reference_lists_ensure(Area, Channel)
    plan = plan_draft(issuer=tree["district"])
    page = log_in(personas.drafter.username, PASSWORD)

    page.goto(f"{live_server.url}/plans/{plan.pk}/edit/")
    page.fill("#id_budget_total", "150.000.000")
    page.click("button[type=submit]:has-text('Lưu')")
    page.wait_for_selector(".alert-success")
    plan.refresh_from_db()
    assert plan.budget_total == 150_000_000
    assert page.input_value("#id_budget_total") == "150.000.000"

    page.goto(f"{live_server.url}/plans/{plan.pk}/tasks/")
    page.click("text=+ Thêm nhiệm vụ")
    form = page.locator("#task-rows form").last
    form.locator("textarea[name=content]").fill("Treo băng rôn tuyên truyền")
    form.locator("select[name=lead_agency]").select_option(str(tree["commune"].pk))
    form.locator("input[name=budget]").fill("12.000.000")
    form.locator("button[type=submit]").click()
    page.locator("#task-rows tr", has_text="Treo băng rôn tuyên truyền").wait_for()
    assert plan.tasks.get(content="Treo băng rôn tuyên truyền").budget == 12_000_000
    assert "12.000.000" in page.locator("#task-rows").inner_text()
