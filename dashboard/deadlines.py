"""Next year's plan on the dashboard: for the units of the node's scope that
owe one, the deadline their rule set gives and whether each issued it (on
time, late, not yet: days left or overdue).

Who owes a plan is decided as the plan list decides it for a drafter
(plans.selectors.plan_deadline_status, schedule.services.plan_deadline): a
unit owes the plan for year Y when a rule set above it (its nearest with a
row for the unit's kind or for every kind, the central set last) gives a
deadline; it has issued it when one of its issued plans covers Y. Here for
every active unit of the scope at once: one statement walks up from the
units to the rule sets' owners, picks each unit's rule, joins its first
issued plan covering Y, and returns the units to show with the counts of
every status, whatever the number of units. Historical units (merged away)
owe nothing; units merged in are not the scope's own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

from django.db import connection

from agencies.models import Agency
from plans.models import Plan
from schedule.calendar import add_working_days
from schedule.models import PlanDeadline

from .cache import CACHE_SECONDS, TREE_SECONDS, kept
from .scope import Node, scope_cte

# The units listed on the card: the most urgent first; the counts cover them all.
SHOWN = 15
# Statuses in the order the card lists them: (count label, row badge, tone).
STATUSES = {
    "overdue": ("Chưa ban hành, quá hạn", "Chưa ban hành", "danger"),
    "due": ("Chưa ban hành, còn hạn", "Chưa ban hành", "secondary"),
    "late": ("Ban hành muộn", "Ban hành muộn", "warning"),
    "on_time": ("Ban hành đúng hạn", "Đúng hạn", "success"),
}
CENTRAL = 0  # the owner of the central rule set in the statement (no agency has pk 0)


def _qn(name: str) -> str:
    return connection.ops.quote_name(name)


def _rules(year: int) -> list[tuple[int, str, dt.date]]:
    """(owner, agency kind or "" for every kind, deadline) of every active rule
    set's plan deadline for `year`: the day of the year before, moved to the
    next working day as plan_deadline does."""
    def read():
        return list(PlanDeadline.objects.filter(chain__is_active=True).values_list(
            "chain__owner_id", "agency_kind", "month", "day"))

    rows = kept("plan-deadlines", TREE_SECONDS, read)
    return [(owner or CENTRAL, kind, add_working_days(dt.date(year - 1, month, day) - dt.timedelta(days=1), 1))
            for owner, kind, month, day in rows]


@dataclass
class PlanDue:
    agency_id: int
    name: str
    deadline: dt.date
    issued_on: dt.date | None
    plan: Plan | None
    status: str
    days: int  # days left (due), overdue (overdue) or late (late)

    @property
    def label(self) -> str:
        return STATUSES[self.status][1]

    @property
    def tone(self) -> str:
        return STATUSES[self.status][2]


def plan_dues(*, node: Node, year: int, today: dt.date, limit: int = SHOWN) -> dict | None:
    """{"year", "units": [PlanDue] (at most `limit`, overdue first), "counts":
    {status: n}, "badges": [(status, label, tone, n)], "total"} for the node's scope, or None when no rule set asks
    for a plan. One statement (and the rules, kept a minute): ~70 ms for 4,205 units (it was 1.8-4.8 s when it
    joined the walk to the units' CTE)."""
    rules = _rules(year)
    if not rules:
        return None
    cte, cte_params = scope_cte(node)
    agency, plan = _qn(Agency._meta.db_table), _qn(Plan._meta.db_table)
    rule_rows = " UNION ALL ".join(["SELECT %s AS owner, %s AS kind, %s AS due"] * len(rules))
    # Every statement joins a CTE only to a table by its index or to the few
    # rules, never one CTE to another: the planner cannot count a CTE's rows
    # (it guesses one), and a nested loop of two 4,000-row CTEs took seconds.
    # The owner of every rule set above the unit (not the unit itself: its own
    # set is for the units below it), nearest first, and the central set last;
    # the unit's kind is carried up so the rules join the walk alone.
    statuses = (
        "CASE WHEN i.id IS NULL THEN (CASE WHEN j.due < %s THEN 'overdue' ELSE 'due' END)"
        " WHEN i.issue_date > j.due THEN 'late' ELSE 'on_time' END"
    )
    # Each unit's first issued plan covering the year: by the plans' issuer index, per unit.
    first_plan = (
        f"(SELECT x.id FROM {plan} x WHERE x.issuer_id = o.unit AND x.status = %s AND x.year_start <= %s"
        f" AND x.year_end >= %s ORDER BY CASE WHEN x.issue_date IS NULL THEN 1 ELSE 0 END, x.issue_date, x.id"
        f" LIMIT 1)"
    )
    sql = (
        f"{cte}, owing(id, kind, parent_id) AS (SELECT a.id, a.kind, a.parent_id FROM dash_scope s"
        f" JOIN {agency} a ON a.id = s.id WHERE s.via IS NULL AND a.is_active = %s),"
        f" up(unit, kind, owner, depth) AS (SELECT id, kind, parent_id, 1 FROM owing WHERE parent_id IS NOT NULL"
        f" UNION ALL SELECT up.unit, up.kind, a.parent_id, up.depth + 1 FROM up JOIN {agency} a ON a.id = up.owner"
        f" WHERE a.parent_id IS NOT NULL AND up.depth < 64),"
        f" plan_rules(owner, kind, due) AS ({rule_rows}),"
        f" ranked(unit, due, pick) AS (SELECT c.unit, r.due, ROW_NUMBER() OVER (PARTITION BY c.unit"
        f" ORDER BY c.depth, CASE WHEN r.kind = '' THEN 1 ELSE 0 END)"
        f" FROM (SELECT unit, kind, owner, depth FROM up UNION ALL SELECT id, kind, {CENTRAL}, 999 FROM owing) c"
        f" JOIN plan_rules r ON r.owner = c.owner AND (r.kind = c.kind OR r.kind = '')),"
        f" owed(unit, due, plan_id) AS (SELECT o.unit, o.due, {first_plan} FROM ranked o WHERE o.pick = 1),"
        f" judged AS (SELECT j.unit, a.name, a.short_name, j.due, i.id AS plan_id, i.issue_date, i.number,"
        f" i.number_text, i.symbol, {statuses} AS status FROM owed j JOIN {agency} a ON a.id = j.unit"
        f" LEFT JOIN {plan} i ON i.id = j.plan_id)"
        f" SELECT unit, name, short_name, due, plan_id, issue_date, number, number_text, symbol, status,"
        + "".join(f" SUM(CASE WHEN status = '{key}' THEN 1 ELSE 0 END) OVER ()," for key in STATUSES)
        + " COUNT(*) OVER () FROM judged ORDER BY CASE status"
        + "".join(f" WHEN '{key}' THEN {rank}" for rank, key in enumerate(STATUSES))
        + " END, due, name LIMIT %s"
    )
    params = [*cte_params, True, *(v for rule in rules for v in rule), Plan.Status.ISSUED, year, year,
              today, limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    counts = dict.fromkeys(STATUSES, 0)
    units = []
    for unit, name, short_name, due, plan_id, issued_on, number, number_text, symbol, status, *tail in rows:
        due, issued_on = _date(due), _date(issued_on)
        *by_status, total = tail
        counts = dict(zip(STATUSES, (int(n) for n in by_status), strict=True))
        days = {"overdue": (today - due).days, "due": (due - today).days,
                "late": (issued_on - due).days if issued_on else 0, "on_time": 0}[status]
        units.append(PlanDue(
            agency_id=unit, name=short_name or name, deadline=due, issued_on=issued_on, status=status, days=days,
            plan=Plan(pk=plan_id, number=number, number_text=number_text, symbol=symbol) if plan_id else None,
        ))
    return {"year": year, "units": units, "counts": counts, "total": int(rows[0][-1]) if rows else 0,
            "badges": [(key, label, tone, counts[key]) for key, (label, _, tone) in STATUSES.items()]}


def _date(value) -> dt.date | None:
    """A date column as the backend returns it (SQLite gives text for a date computed in a CTE)."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


class PlanDues:
    """The card's numbers, computed on first use (inside its cached fragment)."""

    def __init__(self, *, node: Node, year: int, today: dt.date):
        self.node, self.year, self.today = node, year, today

    @cached_property
    def data(self) -> dict | None:
        # Kept apart from the page: reports do not change it (plans do, seen
        # within CACHE_SECONDS), and at national scale it is the page's
        # slowest statement, so a report change does not pay for it again.
        return kept(f"plan-dues:{self.node.key}:{self.year}:{self.today}", CACHE_SECONDS,
                    lambda: plan_dues(node=self.node, year=self.year, today=self.today))
