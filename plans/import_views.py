"""Bringing an existing plan in: upload (or paste), review what was
recognised beside the source, save a draft. Thin views over the recogniser
(plans/importing/) and plans/services/importing.py."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from agencies.permissions import can

from . import services
from .forms import ImportReviewForm, ImportStartForm
from .importing import ImportRefused, recognise
from .models import Heading, PlanImport
from .rules import PLAN_CREATE
from .selectors import creatable_agencies

# Verbs a basis line may start with; any other line keeps its words as written.
BASIS_VERBS = ("Căn cứ", "Thực hiện", "Xét đề nghị của", "Theo đề nghị của", "Theo")


@login_required
def plan_import_start(request: HttpRequest) -> HttpResponse:
    issuers = creatable_agencies(user=request.user)
    if not issuers.exists():
        raise PermissionDenied("Chỉ chuyên viên hoặc lãnh đạo của cơ quan ban hành mới nhập được kế hoạch.")
    form = ImportStartForm(request.POST or None, request.FILES or None, issuers=issuers)
    if request.method == "POST" and form.is_valid():
        issuer = form.cleaned_data["issuer"]
        if not can(request.user, PLAN_CREATE, issuer):
            raise PermissionDenied
        content, filename = form.source()
        try:
            structure = recognise(content, filename)
        except ImportRefused as refusal:
            form.add_error("file" if filename else "text", str(refusal))
        else:
            source = structure.pop("source_lines", None) or content.decode("utf-8", "replace").splitlines()
            plan_import = PlanImport.objects.create(
                created_by=request.user, issuer=issuer, filename=filename[:255], source_lines=source,
                structure=services.agencies_guessed(structure, issuer),
            )
            return redirect("plans:import_review", plan_import.pk)
    return render(request, "plans/import_start.html", {"form": form})


def _import_for_user(request: HttpRequest, import_id: int) -> PlanImport:
    """Only the person who brought the file in sees it (anyone else: 404)."""
    plan_import = PlanImport.objects.select_related("issuer", "plan").filter(pk=import_id).first()
    if plan_import is None or plan_import.created_by_id != request.user.pk:
        raise Http404("Không tìm thấy bản nhập.")
    if not can(request.user, PLAN_CREATE, plan_import.issuer):
        raise PermissionDenied
    return plan_import


@login_required
def plan_import_review(request: HttpRequest, import_id: int) -> HttpResponse:
    plan_import = _import_for_user(request, import_id)
    if plan_import.plan_id:
        return redirect("plans:edit", plan_import.plan_id)
    structure = plan_import.structure
    agencies = services.issuer_agencies(plan_import.issuer)
    initial = _initial(structure)
    form = ImportReviewForm(request.POST or None, structure=structure, agencies=agencies, initial=initial)
    if request.method == "POST" and form.is_valid():
        reviewed = _reviewed(form, structure)
        if reviewed["responsibilities"] and not _has_duty_heading(reviewed["headings"]):
            form.add_error(None, "Chọn vai trò «Tổ chức thực hiện» cho một đề mục: trách nhiệm các cơ quan in dưới đề mục đó.")
        else:
            try:
                plan = services.plan_import_save(plan_import=plan_import, structure=reviewed, user=request.user)
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                messages.success(request, "Đã lưu dự thảo từ văn bản nhập. Kiểm tra lại từng phần trước khi trình.")
                return redirect("plans:detail", plan.pk)
    return render(request, "plans/import_review.html", {
        "plan_import": plan_import, "form": form, "source": plan_import.source_lines,
        "tasks": structure.get("tasks", []), "header": structure,
        "source_date": _iso_date(structure.get("issue_date")),
    })


def _iso_date(value):
    try:
        return dt.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def _initial(structure: dict) -> dict:
    signer = structure.get("signer") or {}
    year = structure.get("year_start") or structure.get("draft_year")
    return {
        "title": structure.get("title", ""), "symbol": structure.get("symbol", ""), "place": structure.get("place", ""),
        "kind": structure.get("kind") or "yearly", "year_start": year, "year_end": structure.get("year_end") or year,
        "basis": "\n".join(f"{b.get('verb', '')} {b.get('text', '')}".strip() for b in structure.get("basis", [])),
        "basis_style": structure.get("basis_style") or "paragraph",
        "basis_lead_in": structure.get("basis_lead_in", ""), "closing_text": structure.get("closing_text", ""),
        "recipients": "\n".join(structure.get("recipients", [])),
        "signer_authority": "\n".join(signer.get("authority", [])),
        "signer_position": signer.get("position", ""), "signer_name": signer.get("name", ""),
    }


def _basis(line: str) -> dict:
    for verb in BASIS_VERBS:
        if line.startswith(verb + " "):
            return {"verb": verb, "text": line[len(verb) + 1:].strip()}
    return {"verb": "", "text": line}


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _reviewed(form: ImportReviewForm, structure: dict) -> dict:
    """The structure as the drafter left it on the review page."""
    data = form.cleaned_data
    placed: dict[str, list[str]] = {}
    kept = []
    for index, line in enumerate(form.unplaced):
        target = data[f"u{index}"]
        (kept.append(line) if target == "keep" else placed.setdefault(target, []).append(line))
    extra_basis = [_basis(line) for line in placed.get("basis", [])]
    extra_recipients = [line.strip().lstrip("-–").strip().rstrip(";.").strip() for line in placed.get("recipients", [])]
    headings: list[dict] = []
    for index in range(len(form.headings)):
        prefix = f"h{index}"
        item = {
            "level": data[f"{prefix}-level"], "marker": data[f"{prefix}-marker"].strip(),
            "text": data[f"{prefix}-text"].strip(), "role": data[f"{prefix}-role"],
            "clauses": services.clauses_from_lines(data[f"{prefix}-clauses"])
            + [{"marker": "paragraph", "marker_text": "", "text": line, "children": []} for line in placed.get(prefix, [])],
            "children": [],
        }
        if item["level"] == 2 and headings:
            headings[-1]["children"].append(item)
        else:
            headings.append(item)
    responsibilities = []
    for index in range(len(form.responsibilities)):
        prefix = f"r{index}"
        agency = data[f"{prefix}-agency"]
        responsibilities.append({
            "agency": agency.code if agency else None, "title": data[f"{prefix}-title"].strip(),
            "marker": data[f"{prefix}-marker"].strip(), "is_request": data[f"{prefix}-request"],
            "duties": services.clauses_from_lines(data[f"{prefix}-duties"]),
        })
    return dict(
        structure, title=" ".join(data["title"].split()), symbol=data["symbol"].strip(), place=data["place"].strip(),
        kind=data["kind"], year_start=data["year_start"], year_end=data["year_end"] or data["year_start"],
        basis=[_basis(line) for line in _lines(data["basis"])] + extra_basis, basis_style=data["basis_style"],
        basis_lead_in=data["basis_lead_in"].strip(), closing_text=data["closing_text"].strip(),
        recipients=_lines(data["recipients"]) + [r for r in extra_recipients if r],
        signer={"authority": _lines(data["signer_authority"]), "position": data["signer_position"].strip(),
                "name": data["signer_name"].strip()},
        headings=headings, responsibilities=responsibilities, unplaced=kept,
        purposes=[], requirements=[], content=[], channels=[], funding=[],
    )


def _has_duty_heading(headings: list[dict]) -> bool:
    return any(h["role"] == Heading.Role.DUTY or _has_duty_heading(h.get("children", [])) for h in headings)
