from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import cache_control, never_cache

from agencies.models import Membership
from common.health import run_checks
from plans.models import Plan
from plans.selectors import plan_deadlines_for_user, plan_todo_for_user
from reports.selectors import HOME_ROWS, report_todo_for_user


@dataclass
class Row:
    text: str
    url: str
    note: str = ""
    comment: str = ""  # a reason to read at once (a return's)
    tone: str = ""


@dataclass
class Block:
    """One block of «Việc cần làm»: a heading, how many, the first rows and the whole list's link."""

    key: str
    title: str
    count: int
    rows: list[Row] = field(default_factory=list)
    more_url: str = ""
    more_label: str = ""  # what "Xem tất cả" opens, for its accessible name
    tone: str = "secondary"


def _days(days_left: int) -> str:
    if days_left > 0:
        return f"còn {days_left} ngày"
    return "hôm nay là hạn" if days_left == 0 else f"quá hạn {-days_left} ngày"


def _plan_list_url(status: str, issuers: set[int]) -> str:
    query = {"status": status} | ({"issuer": next(iter(issuers))} if len(issuers) == 1 else {})
    return f"{reverse('plans:list')}?{urlencode(query)}"


def _plan_row(plan: Plan, note: str = "", comment: str = "") -> Row:
    return Row(text=f"{plan.title} ({plan.issuer.display_name}, {plan.years_label})",
               url=reverse("plans:detail", args=[plan.pk]), note=note, comment=comment)


def _report_row(report, today, *, note: str = "") -> Row:
    return Row(text=f"{report.period.label} – {report.agency.name}", url=reverse("reports:detail", args=[report.pk]),
               note=note or f"Hạn {report.due_date:%d/%m/%Y} · {_days((report.due_date - today).days)}")


def _plan_deadline_row(item: dict, plans_url: str) -> Row:
    return Row(
        text=f"Ban hành Kế hoạch năm {item['year']} – {item['agency'].name}",
        url=reverse("plans:detail", args=[item["draft"]]) if item["draft"] else plans_url,
        note=f"Hạn {item['deadline']:%d/%m/%Y} · {_days(item['days_left'])}",
        tone="danger" if item["days_left"] < 0 else "")


