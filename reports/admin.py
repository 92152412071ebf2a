from django.contrib import admin

from .health import mail_backlog, reminders_health
from .models import Evidence, Notice, Report, ReportEvent, SweepRun
from .services.notices import notices_unsent


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


class MailStateFilter(admin.SimpleListFilter):
    """The mail backlog at a glance: unsent notices that still matter."""

    title = "e-mail"
    parameter_name = "mail"

    def lookups(self, request, model_admin):
        return [("unsent", "Chưa gửi (còn cần gửi)"), ("sent", "Đã gửi"), ("closed", "Đã đóng, không gửi")]

    def queryset(self, request, queryset):
        if self.value() == "unsent":
            return queryset.filter(pk__in=notices_unsent().values("pk"))
        if self.value() == "sent":
            return queryset.filter(sent_at__isnull=False)
        if self.value() == "closed":
            return queryset.filter(sent_at__isnull=True, closed_at__isnull=False)
        return queryset


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "day", "sent_at", "closed_at", "attempts", "next_attempt_at", "last_error"]
    list_filter = [MailStateFilter, "kind", "sent_at", "closed_at"]
    readonly_fields = [f.name for f in Notice._meta.fields]

    def has_add_permission(self, request):
        return False  # notices are made by the reminder sweep and the workflow, never by hand

    def changelist_view(self, request, extra_context=None):
        """A header above the list: the backlog and the health of the reminders."""
        backlog = mail_backlog()
        ok, message, _ = reminders_health(backlog=backlog)
        extra_context = (extra_context or {}) | {"mail_backlog": backlog, "reminders_ok": ok,
                                                 "reminders_message": message}
        return super().changelist_view(request, extra_context=extra_context)


@admin.register(SweepRun)
class SweepRunAdmin(admin.ModelAdmin):
    """Read-only: each run of the daily reminder sweep, recorded by the sweep."""

    list_display = ["day", "started_at", "finished_at", "created", "requeued"]
    readonly_fields = [f.name for f in SweepRun._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    list_display = ["original_name", "report", "size", "uploaded_at"]
    readonly_fields = [f.name for f in Evidence._meta.fields]

    def has_add_permission(self, request):
        return False  # evidence is uploaded with its report, through the report page
