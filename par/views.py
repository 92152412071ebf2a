"""PAR Index pages: the user's units, a unit's self-assessment of a year
(notes, extra files, submission; the appraisal for the reviewers above),
the ranking of the units below a root, and their XLSX. Thin views over
par/services.py (writes) and par/selectors.py (reads)."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.services import record_event
from agencies.models import Agency
from agencies.permissions import can
from common.files import stored_file_response
from common.ids import parse_id
from common.text import file_name_part
from plans.models import Task

from . import services
from .exports import assessment_xlsx, ranking_xlsx
from .forms import AppraisalForm, ItemForm, ReturnForm
from .models import Assessment, AssessmentItem, EvidencePack, Measure
from .pack import pack_refresh
from .rules import PAR_APPRAISE, PAR_EDIT, PAR_RANKING, PAR_SUBMIT, PAR_VIEW
from .selectors import Row, assessment_rows, own_units, ranking, ranking_roots
from .thresholds import format_points

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
YEARS_BACK = 10  # the oldest year a page opens: this many years before the current one
STALE = ("Bản tự đánh giá vừa được gửi hoặc thẩm định ở một cửa sổ khác: nội dung bạn nhập chưa được lưu. "
         "Trang đã tải lại tình trạng mới nhất.")


def _year_range() -> range:
    today = timezone.localdate()
    return range(today.year - YEARS_BACK, today.year + 2)


def _year_param(request: HttpRequest) -> int:
    """?nam=2026, the current year when absent or not a year the pages open."""
    value = parse_id(request.GET.get("nam"))
    return value if value is not None and value in _year_range() else timezone.localdate().year


def _year_path(year: int) -> int:
    if year not in _year_range():
        raise Http404("Năm đánh giá không hợp lệ.")
    return year


def _agency_for(request: HttpRequest, agency_id: int) -> Agency:
    """The unit, if the user may see its assessment (403 otherwise) and it is scored (404 otherwise)."""
    agency = get_object_or_404(Agency, pk=agency_id)
    if not can(request.user, PAR_VIEW, agency):
        raise PermissionDenied("Đơn vị này ngoài phạm vi của bạn.")
    if services.level_of(agency) is None:
        raise Http404("Đơn vị này không thuộc cấp được đánh giá Chỉ số CCHC.")
    return agency


def _page(agency: Agency, year: int) -> str:
    return reverse("par:assessment", args=[agency.pk, year])


@login_required
def home(request: HttpRequest) -> HttpResponse:
    year = _year_param(request)
    roots = ranking_roots(user=request.user)
    context = {
        "year": year,
        "years": list(reversed(_year_range())),
        "units": own_units(user=request.user, year=year),
        "roots": roots,
    }
    return render(request, "par/home.html", context)


# The self-assessment page.


@dataclass
class PageRow:
    """A criterion as the page shows it: the selector's row, the records
    behind its measure with their links, its rule, and its forms."""

    row: Row
    records: list[dict] = field(default_factory=list)
    rule: str = ""
    form: ItemForm | None = None
    points_field: object = None
    comment_field: object = None


def _record_links(rows: list[Row]) -> dict[int, list[dict]]:
    """Criterion id -> its records with a link each (a task links to its plan). One query for the tasks."""
    task_ids = {r["id"] for row in rows if row.item for r in (row.item.computation or {}).get("records", [])
                if r.get("kind") == "task"}
    plans = dict(Task.objects.filter(pk__in=task_ids).values_list("pk", "plan_id")) if task_ids else {}
    links: dict[int, list[dict]] = {}
    for row in rows:
        found = []
        for record in (row.item.computation or {}).get("records", []) if row.item else []:
            kind, pk = record.get("kind"), record.get("id")
            url = ""
            if kind == "plan":
                url = reverse("plans:detail", args=[pk])
            elif kind == "report":
                url = reverse("reports:detail", args=[pk])
            elif kind == "task" and pk in plans:
                url = reverse("plans:detail", args=[plans[pk]])
            found.append({"label": record.get("label", ""), "ok": record.get("ok"), "url": url, "kind": kind})
        links[row.criterion.pk] = found
    return links


def _rule(row: Row) -> str:
    return "" if row.is_group or row.criterion.measure == Measure.MANUAL else row.criterion.rule_text


def _render(request: HttpRequest, assessment: Assessment, *, item_forms: dict[int, ItemForm] | None = None,
            appraisal: AppraisalForm | None = None, return_form: ReturnForm | None = None,
            pack: tuple[EvidencePack | None] | None = None, status: int = 200) -> HttpResponse:
    """The page; `pack`, when the caller has read the unit's pack already:
    (the pack or None), which the panel shows without reading it again."""
    user, agency = request.user, assessment.agency
    draft = assessment.status == Assessment.Status.DRAFT
    may_edit = draft and can(user, PAR_EDIT, agency)
    may_appraise = assessment.status != Assessment.Status.DRAFT and can(user, PAR_APPRAISE, agency)
    rows = assessment_rows(assessment)
    links = _record_links(rows)
    leaves = [(row.item, row.criterion) for row in rows if row.item is not None]
    if may_appraise and appraisal is None:
        appraisal = AppraisalForm(items=leaves, lock_version=assessment.lock_version)
    item_forms = item_forms or {}
    page_rows = []
    for row in rows:
        page_row = PageRow(row, links.get(row.criterion.pk, []), _rule(row))
        if row.item is not None and may_edit:
            page_row.form = item_forms.get(row.item.pk) or ItemForm(item=row.item, criterion=row.criterion)
        if row.item is not None and may_appraise and appraisal is not None:
            page_row.points_field, page_row.comment_field = appraisal.pairs(row.item)
        page_rows.append(page_row)
    context = {
        "assessment": assessment,
        "agency": agency,
        "year": assessment.year,
        "rows": page_rows,
        "max_total": sum((row.criterion.max_score for row in rows if row.criterion.parent_id is None), 0),
        "may_edit": may_edit,
        "may_submit": draft and can(user, PAR_SUBMIT, agency),
        "may_appraise": may_appraise,
        "may_return": assessment.status == Assessment.Status.SUBMITTED and can(user, PAR_APPRAISE, agency),
        "may_rank": can(user, PAR_APPRAISE, agency),
        "level": services.level_of(agency),
        "appraisal": appraisal,
        "return_form": return_form or ReturnForm(),
        "submit_question": (f"Gửi bản tự đánh giá năm {assessment.year} của {agency.name} "
                            f"({format_points(assessment.self_total)} điểm) để cơ quan Nội vụ thẩm định? "
                            "Sau khi gửi, đơn vị không sửa được nữa, trừ khi bị trả lại."),
    }
    if pack is not None:
        context["pack_read"] = pack
    return render(request, "par/assessment.html", context, status=status)


@login_required
def assessment(request: HttpRequest, agency_id: int, year: int) -> HttpResponse:
    """GET: the assessment (its computed points brought up to date while a
    draft). POST action=item: one criterion's note, file and manual points;
    action=appraise: the reviewer's points and comments for every criterion."""
    agency = _agency_for(request, agency_id)
    year = _year_path(year)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "item":
            return _item_save(request, agency, year)
        if action == "appraise":
            return _appraise(request, agency, year)
        messages.error(request, "Thao tác không hợp lệ.")
        return redirect(_page(agency, year))
    found = _opened(request, agency, year)
    if found is None:
        return render(request, "par/not_started.html", {"agency": agency, "year": year})
    # The data changed since the pack was built: built again; the panel shows the pack as it stands.
    return _render(request, found, pack=(pack_refresh(agency=agency, year=year),))


