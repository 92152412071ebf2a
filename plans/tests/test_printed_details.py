"""Details of the printed plan that users type themselves: the Nơi nhận
punctuation and the plan's total budget."""

import pytest

from plans.layout import plan_layout, plan_recipients
from plans.models import Clause
from plans.selectors import plan_with_contents

from .factories import ClauseFactory, plan_draft

pytestmark = pytest.mark.django_db


def printed_text(plan) -> str:
    lines = []
    for section in plan_layout(plan_with_contents().get(pk=plan.pk)):
        for part in section.parts:
            for clause in part.clauses:
                lines.extend(clause.paragraphs)
    return "\n".join(lines)


def test_recipients_typed_with_their_punctuation_print_it_once(tree):
    plan = plan_draft(issuer=tree["district"])
    for text in ("- Sở Nội vụ;", "UBND tỉnh", "+ Các phòng, ban;", "Lưu: VT, NV."):
        ClauseFactory(plan=plan, section=Clause.Section.RECIPIENT, marker=Clause.Marker.DASH, text=text)
    ClauseFactory(plan=plan, section=Clause.Section.RECIPIENT, marker=Clause.Marker.DASH, text=" ; ")
    lines = plan_recipients(plan_with_contents().get(pk=plan.pk))
    assert lines == ["- Sở Nội vụ;", "- UBND tỉnh;", "- Các phòng, ban;", "- Lưu: VT, NV."]


def test_total_budget_prints_under_funding_unless_the_text_gives_it(tree):
    plan = plan_draft(issuer=tree["district"], budget_total=150_000_000)
    ClauseFactory(plan=plan, section=Clause.Section.FUNDING, marker=Clause.Marker.NUMBER,
                  text="Kinh phí từ ngân sách huyện năm 2026.")
    assert "Tổng kinh phí: 150.000.000 đồng." in printed_text(plan)

    Clause.objects.filter(plan=plan, section=Clause.Section.FUNDING).update(
        text="Tổng kinh phí là 150.000.000 đồng từ ngân sách huyện.")
    assert "Tổng kinh phí: 150.000.000 đồng." not in printed_text(plan)

    plan.budget_total = None
    plan.save()
    assert "Tổng kinh phí:" not in printed_text(plan)
