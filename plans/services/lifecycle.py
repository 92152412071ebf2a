"""The plan's lifecycle: dự thảo -> trình duyệt -> ban hành, returns with a
reason, every move recorded."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from common.locking import status_move

from ..models import Clause, Plan, PlanTransition


def transition_record(plan: Plan, *, user, from_status: str, comment: str = "") -> None:
    """Who moved the plan from `from_status` to its status now, and why."""
    PlanTransition.objects.create(
        plan=plan, from_status=from_status, to_status=plan.status, user=user, comment=comment
    )


def _move(plan: Plan, *, user, expected: str, to: str, comment: str = "", fields=()) -> Plan:
    from_status = plan.status
    # Lock the row: two heads pressing "Ban hành" at once move the plan once.
    status_move(plan, expected=[expected], to=to, noun="Kế hoạch")
    plan.save(update_fields=["status", "lock_version", "updated_at", *fields])
    transition_record(plan, user=user, from_status=from_status, comment=comment)
    return plan


@transaction.atomic
def plan_submit(*, plan: Plan, user, comment: str = "") -> Plan:
    """Dự thảo -> trình duyệt. A plan needs its core sections before it goes up."""
    missing = [
        label
        for section, label in (
            (Clause.Section.PURPOSE, "Mục đích"),
            (Clause.Section.REQUIREMENT, "Yêu cầu"),
            (Clause.Section.CONTENT, "Nội dung tuyên truyền"),
        )
        if not plan.clauses.filter(section=section).exists()
    ]
    if missing:
        raise ValidationError(f"Chưa thể trình: còn thiếu phần {', '.join(missing)}.")
    return _move(plan, user=user, expected=Plan.Status.DRAFT, to=Plan.Status.SUBMITTED, comment=comment)


@transaction.atomic
def plan_return(*, plan: Plan, user, comment: str) -> Plan:
    """Trình duyệt -> dự thảo, with the reason the drafter must read."""
    if not comment.strip():
        raise ValidationError({"comment": "Nhập lý do trả lại để người soạn biết cần sửa gì."})
    return _move(plan, user=user, expected=Plan.Status.SUBMITTED, to=Plan.Status.DRAFT, comment=comment)


@transaction.atomic
def plan_issue(
    *, plan: Plan, user, number: int, issue_date: dt.date, signer_authority: str, signer_position: str,
    signer_name: str,
) -> Plan:
    """Trình duyệt -> ban hành: number, date and signer are fixed; the plan is read-only after."""
    clash = Plan.objects.filter(
        issuer=plan.issuer, symbol=plan.symbol, number=number, issue_date__year=issue_date.year
    ).exclude(pk=plan.pk)
    if clash.exists():
        raise ValidationError(
            {"number": f"Số {number:02d}/{plan.symbol} đã được dùng trong năm {issue_date.year}."}
        )
    plan.number, plan.issue_date = number, issue_date
    plan.signer_authority, plan.signer_position, plan.signer_name = signer_authority, signer_position, signer_name
    try:
        with transaction.atomic():
            return _move(
                plan, user=user, expected=Plan.Status.SUBMITTED, to=Plan.Status.ISSUED,
                fields=["number", "issue_date", "signer_authority", "signer_position", "signer_name"],
                comment=f"Ban hành số {plan.reference} ngày {issue_date:%d/%m/%Y}",
            )
    except IntegrityError as exc:  # another head took the number a moment ago
        raise ValidationError(
            {"number": f"Số {number:02d}/{plan.symbol} đã được dùng trong năm {issue_date.year}."}
        ) from exc
