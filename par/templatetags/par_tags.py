"""Template tags of the PAR Index.

- {{ value|points }}: points written the Vietnamese way ("0,5").
- The plan and report pages load it to link to the tagging pages: plans and
  reports must not import par (.importlinter), templates may.

      {% load par_tags %}{% par_may_tag_plan plan as may_tag %}
      {% if may_tag %}<a href="{% url 'par:tag_plan' plan.pk %}">Gắn nhãn Chỉ số CCHC</a>{% endif %}

  No query: the user's roles are cached on the user, and a plan's tasks are
  read from its prefetched list (the plan page prefetches them)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template

from agencies.permissions import can
from plans.models import Plan
from reports.models import Report

from ..tag_rules import PAR_TAG_PLAN, PAR_TAG_REPORT, PAR_TAG_TASK
from ..thresholds import format_points

register = template.Library()


@register.filter
def points(value) -> str:
    if value is None or value == "":
        return "—"
    try:
        return format_points(Decimal(str(value)))
    except InvalidOperation:
        return str(value)


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
