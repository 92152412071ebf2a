from django.contrib import admin

from .models import Evidence, Notice, Report, ReportEvent


class ReportEventInline(admin.TabularInline):
    model = ReportEvent
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "user", "comment", "created_at"]
    fields = readonly_fields


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Read-only: reports change only through the workflow in the portal."""

    list_display = ["agency", "period", "status", "due_date", "submitted_at"]
    list_filter = ["status", "period"]
    search_fields = ["agency__name"]
    readonly_fields = [f.name for f in Report._meta.fields]
    inlines = [ReportEventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "day", "sent_at", "closed_at", "attempts", "last_error"]
    list_filter = ["kind", "sent_at", "closed_at"]
    readonly_fields = [f.name for f in Notice._meta.fields]

    def has_add_permission(self, request):
        return False  # notices are made by the reminder sweep and the workflow, never by hand


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    list_display = ["original_name", "report", "size", "uploaded_at"]
    readonly_fields = [f.name for f in Evidence._meta.fields]

    def has_add_permission(self, request):
        return False  # evidence is uploaded with its report, through the report page
