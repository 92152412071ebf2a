from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.template.response import TemplateResponse
from django.utils.html import format_html_join

from agencies.models import Agency

from .forms import DueRuleForm, ReportingChainForm
from .models import DueRule, PlanDeadline, ReportingChain, ReportingPeriod, ReportingRule
from .services import STALE_PREVIEW, due_snapshot, open_periods, rule_apply, rules_preview


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
        self.kept: list[DueRule] = []
        if any(self.errors):
            return
        changed = []
        for form in self.forms:
            if not getattr(form, "cleaned_data", None) or form.cleaned_data.get("DELETE"):
                continue
            self.kept.append(form.instance)
            if form.has_changed() or not form.instance.pk:
                changed.append(form.instance)
        errors = self.instance.rules_errors(rules=self.kept, changed=changed) if changed else []
        if errors:
            raise ValidationError(errors)


class DueRuleInline(admin.TabularInline):
    model = DueRule
    form = DueRuleForm
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


# The preview page carries what was typed as hidden fields; these are its own.
PREVIEW_FIELDS = {"csrfmiddlewaretoken", "_confirm", "_back", "_preview_token"}


@admin.register(ReportingChain)
class ReportingChainAdmin(admin.ModelAdmin):
    """A saved edit that moves deadlines of open periods is first shown
    (rules_preview) and saved only when confirmed with the preview's token:
    save_model waits for save_related, which knows the rule rows; the page
    shown instead of the redirect is the preview. The admin runs the POST in
    one transaction, so the save and its application to open periods go
    together, and nothing is written for a preview."""

    form = ReportingChainForm
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

    def get_readonly_fields(self, request, obj=None):
        # A set speaks for its authority's units: moving it to another agency
        # would be two edits at once; make a new set for the other agency.
        return [*super().get_readonly_fields(request, obj), *(["owner"] if obj else [])]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if request.method == "POST" and "_back" in request.POST:
            return type(form.__name__, (form,), {"editing_again": True})
        return form

    def save_model(self, request, obj, form, change):
        pass  # in save_related, once the rule rows are known

    def save_related(self, request, form, formsets, change):
        chain = form.instance
        rules_formset = next((f for f in formsets if isinstance(f, DueRuleFormSet)), None)
        rules = rules_formset.kept if rules_formset else list(chain.rules.all()) if chain.pk else []
        confirming = "_confirm" in request.POST
        if confirming and chain.pk:  # two confirmations of one set wait for each other
            list(ReportingChain.objects.select_for_update().filter(pk=chain.pk).order_by().values_list("pk"))
        preview = rules_preview(chain=chain, rules=rules)
        stale = confirming and request.POST.get("_preview_token") != preview.token
        if stale:
            messages.error(request, STALE_PREVIEW)
        if stale or preview.rows and not confirming:
            request._rule_preview = preview
            return
        before = due_snapshot(chain=chain)
        super().save_model(request, chain, form, change)
        super().save_related(request, form, formsets, change)
        _say_applied(request, rule_apply(chain=chain, before=before))

    def delete_view(self, request, object_id, extra_context=None):
        chain = self.get_object(request, unquote(object_id))
        if request.method == "GET" and chain is not None and self.has_delete_permission(request, chain):
            chain.is_active = False  # in memory: what open periods get without the set
            extra_context = {**(extra_context or {}), "preview": rules_preview(chain=chain, rules=[])}
        return super().delete_view(request, object_id, extra_context)

    def delete_model(self, request, obj):
        before = due_snapshot(chain=obj)
        super().delete_model(request, obj)
        _say_applied(request, rule_apply(chain=obj, before=before))

    def delete_queryset(self, request, queryset):
        chains = list(queryset.select_related("owner"))
        before = [due_snapshot(chain=chain) for chain in chains]
        super().delete_queryset(request, queryset)
        _say_applied(request, [change for chain, snapshot in zip(chains, before, strict=True)
                               for change in rule_apply(chain=chain, before=snapshot)])

    # While previewing nothing was saved: no change message, no log entry.
    def construct_change_message(self, request, form, formsets, add=False):
        if hasattr(request, "_rule_preview"):
            return []
        return super().construct_change_message(request, form, formsets, add)

    def log_addition(self, request, obj, message):
        if hasattr(request, "_rule_preview"):
            return None
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        if hasattr(request, "_rule_preview"):
            return None
        return super().log_change(request, obj, message)

    def response_add(self, request, obj, post_url_continue=None):
        if hasattr(request, "_rule_preview"):
            return self._preview_page(request, obj)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if hasattr(request, "_rule_preview"):
            return self._preview_page(request, obj)
        return super().response_change(request, obj)

    def _preview_page(self, request, chain):
        preview = request._rule_preview
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Xác nhận thay đổi hạn báo cáo",
            "subtitle": chain.name,
            "chain": chain,
            "original": chain if chain.pk else None,
            "preview": preview,
            "typed": [(name, value) for name, values in request.POST.lists() if name not in PREVIEW_FIELDS
                      for value in values],
        }
        return TemplateResponse(request, "admin/schedule/reportingchain/rule_preview.html", context)


def _say_applied(request, changes) -> None:
    if changes:
        messages.success(request, format_html_join(
            "", "<div>{}</div>",
            [("Đã áp dụng cho các kỳ đang mở (các kỳ đã đóng giữ nguyên hạn):",)] + [(str(c),) for c in changes],
        ))
    else:
        messages.info(request, "Hạn của các kỳ đang mở không thay đổi." if open_periods().exists()
                      else "Không có kỳ báo cáo nào đang mở: không hạn nào thay đổi.")