def todo_blocks(user, today) -> list[Block]:
    """«Việc cần làm» for the user's roles: a block only for what a role of
    theirs may have to do, in a fixed order; counts from the selectors."""
    plans = plan_todo_for_user(user=user)
    reports = report_todo_for_user(user=user, today=today)
    blocks: list[Block] = []
    plans_url = reverse("plans:list")
    reports_url = reverse("reports:index")
    if plans["heads"]:
        todo = plans["to_approve"]
        blocks.append(Block(
            "plans-to-approve", "Kế hoạch chờ bạn phê duyệt", todo["count"], tone="warning",
            rows=[_plan_row(p, note=f"Trình ngày {timezone.localtime(p.updated_at):%d/%m/%Y}")
                  for p in todo["items"][:HOME_ROWS]],
            more_url=_plan_list_url(Plan.Status.SUBMITTED, plans["heads"]), more_label="kế hoạch chờ phê duyệt"))
    if plans["drafts_for"]:
        todo = plans["returned"]
        rows = []
        for plan in todo["items"][:HOME_ROWS]:
            note = plan.return_note
            said = (f"Bị trả lại ngày {timezone.localtime(note.created_at):%d/%m/%Y}"
                    + (f" bởi {note.user.get_full_name() or note.user.username}" if note and note.user else "")
                    ) if note else "Bị trả lại"
            rows.append(_plan_row(plan, note=said, comment=note.comment if note else ""))
        blocks.append(Block("plans-returned", "Kế hoạch bị trả lại", todo["count"], rows=rows, tone="danger",
                            more_url=_plan_list_url(Plan.Status.RETURNED, plans["drafts_for"]),
                            more_label="kế hoạch bị trả lại"))
    if reports["reviews"]:
        todo = reports["to_review"]
        blocks.append(Block(
            "reports-to-review", "Báo cáo chờ bạn xem xét", todo["count"], tone="primary",
            rows=[_report_row(r, today, note=f"Nộp ngày {timezone.localtime(r.submitted_at):%d/%m/%Y}"
                              if r.submitted_at else "") for r in todo["items"]],
            more_url=f"{reports_url}?state=submitted#report-search", more_label="báo cáo chờ xem xét"))
    if reports["writes"]:
        for key, title, tone, anchor in (
            ("returned", "Báo cáo bị trả lại", "warning", "bi-tra-lai"),
            ("overdue", "Báo cáo quá hạn chưa nộp", "danger", "qua-han"),
            ("due", "Báo cáo đến hạn", "secondary", "den-han"),
        ):
            todo = reports[key]
            blocks.append(Block(f"reports-{key}", title, todo["count"], tone=tone,
                                rows=[_report_row(r, today) for r in todo["items"][:HOME_ROWS]],
                                more_url=f"{reports_url}#{anchor}", more_label=title.lower()))
    if plans["drafts_for"]:
        todo = plans["drafts"]
        blocks.append(Block(
            "plans-drafts", "Dự thảo kế hoạch đang soạn", todo["count"],
            rows=[_plan_row(p, note=f"Sửa lần cuối {timezone.localtime(p.updated_at):%d/%m/%Y}")
                  for p in todo["items"][:HOME_ROWS]],
            more_url=_plan_list_url(Plan.Status.DRAFT, plans["drafts_for"]), more_label="dự thảo kế hoạch"))
    deadlines = plan_deadlines_for_user(user=user, today=today) if plans["heads"] | plans["drafts_for"] else []
    # A plan deadline already passed is work to do now, counted, not a date to come.
    overdue = [item for item in deadlines if item["days_left"] < 0]
    deadlines = [item for item in deadlines if item["days_left"] >= 0]
    if overdue:
        blocks.append(Block(
            "plans-overdue", "Kế hoạch năm sau quá hạn ban hành", len(overdue), tone="danger",
            rows=[_plan_deadline_row(item, plans_url) for item in overdue[:HOME_ROWS]],
            more_url=plans_url, more_label="kế hoạch"))
    if reports["writes"] or deadlines:
        dated = [(item["deadline"], _plan_deadline_row(item, plans_url)) for item in deadlines]
        dated += [(r.due_date, Row(text=f"Nộp báo cáo {r.period.label} – {r.agency.name}",
                                   url=reverse("reports:detail", args=[r.pk]),
                                   note=f"Hạn {r.due_date:%d/%m/%Y} · {_days((r.due_date - today).days)}"))
                  for r in reports["due"]["items"]]
        dated.sort(key=lambda pair: pair[0])
        blocks.append(Block("deadlines", "Hạn sắp tới", len(dated), rows=[row for _, row in dated[:HOME_ROWS]],
                            more_url=plans_url if deadlines and not reports["due"]["items"] else reports_url,
                            more_label="hạn sắp tới"))
    return blocks


# Blocks that inform rather than ask for an act: not counted in the total.
CALENDAR = ("plans-drafts", "deadlines")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    memberships = Membership.objects.filter(user=request.user).select_related("agency__parent")
    blocks = todo_blocks(request.user, today)
    return render(request, "home.html", {
        "memberships": memberships, "blocks": blocks, "todo_total": sum(b.count for b in blocks if b.key not in CALENDAR),
    })


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers: the app answers and the database too."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def _health_details_allowed(request: HttpRequest) -> bool:
    token = settings.HEALTH_TOKEN
    given = request.headers.get("X-Health-Token") or request.GET.get("token") or ""
    if token and given and hmac.compare_digest(given.encode(), token.encode()):
        return True
    return request.META.get("REMOTE_ADDR", "") in settings.HEALTH_ALLOWED_IPS


@never_cache
def healthz_ready(request: HttpRequest) -> JsonResponse:
    """Readiness for monitoring: every service the portal needs (common.health),
    200 when all answer, 503 otherwise, never a 500. Messages and figures only
    with HEALTH_TOKEN or from HEALTH_ALLOWED_IPS; anyone else sees statuses."""
    try:
        results = run_checks()
    except Exception as exc:  # the endpoint answers even when the checks cannot run
        return JsonResponse({"status": "error", "error": type(exc).__name__}, status=503)
    healthy = all(result.ok for result in results)
    body: dict[str, object] = {"status": "ok" if healthy else "error"}
    if _health_details_allowed(request):
        body["checks"] = {r.name: {"ok": r.ok, "message": r.message, "data": r.data, "seconds": r.seconds}
                          for r in results}
    else:
        body["checks"] = {r.name: "ok" if r.ok else "error" for r in results}
    return JsonResponse(body, status=200 if healthy else 503, json_dumps_params={"ensure_ascii": False})


@cache_control(max_age=86400, public=True)
def favicon(request: HttpRequest) -> HttpResponse:
    # Resolved per request: the hashed static name exists only after collectstatic.
    return redirect(static("img/favicon.svg"), permanent=True)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", status=403)
