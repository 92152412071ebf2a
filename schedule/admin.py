from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.html import format_html_join

from agencies.models import Agency

from .models import DueRule, PlanDeadline, ReportingChain, ReportingPeriod, ReportingRule
from .services import due_snapshot, open_periods, rule_apply


@admin.register(ReportingRule)
class ReportingRuleAdmin(admin.ModelAdmin):
    list_display = ["kind", "label", "end_months", "length_months", "cutoff_day", "due_day", "is_active"]
    list_editable = ["is_active"]


# LevelDeadline is no longer edited here: the central rule set was seeded
# from it and holds those working days; the table only backs the fallback.


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(admin.ModelAdmin):
    list_display = ["label", "start", "end", "due"]
    list_filter = ["rule", "year"]


class DueRuleFormSet(BaseInlineFormSet):
    """Checks the rows together, as they will be saved: editing the commune
    and the district at once must not be refused on the half-saved state."""

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        kept, changed = [], []
        for form in self.forms:
            if not getattr(form, "cleaned_data", None) or form.cleaned_data.get("DELETE"):
                continue
            kept.append(form.instance)
            if form.has_changed() or not form.instance.pk:
                changed.append(form.instance)
        errors = self.instance.rules_errors(rules=kept, changed=changed) if changed else []
        if errors:
            raise ValidationError(errors)


class DueRuleInline(admin.TabularInline):
    model = DueRule
    formset = DueRuleFormSet
    extra = 1
    fields = ["period_rule", "agency_kind", "cutoff_day", "mode", "due_day", "working_days"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        form_clean = formset.form.clean

        def clean(form):
            data = form_clean(form)
            form.instance.checked_with_siblings = True  # the formset checks the set as a whole
            return data

        formset.form = type(formset.form.__name__, (formset.form,), {"clean": clean})
        return formset


class PlanDeadlineInline(admin.TabularInline):
    model = PlanDeadline
    extra = 0


@admin.register(ReportingChain)
class ReportingChainAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "is_active"]
    list_filter = ["is_active"]
    autocomplete_fields = ["owner"]
    search_fields = ["name", "owner__name"]
    inlines = [DueRuleInline, PlanDeadlineInline]
    readonly_fields = ["open_dates"]
    fields = ["name", "owner", "basis", "is_active", "open_dates"]

    @admin.display(description="hạn của các kỳ đang mở")
    def open_dates(self, obj):
        """What the set gives now in open periods; a saved edit applies to
        these only (closed periods keep their dates)."""
        if obj is None or obj.pk is None:
            return "—"
        rows = sorted(due_snapshot(chain=obj).items(), key=lambda item: (item[1][0].end, item[0][1]))
        return format_html_join(
            "", "<div>{} – {}: {}</div>",
            ((period.label, Agency.Kind(kind).label, f"{due:%d/%m/%Y}") for (_, kind), (period, due) in rows),
        ) or "Không có kỳ nào đang mở."

    def save_related(self, request, form, formsets, change):
        chain = form.instance
        before = due_snapshot(chain=chain) if change else {}
        super().save_related(request, form, formsets, change)
        changes = rule_apply(chain=chain, before=before)
        if changes:
            messages.info(request, format_html_join(
                "", "<div>{}</div>",
                [("Đã áp dụng cho các kỳ đang mở (kỳ đã quá hạn giữ nguyên ngày):",)]
                + [(str(c),) for c in changes],
            ))
        elif open_periods().exists():
            messages.info(request, "Hạn của các kỳ đang mở không thay đổi.")
