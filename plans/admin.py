from django.contrib import admin

from .models import (
    Area,
    BasisReference,
    Channel,
    Clause,
    Counter,
    Heading,
    Plan,
    PlanImport,
    PlanSignedCopy,
    Responsibility,
    Task,
)


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "position", "is_active"]
    list_editable = ["position", "is_active"]
    search_fields = ["name", "code"]


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "position", "is_active"]
    list_editable = ["position", "is_active"]
    search_fields = ["name", "code"]


@admin.register(Counter)
class CounterAdmin(admin.ModelAdmin):
    """Counters are edited through this form, never as JSON: a renamed label
    leaves the figures of filed reports under the label they were filed with."""

    list_display = ["label", "unit", "kind", "code", "max_value", "position", "is_active"]
    list_editable = ["position", "is_active"]
    list_filter = ["kind", "is_active", "channels"]
    search_fields = ["label", "code"]
    filter_horizontal = ["channels"]


class BasisReferenceInline(admin.TabularInline):
    model = BasisReference
    fk_name = "plan"
    extra = 0
    autocomplete_fields = ["linked_plan"]


class HeadingInline(admin.TabularInline):
    model = Heading
    extra = 0
    fields = ["position", "parent", "marker_text", "text", "role"]


class ResponsibilityInline(admin.TabularInline):
    model = Responsibility
    extra = 0
    autocomplete_fields = ["agency"]


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["__str__", "issuer", "year_start", "year_end", "status", "published", "version"]
    list_filter = ["status", "published", "kind", "year_start"]
    search_fields = ["title", "issuer__name", "symbol"]
    autocomplete_fields = ["issuer", "amends"]
    inlines = [BasisReferenceInline, HeadingInline, ResponsibilityInline]


@admin.register(Clause)
class ClauseAdmin(admin.ModelAdmin):
    list_display = ["__str__", "plan", "section", "marker", "position"]
    list_filter = ["section"]
    search_fields = ["text"]
    raw_id_fields = ["plan", "parent", "responsibility"]


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["__str__", "plan", "lead_agency", "deadline", "budget"]
    search_fields = ["content"]
    raw_id_fields = ["plan"]
    autocomplete_fields = ["lead_agency", "coordinating_agencies"]


@admin.register(PlanImport)
class PlanImportAdmin(admin.ModelAdmin):
    """Read-only: what was brought in, by whom, and the draft it became."""

    list_display = ["__str__", "issuer", "created_by", "created_at", "plan"]
    readonly_fields = [f.name for f in PlanImport._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PlanSignedCopy)
class PlanSignedCopyAdmin(admin.ModelAdmin):
    """Read-only: a signed copy is put on a plan from its page, after it verifies."""

    list_display = ["plan", "source", "signer_organisation", "signer_name", "signed_at", "verified_ok", "verified_at"]
    list_filter = ["source", "verified_ok"]
    search_fields = ["plan__title", "signer_name", "signer_organisation", "certificate_serial", "sha256"]
    list_select_related = ["plan", "plan__issuer"]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
