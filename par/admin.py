"""The PAR Index in admin (system administrators only, as all of admin):
tags, the criteria sets with their criteria, the default set for a year,
XLSX import and export, copying a set to the next year; the units'
assessments and evidence packs read only (they change through the pages)."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone

from common.audit import record_event

from .criteria_xlsx import (
    XLSX_CONTENT_TYPE,
    criteria_set_export,
    criteria_set_import,
    criteria_template_export,
    export_name,
)
from .models import Assessment, AssessmentItem, CriteriaSet, Criterion, EvidencePack, Level, Tag
from .services import criteria_set_copy, criteria_set_default_create
from .thresholds import format_points


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    """Which records carry a tag is set on the tagging pages (par/tagging_views.py), not here."""

    list_display = ["name", "code", "position"]
    list_editable = ["position"]
    search_fields = ["name", "code"]
    fields = ["code", "name", "position"]


class CriterionFormSet(BaseInlineFormSet):
    """The rows checked together: a child's parent is the one chosen, or the
    criterion whose code is the child's without its last part (1.4.2 under
    1.4, filled in on save); the children's maximum scores must fit in their
    parent's."""

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        kept = [f for f in self.forms if getattr(f, "cleaned_data", None) and not f.cleaned_data.get("DELETE")]
        by_code = {f.cleaned_data["code"]: f for f in kept}
        children: dict[str, list[forms.Form]] = {}
        for form in kept:
            parent = form.cleaned_data.get("parent")
            code = form.cleaned_data["code"]
            parent_code = parent.code if parent is not None else code.rpartition(".")[0]
            if parent is not None and parent_code == code:
                form.add_error("parent", "Tiêu chí không thể thuộc chính nó.")
                continue
            if parent_code in by_code:
                children.setdefault(parent_code, []).append(form)
        for code, below in children.items():
            parent_form = by_code[code]
            total = sum((f.cleaned_data["max_score"] for f in below), Decimal(0))
            if total > parent_form.cleaned_data["max_score"]:
                parent_form.add_error("max_score", f"Tổng điểm tối đa các tiêu chí con ({format_points(total)}) "
                                                   "vượt điểm tối đa của tiêu chí này.")


class CriterionInline(admin.TabularInline):
    model = Criterion
    formset = CriterionFormSet
    fk_name = "criteria_set"
    extra = 0
    fields = ["position", "code", "title", "max_score", "measure", "counter", "thresholds", "tag", "parent",
              "guidance"]
    autocomplete_fields = ["counter", "tag"]
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 36})}}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            # Only the criteria of the set being edited (none on a new set).
            object_id = request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
            kwargs["queryset"] = Criterion.objects.filter(
                criteria_set_id=object_id if str(object_id or "").isdigit() else None).order_by("position", "pk")
            kwargs["required"] = False
            kwargs["help_text"] = "Để trống: theo số hiệu (1.4.2 thuộc 1.4)."
            field = super().formfield_for_foreignkey(db_field, request, **kwargs)
            field.label_from_instance = lambda criterion: criterion.code  # the code says where it sits
            return field
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class CriteriaImportForm(forms.Form):
    file = forms.FileField(label="Tệp XLSX", help_text="Tối đa 2 MB, các cột như tệp mẫu.")
    year = forms.IntegerField(label="Năm đánh giá", min_value=2000, max_value=2100)
    level = forms.ChoiceField(label="Cấp", choices=Level.choices)
    title = forms.CharField(label="Tên bộ tiêu chí", required=False, max_length=255,
                            help_text="Để trống: lấy dòng đầu của tệp.")
    replace = forms.BooleanField(label="Thay thế bộ đã có của năm và cấp này", required=False,
                                 help_text="Chỉ được khi chưa đơn vị nào dùng bộ đó để tự đánh giá.")


class DefaultSetForm(forms.Form):
    year = forms.IntegerField(label="Năm đánh giá", min_value=2000, max_value=2100)
    level = forms.ChoiceField(label="Cấp", choices=Level.choices)

    def clean(self):
        data = super().clean() or {}
        if data.get("year") and data.get("level") and CriteriaSet.objects.filter(
                year=data["year"], level=data["level"]).exists():
            self.add_error("year", "Năm này đã có bộ tiêu chí cho cấp này.")
        return data