def _opened(request: HttpRequest, agency: Agency, year: int) -> Assessment | None:
    """The assessment brought up to date; None when the unit has not opened
    it yet and the user may not (a reader's visit creates nothing)."""
    if not can(request.user, PAR_EDIT, agency) and not Assessment.objects.filter(agency=agency, year=year).exists():
        return None
    try:
        return services.assessment_open(agency=agency, year=year)
    except ValidationError as exc:
        raise Http404(" ".join(exc.messages)) from None


def _existing(request: HttpRequest, agency: Agency, year: int, *, action: str, refusal: str) -> Assessment:
    """The unit's assessment of the year, for a user `action` allows (else 403 saying `refusal`)."""
    if not can(request.user, action, agency):
        raise PermissionDenied(refusal)
    return get_object_or_404(Assessment.objects.select_related("agency", "criteria_set"), agency=agency, year=year)


def _item_save(request: HttpRequest, agency: Agency, year: int) -> HttpResponse:
    found = _existing(request, agency, year, action=PAR_EDIT,
                      refusal="Chỉ cán bộ của đơn vị sửa được bản tự đánh giá.")
    item_id = parse_id(request.POST.get("item"))
    item = get_object_or_404(AssessmentItem.objects.select_related("criterion"), assessment=found, pk=item_id) \
        if item_id else None
    if item is None:
        raise Http404("Không tìm thấy tiêu chí.")
    if found.status != Assessment.Status.DRAFT:
        messages.error(request, STALE)
        return redirect(_page(agency, year))
    form = ItemForm(request.POST, request.FILES, item=item, criterion=item.criterion)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.assessment_item_update(item=item, note=data["note"], self_points=data.get("self_points"),
                                            upload=data.get("file"), remove_file=data.get("remove_file", False))
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and set(exc.error_dict) <= set(form.fields):
                form.add_error(None, exc)
            else:
                messages.error(request, " ".join(exc.messages))
                return redirect(_page(agency, year))
        except OSError:  # disk full, object storage unreachable
            form.add_error("file", "Chưa lưu được tệp vào kho lưu trữ; chưa có gì được ghi. Xin thử lại sau ít phút.")
        else:
            messages.success(request, f"Đã lưu tiêu chí {item.criterion.code}.")
            return redirect(f"{_page(agency, year)}#tc-{item.criterion_id}")
    found.refresh_from_db()
    if found.status != Assessment.Status.DRAFT:
        messages.error(request, STALE)
        return redirect(_page(agency, year))
    messages.error(request, f"Tiêu chí {item.criterion.code} chưa lưu: xem ô báo lỗi bên dưới.")
    return _render(request, found, item_forms={item.pk: form}, status=400)


