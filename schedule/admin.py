from django.contrib import admin

from .models import LevelDeadline, ReportingPeriod, ReportingRule


@admin.register(ReportingRule)
class ReportingRuleAdmin(admin.ModelAdmin):
    list_display = ["kind", "label", "end_months", "length_months", "cutoff_day", "due_day", "is_active"]
    list_editable = ["is_active"]


@admin.register(LevelDeadline)
class LevelDeadlineAdmin(admin.ModelAdmin):
    list_display = ["agency_kind", "working_days"]
    list_editable = ["working_days"]


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(admin.ModelAdmin):
    list_display = ["label", "start", "end", "due"]
    list_filter = ["rule", "year"]
