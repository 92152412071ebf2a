"""Who may tag plans, tasks and reports with the PAR criteria they prove.

Tags are not part of the documents: a plan's tags are no clause of the
plan, a report's tags no line of the report, and nothing a unit signed or
sent changes when they do. So they may be set after the plan is issued and
after the report is sent, by the people who answer for the records:

- a plan (and its tasks): the issuer's drafters and heads, whatever the
  plan's state (not a deleted draft);
- a task: also the head of its lead agency, who carries it out and knows
  what it proves;
- a report and its evidence files: the unit's drafters and heads while the
  report is a draft or returned (when they may edit it), and the unit's
  head at any time. Reviewers and the units above read the tags, never set them.

Registered with agencies.permissions.can() when the app is ready."""

from __future__ import annotations

from agencies.models import Membership
from agencies.permissions import Access, register
from plans.models import Plan, Task
from reports.models import Report

Role = Membership.Role
WRITERS = {Role.DRAFTER, Role.HEAD}

PAR_TAG_PLAN = "par.tag_plan"  # on a Plan: its own tags
PAR_TAG_TASK = "par.tag_task"  # on a Task: its extra tags (it inherits its plan's)
PAR_TAG_REPORT = "par.tag_report"  # on a Report: its tags and its evidence files'


def _plan_rule(access: Access, action: str, plan: Plan) -> bool:
    return plan.status != Plan.Status.DELETED and bool(access.roles_at(plan.issuer_id) & WRITERS)


def _task_rule(access: Access, action: str, task: Task) -> bool:
    return _plan_rule(access, PAR_TAG_PLAN, task.plan) or (
        task.plan.status != Plan.Status.DELETED and task.lead_agency_id is not None
        and Role.HEAD in access.roles_at(task.lead_agency_id))


def _report_rule(access: Access, action: str, report: Report) -> bool:
    own = access.roles_at(report.agency_id)
    if Role.HEAD in own:
        return True
    return report.status in (Report.Status.DRAFT, Report.Status.RETURNED) and Role.DRAFTER in own


register(PAR_TAG_PLAN, rule=_plan_rule)
register(PAR_TAG_TASK, rule=_task_rule)
register(PAR_TAG_REPORT, rule=_report_rule)
