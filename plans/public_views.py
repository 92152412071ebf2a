"""The public register: pages and downloads anyone may open without logging
in (mounted at /cong-khai/). Every plan comes from plans/public.py, which
returns only issued plans their issuer published: anything else is a 404.

The pages are the same for everyone (their layout shows no user and sets no
cookie), so shared caches may keep them a few minutes."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from common.text import file_name_part

from .documents.storage import FORMATS, plan_document_bytes, plan_document_filename, plan_signed_copy
from .public import (
    PLAN_FIELDS,
    TASK_FIELDS,
    PublicPlanFilter,
    open_plans,
    open_tasks,
    plan_rows,
    public_plan_get,
    public_plan_head,
    public_plan_relatives,
    public_plans,
    task_rows,
    year_choices,
    year_param,
)

# Anonymous pages: cacheable by browsers and proxies for a short while.
public_cache = cache_control(public=True, max_age=300)
PAGE_SIZE = 20


def _public(view: Callable) -> Callable:
    return require_safe(public_cache(view))


@_public
def register(request: HttpRequest) -> HttpResponse:
    """The list: published issued plans, filtered and searched, a page at a time."""
    plan_filter = PublicPlanFilter(request.GET, queryset=public_plans())
    page = Paginator(plan_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "plans/public/register.html", {
        "page": page, "filter": plan_filter, "query": query.urlencode(),
        "filtered": any(request.GET.get(name) for name in plan_filter.filters), "public_active": "register",
    })


@_public
def plan_page(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = public_plan_get(plan_id=plan_id)
    tasks = list(plan.tasks.all())
    signed_copy = plan_signed_copy(plan)  # read before the file name, which then says "ký số"
    return render(request, "plans/public/plan.html", {
        "plan": plan, "tasks": tasks, "tasks_budget": sum(task.budget or 0 for task in tasks),
        "signed_copy": signed_copy,
        "pdf_name": plan_document_filename(plan, "pdf"), **public_plan_relatives(plan=plan),
    })


@_public
def plan_pdf(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The plan's official PDF: the signed copy once there is one (plan_document_bytes knows)."""
    plan = public_plan_get(plan_id=plan_id)
    response = HttpResponse(plan_document_bytes(plan=plan, fmt="pdf"), content_type=FORMATS["pdf"].content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=plan_document_filename(plan, "pdf"))
    return response


@_public
def open_data(request: HttpRequest) -> HttpResponse:
    """What the open data files hold, field by field, and their addresses."""
    return render(request, "plans/public/open_data.html", {
        "plan_fields": PLAN_FIELDS, "task_fields": TASK_FIELDS,
        "years": [year for year, _ in year_choices()], "public_active": "open_data",
    })


# Open data files --------------------------------------------------------------------

ROWS_PER_CHUNK = 500  # rows sent together: a chunk per row made the country's task file a write per row


def _csv_lines(fields: list[str], rows: Iterable[dict]) -> Iterator[str]:
    """CSV text, ROWS_PER_CHUNK rows at a time, with the byte order mark Excel needs to read UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(fields)
    yield "\ufeff" + flush()
    for count, row in enumerate(rows, start=1):
        writer.writerow(["; ".join(value) if isinstance(value, list) else
                         ("true" if value is True else "false" if value is False else
                          "" if value is None else value) for value in (row[name] for name in fields)])
        if count % ROWS_PER_CHUNK == 0:
            yield flush()
    yield flush()


def _json_lines(rows: Iterable[dict]) -> Iterator[str]:
    """A JSON array, ROWS_PER_CHUNK items at a time."""
    parts = ["["]
    for count, row in enumerate(rows):
        parts.append(("\n" if count == 0 else ",\n") + json.dumps(row, ensure_ascii=False))
        if len(parts) >= ROWS_PER_CHUNK:
            yield "".join(parts)
            parts = []
    parts.append("\n]\n")
    yield "".join(parts)


def _file(fmt: str, fields: list[str], rows: Iterable[dict], name: str) -> StreamingHttpResponse:
    if fmt == "csv":
        response = StreamingHttpResponse(_csv_lines(fields, rows), content_type="text/csv; charset=utf-8")
    else:
        response = StreamingHttpResponse(_json_lines(rows), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=f"{name}.{fmt}")
    response["Cache-Control"] = "public, max-age=300"
    return response


def _year(request: HttpRequest) -> int | None:
    return year_param(request.GET.get("year"))


@require_safe
def plans_file(request: HttpRequest, fmt: str) -> HttpResponse:
    """Every published plan (or those covering ?year=…), one row each."""
    try:
        year = _year(request)
    except ValueError as exc:
        return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")

    def urls(plan) -> tuple[str, str]:
        return (request.build_absolute_uri(reverse("public:plan", args=[plan.pk])),
                request.build_absolute_uri(reverse("public:pdf", args=[plan.pk])))

    name = "ke-hoach-cong-khai" + (f"-{year}" if year else "")
    return _file(fmt, [name for name, _ in PLAN_FIELDS], plan_rows(open_plans(year=year), urls=urls), name)


@require_safe
def tasks_file(request: HttpRequest, fmt: str) -> HttpResponse:
    """The tasks of every published plan (or of those covering ?year=…)."""
    try:
        year = _year(request)
    except ValueError as exc:
        return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")
    name = "nhiem-vu-cong-khai" + (f"-{year}" if year else "")
    return _file(fmt, [name for name, _ in TASK_FIELDS], task_rows(open_tasks(year=year)), name)


@require_safe
def plan_tasks_file(request: HttpRequest, plan_id: int, fmt: str) -> HttpResponse:
    """The tasks of one published plan."""
    plan = public_plan_head(plan_id=plan_id)
    name = f"nhiem-vu-KH-{plan.number:02d}-{file_name_part(plan.symbol)}-{file_name_part(plan.years_label)}"
    rows = task_rows(open_tasks(plan_id=plan.pk))
    return _file(fmt, [name for name, _ in TASK_FIELDS], rows, name)
