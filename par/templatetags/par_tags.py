"""Template tags the plan and report pages load to link to the PAR Index
pages: plans and reports must not import par (.importlinter), templates may.

    {% load par_tags %}{% par_may_tag_plan plan as may_tag %}
    {% if may_tag %}<a href="{% url 'par:tag_plan' plan.pk %}">Gắn nhãn Chỉ số CCHC</a>{% endif %}

No query: the user's roles are cached on the user, and a plan's tasks are
read from its prefetched list (the plan page prefetches them)."""

from __future__ import annotations

from django import template

from agencies.permissions import can
from plans.models import Plan
from reports.models import Report

from ..tag_rules import PAR_TAG_PLAN, PAR_TAG_REPORT, PAR_TAG_TASK

register = template.Library()


def _user(context):
    request = context.get("request")
    return getattr(request, "user", None) or context.get("user")


@register.simple_tag(takes_context=True)
def par_may_tag_plan(context, plan: Plan) -> bool:
    """May the user tag the plan or one of its tasks?"""
    user = _user(context)
    if can(user, PAR_TAG_PLAN, plan):
        return True
    prefetched = getattr(plan, "_prefetched_objects_cache", {}).get("tasks")
    if prefetched is None:
        return False  # the lead agency's head finds the page from a page that lists the tasks
    return any(can(user, PAR_TAG_TASK, task) for task in prefetched)


@register.simple_tag(takes_context=True)
def par_may_tag_report(context, report: Report) -> bool:
    return can(_user(context), PAR_TAG_REPORT, report)