def _appraise(request: HttpRequest, agency: Agency, year: int) -> HttpResponse:
    found = _existing(request, agency, year, action=PAR_APPRAISE,
                      refusal="Chỉ cơ quan Nội vụ cấp trên thẩm định được.")
    if found.status == Assessment.Status.DRAFT:
        messages.error(request, "Bản tự đánh giá chưa gửi (hoặc vừa được trả lại): chưa thẩm định được.")
        return redirect(_page(agency, year))
    leaves = [(i, i.criterion) for i in found.items.select_related("criterion").order_by("criterion__position",
                                                                                          "criterion_id")]
    form = AppraisalForm(request.POST, items=leaves, lock_version=found.lock_version)
    posted_version = parse_id(request.POST.get("appraise-lock_version"))
    if posted_version is not None and posted_version != found.lock_version:
        messages.error(request, "Bản tự đánh giá vừa được thẩm định, trả lại hoặc gửi lại ở một cửa sổ khác: "
                                "kết quả bạn nhập chưa được lưu. Xem lại tình trạng mới nhất dưới đây.")
        return redirect(_page(agency, year))
    if form.is_valid():
        try:
            services.assessment_appraise(assessment=found, user=request.user, decisions=form.decisions(),
                                         lock_version=found.lock_version)
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and set(exc.error_dict) <= set(form.fields):
                form.add_error(None, exc)
            else:
                messages.error(request, " ".join(exc.messages))
                return redirect(_page(agency, year))
        else:
            found.refresh_from_db()
            messages.success(request, f"Đã thẩm định: {format_points(found.final_total)} điểm.")
            return redirect(_page(agency, year))
    found.refresh_from_db()
    messages.error(request, "Chưa lưu kết quả thẩm định: xem các ô báo lỗi bên dưới.")
    return _render(request, found, appraisal=form, status=400)


