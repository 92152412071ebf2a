"""The rule sets' admin page: a province's rules with inline rows, refused
with the dates they would give, applied to open periods when saved."""

import pytest
from django.urls import reverse

from schedule.models import DueRule, ReportingChain, ReportingRule


def form_data(owner, *rules: dict) -> dict:
    data = {
        "name": "Quy định của UBND tỉnh Thử", "owner": owner.pk, "basis": "", "is_active": "on",
        "rules-TOTAL_FORMS": len(rules), "rules-INITIAL_FORMS": 0, "rules-MIN_NUM_FORMS": 0,
        "rules-MAX_NUM_FORMS": 1000,
        "plan_deadlines-TOTAL_FORMS": 1, "plan_deadlines-INITIAL_FORMS": 0, "plan_deadlines-MIN_NUM_FORMS": 0,
        "plan_deadlines-MAX_NUM_FORMS": 1000,
        "plan_deadlines-0-agency_kind": "", "plan_deadlines-0-day": 20, "plan_deadlines-0-month": 11,
    }
    for i, rule in enumerate(rules):
        data.update({f"rules-{i}-{name}": value for name, value in rule.items()})
    return data


@pytest.fixture
def staff(client, django_user_model):
    user = django_user_model.objects.create_superuser("root", "root@example.vn", "pw")
    client.force_login(user)
    return client


def test_a_province_rule_set_is_refused_with_its_dates_then_saved(staff, tree):
    quarter = ReportingRule.objects.get(kind="quarter").pk
    url = reverse("admin:schedule_reportingchain_add")
    before_cutoff = {"period_rule": quarter, "agency_kind": "commune", "mode": "fixed_day", "due_day": 5,
                     "cutoff_day": "", "working_days": ""}
    response = staff.post(url, form_data(tree["province"], before_cutoff))
    assert response.status_code == 200
    assert "phải sau ngày chốt số liệu ít nhất một ngày làm việc" in response.content.decode()
    assert not ReportingChain.objects.filter(owner=tree["province"]).exists()

    # Two rows checked together: the district after the province is refused too.
    late = {"period_rule": "", "agency_kind": "district", "mode": "fixed_day", "due_day": 25, "cutoff_day": "",
            "working_days": ""}
    response = staff.post(url, form_data(tree["province"], {**before_cutoff, "cutoff_day": 0}, late))
    assert "Cấp huyện không được có hạn sau cấp mình gửi báo cáo (cấp tỉnh)" in response.content.decode()

    response = staff.post(url, form_data(tree["province"], {**before_cutoff, "cutoff_day": 0}))
    assert response.status_code == 302
    rule = DueRule.objects.get(chain__owner=tree["province"])
    assert (rule.cutoff_day, rule.due_day, rule.working_days) == (0, 5, None)
    chain = rule.chain
    page = staff.get(reverse("admin:schedule_reportingchain_change", args=[chain.pk])).content.decode()
    assert "Hạn của các kỳ đang mở" in page
    assert chain.plan_deadlines.get().day == 20