@admin.register(CriteriaSet)
class CriteriaSetAdmin(admin.ModelAdmin):
    list_display = ["title", "level", "year", "criteria_count", "copied_from"]
    list_filter = ["level", "year"]
    search_fields = ["title", "source"]
    fields = ["year", "level", "title", "source", "copied_from"]
    readonly_fields = ["copied_from"]
    inlines = [CriterionInline]
    actions = ["copy_to_next_year", "export_xlsx"]
    change_list_template = "admin/par/criteriaset/change_list.html"
    change_form_template = "admin/par/criteriaset/change_form.html"

    class Media:
        css = {"all": ["css/admin-par.css"]}

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("copied_from").annotate(
            criteria_total=models.Count("criteria"))

    @admin.display(description="số tiêu chí", ordering="criteria_total")
    def criteria_count(self, obj):
        return obj.criteria_total

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is Criterion:
            criteria_parents_from_codes(form.instance)

    # Actions -----------------------------------------------------------------

    @admin.action(description="Sao chép sang năm sau", permissions=["add"])
    def copy_to_next_year(self, request, queryset):
        for criteria_set in queryset.order_by("year", "level"):
            year = criteria_set.year + 1
            try:
                copy = criteria_set_copy(source=criteria_set, year=year)
            except ValidationError:
                messages.error(request, f"Năm {year} đã có bộ tiêu chí cấp «{criteria_set.get_level_display()}»: "
                                        f"không sao chép «{criteria_set}».")
            else:
                messages.success(request, f"Đã sao chép «{criteria_set}» sang năm {year}: «{copy}».")

    @admin.action(description="Xuất XLSX", permissions=["view"])
    def export_xlsx(self, request, queryset):
        sets = list(queryset.order_by("year", "level"))
        if len(sets) == 1:
            return self._xlsx_response(request, sets[0])
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for criteria_set in sets:
                archive.writestr(export_name(criteria_set), criteria_set_export(criteria_set))
        record_event(request, "export_xlsx", f"{len(sets)} bộ tiêu chí Chỉ số CCHC (XLSX)")
        response = HttpResponse(buffer.getvalue(), content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="bo-tieu-chi-{timezone.localdate():%Y%m%d}.zip"'
        return response

    def _xlsx_response(self, request, criteria_set: CriteriaSet) -> HttpResponse:
        record_event(request, "export_xlsx", criteria_set)
        response = HttpResponse(criteria_set_export(criteria_set), content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{export_name(criteria_set)}"'
        return response

    # Pages -------------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        extra = [
            path("import/", view(self.import_view), name="par_criteriaset_import"),
            path("template.xlsx", view(self.template_view), name="par_criteriaset_template"),
            path("default/", view(self.default_view), name="par_criteriaset_default"),
            path("<int:set_id>/export.xlsx", view(self.export_view), name="par_criteriaset_export"),
        ]
        return extra + super().get_urls()

    def _page(self, request, template: str, title: str, **context) -> TemplateResponse:
        return TemplateResponse(request, template, {
            **self.admin_site.each_context(request), "opts": self.model._meta, "title": title, **context})

    def import_view(self, request):
        """Import a set from XLSX; errors next to the field they are about, the rest of the input kept."""
        if not self.has_add_permission(request) or not self.has_change_permission(request):
            return redirect("admin:par_criteriaset_changelist")
        form = CriteriaImportForm(request.POST or None, request.FILES or None,
                                  initial={"year": timezone.localdate().year, "level": Level.COMMUNE})
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                criteria_set = criteria_set_import(data["file"], year=data["year"], level=data["level"],
                                                   replace=data["replace"], title=data["title"])
            except ValidationError as problem:
                for field, errors in problem.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, f"Đã nhập «{criteria_set}»: {criteria_set.criteria.count()} tiêu chí.")
                return redirect("admin:par_criteriaset_change", criteria_set.pk)
        return self._page(request, "admin/par/criteriaset/import.html", "Nhập bộ tiêu chí từ XLSX", form=form)

    def template_view(self, request):
        if not self.has_view_permission(request):
            return redirect("admin:par_criteriaset_changelist")
        level = request.GET.get("level", Level.COMMUNE)
        response = HttpResponse(criteria_template_export(level if level in Level.values else Level.COMMUNE),
                                content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = 'attachment; filename="bo-tieu-chi-mau.xlsx"'
        return response

    def default_view(self, request):
        """criteria_set_default_create for a year and level."""
        if not self.has_add_permission(request):
            return redirect("admin:par_criteriaset_changelist")
        form = DefaultSetForm(request.POST or None, initial={"year": timezone.localdate().year,
                                                             "level": Level.COMMUNE})
        if request.method == "POST" and form.is_valid():
            criteria_set = criteria_set_default_create(year=form.cleaned_data["year"],
                                                       level=form.cleaned_data["level"])
            messages.success(request, f"Đã tạo «{criteria_set}» từ bộ mặc định.")
            return redirect("admin:par_criteriaset_change", criteria_set.pk)
        return self._page(request, "admin/par/criteriaset/default.html", "Tạo bộ tiêu chí mặc định", form=form)

    def export_view(self, request, set_id: int):
        criteria_set = CriteriaSet.objects.filter(pk=set_id).first()
        if criteria_set is None or not self.has_view_permission(request, criteria_set):
            return redirect("admin:par_criteriaset_changelist")
        return self._xlsx_response(request, criteria_set)


def criteria_parents_from_codes(criteria_set: CriteriaSet) -> None:
    """A criterion left without a parent goes under the one whose code is its
    own without the last part, when the set has it (1.4.2 under 1.4)."""
    criteria = list(criteria_set.criteria.all())
    by_code = {c.code: c for c in criteria}
    moved = []
    for criterion in criteria:
        parent = by_code.get(criterion.code.rpartition(".")[0]) if "." in criterion.code else None
        if criterion.parent_id is None and parent is not None and parent.pk != criterion.pk:
            criterion.parent = parent
            moved.append(criterion)
    Criterion.objects.bulk_update(moved, ["parent"])


class AssessmentItemInline(admin.TabularInline):
    model = AssessmentItem
    extra = 0
    can_delete = False
    fields = ["criterion", "measured", "self_points", "appraised_points", "note", "file", "appraisal_comment"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    """Read only: a self-assessment changes through its pages (the unit's
    head, the appraiser). Deleting one lets its criteria set be replaced."""

    list_display = ["agency", "year", "status", "self_total", "final_total", "submitted_at", "appraised_at"]
    list_filter = ["status", "year", "criteria_set__level"]
    search_fields = ["agency__name"]
    list_select_related = ["agency"]
    readonly_fields = [f.name for f in Assessment._meta.fields]
    inlines = [AssessmentItemInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(EvidencePack)
class EvidencePackAdmin(admin.ModelAdmin):
    """Read only: packs are built by the worker on request from the pages."""

    list_display = ["agency", "year", "status", "files_count", "size", "built_at"]
    list_filter = ["status", "year"]
    search_fields = ["agency__name"]
    list_select_related = ["agency"]
    readonly_fields = [f.name for f in EvidencePack._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


