"""Who may do what to a plan: role x relation to the issuer x status.
Reading reaches down the tree (any role at a unit above the issuer reads
what the issuer put forward); every write needs a role at the issuer.
Registered with agencies.permissions.can() when the app is ready."""

from __future__ import annotations

from agencies.models import Agency, Membership
from agencies.permissions import Access, register

from .models import Plan

Role = Membership.Role

# Actions on a Plan; PLAN_CREATE takes the Agency that would issue it.
PLAN_VIEW = "plan.view"
PLAN_CREATE = "plan.create"
PLAN_EDIT = "plan.edit"
PLAN_SUBMIT = "plan.submit"
PLAN_ISSUE = "plan.issue"
PLAN_RETURN = "plan.return"
PLAN_AMEND = "plan.amend"
# Enter a plan issued on paper with its real number and date: the head of the
# issuer confirms it by doing it (or a system administrator).
PLAN_RECORD = "plan.record"
# Take a submitted plan back to the draft (its drafter, before the head acts).
PLAN_WITHDRAW = "plan.withdraw"
# Throw a draft away (its drafters; kept whole, shown nowhere).
PLAN_DELETE = "plan.delete"
# Put the signed copy (bản ký số) on an issued plan: upload a PDF signed
# outside the portal, or have the portal sign with the agency's certificate.
# The issuer's head, who answers for the document.
PLAN_SIGN = "plan.sign"
# Show an issued plan on the public register, or take it off (the issuer's head).
PLAN_PUBLISH = "plan.publish"

WRITERS = {Role.DRAFTER, Role.HEAD}
# The states in which a plan is read by every role at a unit above its issuer
# (Access.reads). A draft is the issuer's working paper: it stays with the
# issuer (and its reviewers) until the drafter puts it forward for approval.
PUT_FORWARD = (Plan.Status.SUBMITTED, Plan.Status.ISSUED)


def _plan_rule(access: Access, action: str, plan: Plan) -> bool:
    status = plan.status
    own = access.roles_at(plan.issuer_id)
    if status == Plan.Status.DELETED:  # gone from the portal for everyone (the admin site still has it)
        return False
    if action == PLAN_VIEW:
        if own or access.is_admin:
            return True
        # Above the issuer: what it put forward; its reviewers: every state.
        if (status in PUT_FORWARD and access.reads(plan.issuer_id)) or access.reviews(plan.issuer_id):
            return True
        # An issued plan is read by the units that carry it out.
        return status == Plan.Status.ISSUED and access.works_below(plan.issuer_id)
    if action in (PLAN_EDIT, PLAN_SUBMIT):
        return status in Plan.EDITABLE and bool(own & WRITERS)
    if action == PLAN_DELETE:
        return status in Plan.EDITABLE and Role.DRAFTER in own
    if action == PLAN_WITHDRAW:
        return status == Plan.Status.SUBMITTED and Role.DRAFTER in own
    if action in (PLAN_ISSUE, PLAN_RETURN):
        return status == Plan.Status.SUBMITTED and Role.HEAD in own
    if action == PLAN_AMEND:
        return status == Plan.Status.ISSUED and bool(own & WRITERS)
    if action in (PLAN_SIGN, PLAN_PUBLISH):
        return status == Plan.Status.ISSUED and Role.HEAD in own
    if action == PLAN_RECORD:
        return status in (*Plan.EDITABLE, Plan.Status.SUBMITTED) and (Role.HEAD in own or access.is_admin)
    raise ValueError(f"Unknown plan action {action!r}")


def _create_rule(access: Access, action: str, issuer: Agency) -> bool:
    return bool(access.roles_at(issuer.pk) & WRITERS)


register(PLAN_VIEW, PLAN_EDIT, PLAN_SUBMIT, PLAN_ISSUE, PLAN_RETURN, PLAN_AMEND, PLAN_RECORD, PLAN_WITHDRAW,
         PLAN_DELETE, PLAN_SIGN, PLAN_PUBLISH, rule=_plan_rule)
register(PLAN_CREATE, rule=_create_rule)
