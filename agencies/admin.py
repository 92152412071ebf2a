from django.contrib import admin, messages
from django.contrib.admin.views.main import ERROR_FLAG
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from tree_queries.admin import TreeAdmin

from .forms import AgencyImportForm
from .models import Agency, Membership
from .services import AgencyImportError, agency_export, agency_import


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Agency)
class AgencyAdmin(TreeAdmin):
    position_field = None
    list_display = ["collapse_column", "indented_title", "code", "kind", "is_active"]
    list_filter = ["kind", "is_active", "is_home_affairs"]
    search_fields = ["name", "short_name", "code"]
    autocomplete_fields = ["parent", "successor"]
    inlines = [MembershipInline]
    change_list_template = "admin/agencies/agency/change_list.html"

    @admin.display(description="Tên đơn vị")
    def indented_title(self, instance, *, ellipsize=True):
        return super().indented_title(instance, ellipsize=ellipsize)

    def changelist_view(self, request, extra_context=None):
        # A list asked with lookups it does not know comes back as "?e=1", which
        # Django answers with its "invalid setup" page; tree_queries then adds
        # its scripts to a page that has none (KeyError: a 500). That page as is.
        if ERROR_FLAG in request.GET:
            response = admin.ModelAdmin.changelist_view(self, request, extra_context=extra_context)
            if "cl" not in (getattr(response, "context_data", None) or {}):
                return response
        return super().changelist_view(request, extra_context=extra_context)

    def get_urls(self):
        extra = [
            path("import/", self.admin_site.admin_view(self.import_view), name="agencies_agency_import"),
            path("export/<str:file_format>/", self.admin_site.admin_view(self.export_view), name="agencies_agency_export"),
        ]
        return extra + super().get_urls()

    def import_view(self, request):
        if not self.has_add_permission(request) or not self.has_change_permission(request):
            return redirect("admin:agencies_agency_changelist")
        form = AgencyImportForm(request.POST or None, request.FILES or None)
        errors: list[str] = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = agency_import(content=upload.read(), filename=upload.name)
            except AgencyImportError as exc:
                errors = exc.errors
            else:
                messages.success(
                    request,
                    f"Đã nhập: {result.created} đơn vị mới, {result.updated} đơn vị cập nhật.",
                )
                return redirect("admin:agencies_agency_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Nhập danh sách đơn vị",
            "form": form,
            "errors": errors,
        }
        return TemplateResponse(request, "admin/agencies/agency/import.html", context)

    def export_view(self, request, file_format):
        if file_format not in ("csv", "xlsx") or not self.has_view_permission(request):
            return redirect("admin:agencies_agency_changelist")
        content_type = {
            "csv": "text/csv; charset=utf-8",
            "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }[file_format]
        response = HttpResponse(agency_export(file_format=file_format), content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="don-vi.{file_format}"'
        return response


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "agency", "role"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "agency__name"]
    autocomplete_fields = ["user", "agency"]
