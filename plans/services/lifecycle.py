"""The plan's lifecycle: dự thảo -> chờ phê duyệt -> ban hành; a head returns
it with a reason (bị trả lại), its drafter withdraws it or deletes a draft;
every move recorded, and every move goes through _move."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from common.locking import status_move

from ..checks import plan_problems
from ..models import Plan, PlanTransition


def transition_record(plan: Plan, *, user, from_status: str, comment: str = "") -> PlanTransition:
    """Who moved the plan from `from_status` to its status now, and why."""
    return PlanTransition.objects.create(
        plan=plan, from_status=from_status, to_status=plan.status, user=user, comment=comment
    )


def _move(plan: Plan, *, user, expected: tuple[str, ...], to: str, comment: str = "", fields=()) -> Plan:
    from_status = plan.status
    # Lock the row: two heads pressing "Ban hành" at once move the plan once.
    status_move(plan, expected=expected, to=to, noun="Kế hoạch")
    plan.save(update_fields=["status", "lock_version", "updated_at", *fields])
    transition_record(plan, user=user, from_status=from_status, comment=comment)
    # The transition just recorded is what the plan loop's notices follow:
    # reports (above plans) listens for it and tells, after commit, SUBMITTED
    # -> the issuer's heads; RETURNED -> its drafters, with the comment;
    # withdrawn (SUBMITTED -> DRAFT) -> the heads; ISSUED -> the heads of the
    # lead agencies of its tasks (reports/apps.py, reports/services/notices.py).
    return plan


@transaction.atomic
def plan_submit(*, plan: Plan, user, comment: str = "") -> Plan:
    """Dự thảo (or bị trả lại) -> chờ phê duyệt, once the checks of the submit
    page find nothing blocking (empty core sections, tasks without a valid lead
    or with a deadline outside the plan's years)."""
    blocking = [problem.text for problem in plan_problems(plan) if problem.blocking]
    if blocking:
        raise ValidationError(blocking)
    return _move(plan, user=user, expected=Plan.EDITABLE, to=Plan.Status.SUBMITTED, comment=comment)


@transaction.atomic
def plan_return(*, plan: Plan, user, comment: str) -> Plan:
    """Chờ phê duyệt -> bị trả lại, with the reason the drafter must read."""
    if not comment.strip():
        raise ValidationError({"comment": "Nhập lý do trả lại để người soạn biết cần sửa gì."})
    return _move(plan, user=user, expected=(Plan.Status.SUBMITTED,), to=Plan.Status.RETURNED, comment=comment)


@transaction.atomic
def plan_withdraw(*, plan: Plan, user, comment: str = "") -> Plan:
    """Chờ phê duyệt -> dự thảo by its drafter, before the head has acted."""
    return _move(plan, user=user, expected=(Plan.Status.SUBMITTED,), to=Plan.Status.DRAFT,
                 comment=comment.strip() or "Thu hồi dự thảo đã trình để sửa")


@transaction.atomic
def plan_delete(*, plan: Plan, user) -> Plan:
    """A draft thrown away: it stays whole in the database with this last
    move (who, when) but the portal no longer shows it anywhere."""
    return _move(plan, user=user, expected=Plan.EDITABLE, to=Plan.Status.DELETED, comment="Xóa dự thảo")


def _fix_number_and_move(
    plan: Plan, *, user, expected: tuple[str, ...], number: int, number_text: str, issue_date: dt.date,
    signer_authority: str, signer_position: str, signer_name: str, recorded: bool, comment: str,
    published: bool = True,
) -> Plan:
    """Number, date and signer fixed, the plan moved to issued; a number
    already used by the issuer that year is refused next to the field. The
    date is taken as given otherwise (the issue page also refuses one before
    the submission; the demo and records from paper enter past dates)."""
    if issue_date > timezone.localdate():
        raise ValidationError({"issue_date": "Ngày ban hành không được sau hôm nay."})
    if not plan.year_start - 1 <= issue_date.year <= plan.year_end:
        raise ValidationError({"issue_date": f"Ngày ban hành phải trong năm {plan.year_start - 1} hoặc trong thời gian "
                                             f"của kế hoạch ({plan.years_label})."})
    taken = ValidationError(
        {"number": f"Số {number_text or f'{number:02d}'}/{plan.symbol} đã được dùng trong năm {issue_date.year}."}
    )
    clash = Plan.objects.filter(
        issuer=plan.issuer, symbol=plan.symbol, number=number, issue_date__year=issue_date.year
    ).exclude(pk=plan.pk)
    if clash.exists():
        raise taken
    plan.number, plan.number_text, plan.issue_date, plan.recorded = number, number_text, issue_date, recorded
    plan.published = published
    plan.signer_authority, plan.signer_position, plan.signer_name = signer_authority, signer_position, signer_name
    try:
        with transaction.atomic():
            return _move(
                plan, user=user, expected=expected, to=Plan.Status.ISSUED, comment=comment,
                fields=["number", "number_text", "issue_date", "recorded", "signer_authority", "signer_position",
                        "signer_name", "published"],
            )
    except IntegrityError as exc:  # another head took the number a moment ago
        raise taken from exc


@transaction.atomic
def plan_issue(
    *, plan: Plan, user, number: int, issue_date: dt.date, signer_authority: str, signer_position: str,
    signer_name: str, number_text: str = "", published: bool = True,
) -> Plan:
    """Chờ phê duyệt -> ban hành: number, date and signer are fixed; the plan is read-only after.
    `published`: shown on the public register (the issuer's choice, on by default)."""
    label = number_text or f"{number:02d}"
    return _fix_number_and_move(
        plan, user=user, expected=(Plan.Status.SUBMITTED,), number=number, number_text=number_text,
        issue_date=issue_date, signer_authority=signer_authority, signer_position=signer_position,
        signer_name=signer_name, recorded=False, published=published,
        comment=f"Ban hành số {label}/{plan.symbol} ngày {issue_date:%d/%m/%Y}",
    )


@transaction.atomic
def plan_record(
    *, plan: Plan, user, number: int, issue_date: dt.date, signer_authority: str, signer_position: str,
    signer_name: str, number_text: str = "", published: bool = True,
) -> Plan:
    """A plan issued on paper before it came into the portal: recorded as
    issued with its real number, date and signer, and marked so (it was not
    issued here). Its tasks are reported on like any issued plan's."""
    label = number_text or f"{number:02d}"
    return _fix_number_and_move(
        plan, user=user, expected=(*Plan.EDITABLE, Plan.Status.SUBMITTED), number=number,
        number_text=number_text, issue_date=issue_date, signer_authority=signer_authority,
        signer_position=signer_position, signer_name=signer_name, recorded=True, published=published,
        comment=f"Ghi nhận kế hoạch đã ban hành trên giấy: số {label}/{plan.symbol} ngày {issue_date:%d/%m/%Y}",
    )


@transaction.atomic
def plan_set_published(*, plan: Plan, user, published: bool) -> Plan:
    """An issued plan shown on, or taken off, the public register by the
    issuer's head. Not a move of its status (no PlanTransition: those are
    what the notices follow); the plan's history keeps who and when."""
    locked = Plan.objects.select_for_update().get(pk=plan.pk)
    if locked.status != Plan.Status.ISSUED:
        raise ValidationError("Chỉ kế hoạch đã ban hành mới công khai được.")
    if locked.published != published:
        locked.published = published
        locked.lock_version += 1
        locked.save(update_fields=["published", "lock_version", "updated_at"])
    plan.published, plan.lock_version = locked.published, locked.lock_version
    return plan