@login_required
def submit(request: HttpRequest, agency_id: int, year: int) -> HttpResponse:
    """GET: the question (behind the page's dialog); POST: send the self-assessment."""
    agency = _agency_for(request, agency_id)
    year = _year_path(year)
    found = _existing(request, agency, year, action=PAR_SUBMIT,
                      refusal="Chỉ lãnh đạo đơn vị gửi được bản tự đánh giá.")
    if found.status != Assessment.Status.DRAFT:
        messages.error(request, f"Bản tự đánh giá đang ở trạng thái «{found.get_status_display()}»: "
                                "không gửi lại được.")
        return redirect(_page(agency, year))
    if request.method == "POST":
        try:
            services.assessment_submit(assessment=found, user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            found.refresh_from_db()
            messages.success(request, f"Đã gửi bản tự đánh giá ({format_points(found.self_total)} điểm) "
                                      "để cơ quan Nội vụ thẩm định.")
        return redirect(_page(agency, year))
    return render(request, "plans/confirm.html", {
        "agency": agency, "year": year, "title": "Gửi bản tự đánh giá", "button": "Gửi tự đánh giá",
        "question": (f"Gửi bản tự đánh giá năm {year} của {agency.name} ({format_points(found.self_total)} điểm) "
                     "để cơ quan Nội vụ thẩm định? Sau khi gửi, đơn vị không sửa được nữa, trừ khi bị trả lại."),
        "back": _page(agency, year),
    })


@login_required
@require_POST
def return_view(request: HttpRequest, agency_id: int, year: int) -> HttpResponse:
    """«Trả lại»: the self-assessment back to the unit as a draft, with the reason."""
    agency = _agency_for(request, agency_id)
    year = _year_path(year)
    found = _existing(request, agency, year, action=PAR_APPRAISE,
                      refusal="Chỉ cơ quan Nội vụ cấp trên trả lại được.")
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Chưa trả lại: nêu lý do trả lại.")
        return _render(request, found, return_form=form, status=400)
    try:
        services.assessment_return(assessment=found, user=request.user, comment=form.cleaned_data["comment"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Đã trả lại bản tự đánh giá cho {agency.name}.")
    return redirect(_page(agency, year))


@login_required
def item_file(request: HttpRequest, agency_id: int, year: int, item_id: int) -> FileResponse:
    """The unit's extra file of a criterion, to whoever may see the assessment."""
    agency = _agency_for(request, agency_id)
    item = get_object_or_404(AssessmentItem, pk=item_id, assessment__agency=agency, assessment__year=year)
    if not item.file.name:
        raise Http404("Tiêu chí này không có tệp bổ sung.")
    content_type = mimetypes.guess_type(item.file_name or item.file.name)[0] or "application/octet-stream"
    try:
        response = stored_file_response(item.file, filename=item.file_name or "tep", content_type=content_type)
    except FileNotFoundError:
        raise Http404("Tệp không còn trong kho lưu trữ.") from None
    record_event(request, "download_evidence", item)
    return response


@login_required
def assessment_export(request: HttpRequest, agency_id: int, year: int) -> HttpResponse:
    agency = _agency_for(request, agency_id)
    year = _year_path(year)
    found = _opened(request, agency, year)
    if found is None:
        raise Http404("Đơn vị chưa tự đánh giá năm này.")
    content = assessment_xlsx(found, assessment_rows(found))
    response = HttpResponse(content, content_type=XLSX)
    name = f"Tu-danh-gia-CCHC-{year}-{file_name_part(agency.name)}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    record_event(request, "export_xlsx", f"Tự đánh giá Chỉ số CCHC {year} · {agency}")
    return response


# The ranking.


def _ranking_root(request: HttpRequest) -> tuple[Agency, list[Agency]]:
    """?goc=<agency id>, by default the user's first review root; 403 outside their scope."""
    roots = ranking_roots(user=request.user)
    chosen = parse_id(request.GET.get("goc"))
    if chosen is not None:
        root = Agency.objects.filter(pk=chosen).first()
        if root is None:
            raise Http404("Không tìm thấy đơn vị.")
    elif roots:
        root = roots[0]
    else:
        raise PermissionDenied("Bảng xếp hạng dành cho cơ quan Nội vụ thẩm định Chỉ số CCHC.")
    if not can(request.user, PAR_RANKING, root):
        raise PermissionDenied("Đơn vị này ngoài phạm vi bạn thẩm định.")
    return root, roots


@login_required
def ranking_view(request: HttpRequest) -> HttpResponse:
    root, roots = _ranking_root(request)
    year = _year_param(request)
    found = ranking(root, year, request.GET.get("cap"))
    context = {
        "ranking": found,
        "root": root,
        "roots": roots,
        "year": year,
        "years": list(reversed(_year_range())),
        "chart": found.chart_data(),
        "distribution": found.distribution(),
    }
    return render(request, "par/ranking.html", context)


@login_required
def ranking_export(request: HttpRequest) -> HttpResponse:
    root, _ = _ranking_root(request)
    year = _year_param(request)
    found = ranking(root, year, request.GET.get("cap"))
    response = HttpResponse(ranking_xlsx(found), content_type=XLSX)
    name = f"Xep-hang-CCHC-{year}-{file_name_part(found.level_label)}-{file_name_part(root.name)}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    record_event(request, "export_xlsx", f"Xếp hạng Chỉ số CCHC {year} · {root}")
    return response
