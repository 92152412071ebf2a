"""The evidence pack's views: ask the worker for it, poll its progress, download it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.services import record_event
from agencies.models import Agency
from agencies.permissions import can, is_system_admin
from common.files import stored_file_response

from .pack import pack_file_name, pack_get, pack_in_progress, pack_is_stale, pack_request, size_text
from .rules import PAR_APPRAISE, PAR_SUBMIT, PAR_VIEW

YEARS = range(2000, 2101)


def may_build_pack(user, agency: Agency) -> bool:
    """The unit's head, the reviewers above it, a system administrator."""
    return can(user, PAR_SUBMIT, agency) or can(user, PAR_APPRAISE, agency) or is_system_admin(user)


def _agency(request: HttpRequest, agency_id: int, year: int) -> Agency:
    """The unit if the user may see its assessment (else 404: outsiders learn nothing)."""
    agency = Agency.objects.select_related("parent").filter(pk=agency_id).first()
    if agency is None or year not in YEARS or not can(request.user, PAR_VIEW, agency):
        raise Http404("Không tìm thấy đơn vị.")
    return agency


def _back(request: HttpRequest) -> str:
    """The page the form was on (a path of this site only), else the PAR home."""
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                                  require_https=request.is_secure()):
        return target
    return reverse("par:home")


@login_required
@require_POST
def pack_request_view(request: HttpRequest, agency_id: int, year: int) -> HttpResponse:
    """Build (or build again) the unit's pack in the worker; back to the page, which shows the progress."""
    agency = _agency(request, agency_id, year)
    if not may_build_pack(request.user, agency):
        raise PermissionDenied("Chỉ lãnh đạo đơn vị hoặc cơ quan thẩm định tạo bộ hồ sơ minh chứng.")
    try:
        pack_request(agency=agency, year=year, user=request.user)
    except ValidationError as problem:
        messages.error(request, " ".join(problem.messages))
    else:
        messages.success(request, "Đã gửi yêu cầu tạo bộ hồ sơ minh chứng. Trang cho biết tiến độ; "
                                  "khi xong, Cổng gửi thư điện tử kèm đường dẫn tải về.")
    return HttpResponseRedirect(_back(request))


def pack_state(pack, *, user, agency: Agency) -> dict:
    """What the panel and the progress endpoint show of a pack (None: not built yet)."""
    if pack is None:
        return {"status": "none", "label": "Chưa tạo", "percent": 0, "done": 0, "total": 0, "stale": False,
                "busy": False, "ready": False, "size": "", "files": 0, "built_at": "", "error": "",
                "download": "", "may_build": may_build_pack(user, agency)}
    busy = pack_in_progress(pack)
    # The last ZIP built stays downloadable while the next one is built (or failed).
    ready = bool(pack.file)
    built = timezone.localtime(pack.built_at) if pack.built_at else None
    return {
        "status": pack.status, "label": pack.get_status_display(), "percent": pack.percent,
        "done": pack.done_steps, "total": pack.total_steps,
        "stale": ready and not busy and not getattr(pack, "checked_fresh", False) and pack_is_stale(pack),
        "busy": busy, "ready": ready,
        "size": size_text(pack.size) if ready else "", "files": pack.files_count if ready else 0,
        "built_at": f"{built:%H:%M %d/%m/%Y}" if built else "", "error": pack.error,
        "download": reverse("par:pack_download", args=[pack.agency_id, pack.year]) if ready else "",
        "may_build": may_build_pack(user, agency),
    }


@login_required
def pack_progress(request: HttpRequest, agency_id: int, year: int) -> JsonResponse:
    """How far the build is (polled by static/js/par-pack.js)."""
    agency = _agency(request, agency_id, year)
    return JsonResponse(pack_state(pack_get(agency, year), user=request.user, agency=agency))


@login_required
def pack_download(request: HttpRequest, agency_id: int, year: int) -> HttpResponse:
    """The ZIP; a stale one first says so and offers to build it again (`?cu=1` takes the old one anyway)."""
    agency = _agency(request, agency_id, year)
    pack = pack_get(agency, year)
    if pack is None or not pack.file:
        raise Http404("Bộ hồ sơ minh chứng chưa được tạo.")
    if request.GET.get("cu") != "1" and pack_is_stale(pack):
        return render(request, "par/pack_stale.html", {
            "pack": pack, "agency": agency, "may_build": may_build_pack(request.user, agency),
            "built_at": timezone.localtime(pack.built_at) if pack.built_at else None})
    try:
        response = stored_file_response(pack.file, filename=pack_file_name(pack), content_type="application/zip")
    except FileNotFoundError:
        raise Http404("Tệp bộ hồ sơ không còn trên máy chủ: hãy tạo lại.") from None
    record_event(request, "download_evidence", f"Bộ hồ sơ minh chứng {year} · {agency}")
    return response
