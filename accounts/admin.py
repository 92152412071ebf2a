from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html_join

from agencies.models import Agency, Membership

from .api_tokens import TOKEN_ROLES, api_token_issue, api_token_revoke
from .models import ApiToken, AuditEvent

# Where the admin keeps a just-issued key between the POST and its one showing.
ISSUED_SESSION_KEY = "api_token_issued"


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read only: the log is written by the portal, never by hand."""

    list_display = ["created_at", "action", "username", "object_repr", "api_token", "ip_address", "user_agent"]
    list_filter = ["action", "created_at", ("user", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["username", "ip_address", "api_token__key_prefix"]
    date_hierarchy = "created_at"
    list_select_related = ["user", "api_token"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ApiTokenIssueForm(forms.Form):
    name = forms.CharField(label="Tên khóa", max_length=120,
                           help_text="Hệ thống sẽ dùng khóa, ví dụ: Hệ thống quản lý văn bản của tỉnh.")
    agency = forms.ModelChoiceField(label="Đơn vị", queryset=Agency.objects.filter(is_active=True))
    roles = forms.MultipleChoiceField(
        label="Vai trò tại đơn vị", widget=forms.CheckboxSelectMultiple,
        choices=[(role.value, role.label) for role in TOKEN_ROLES],
        help_text="Khóa được làm đúng những việc một người có các vai trò này tại đơn vị được làm.",
    )

    def __init__(self, *args, admin_site, **kwargs):
        super().__init__(*args, **kwargs)
        # A country has thousands of units: searched as in the membership page, never one huge list.
        field: forms.ModelChoiceField = self.fields["agency"]  # type: ignore[assignment]
        field.widget = AutocompleteSelect(ApiToken._meta.get_field("agency"), admin_site)
        field.widget.choices = field.choices


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens of system accounts: issued here (the key is shown once, on the
    page the issue redirects to), revoked by the action; never edited."""

    list_display = ["key_prefix", "name", "agency", "roles", "created_at", "created_by", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), "created_at"]
    search_fields = ["name", "key_prefix", "agency__name", "agency__code"]
    list_select_related = ["agency", "created_by", "user"]
    readonly_fields = ("name", "key_prefix", "agency", "user", "roles", "created_by", "created_at", "last_used_at",
                       "revoked_at")
    fields = readonly_fields
    actions = ["revoke_tokens"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("user__memberships")

    @admin.display(description="vai trò")
    def roles(self, token: ApiToken):
        labels = dict(Membership.Role.choices)
        return ", ".join(sorted(labels[m.role] for m in token.user.memberships.all() if m.agency_id == token.agency_id))

    def has_change_permission(self, request, obj=None):
        return False  # seen read-only; the action revokes

    def has_delete_permission(self, request, obj=None):
        return False  # the log keeps naming the token

    def has_revoke_permission(self, request) -> bool:
        return super().has_change_permission(request)

    @admin.action(description="Thu hồi các khóa API đã chọn (ngừng hoạt động ngay)", permissions=["revoke"])
    def revoke_tokens(self, request, queryset):
        count = 0
        for token in queryset.filter(revoked_at__isnull=True):
            api_token_revoke(token=token)
            count += 1
        messages.success(request, f"Đã thu hồi {count} khóa API; hệ thống dùng chúng bị từ chối từ lần gọi tiếp theo.")

    def get_urls(self):
        issued = path("issued/", self.admin_site.admin_view(self.issued_view), name="accounts_apitoken_issued")
        return [issued, *super().get_urls()]

    def issued_view(self, request):
        """The key just issued, popped from the session: shown once; a reload
        says so and shows no key."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        issued = request.session.pop(ISSUED_SESSION_KEY, None) or {}
        token_id = int(issued.get("token") or 0)
        token = ApiToken.objects.select_related("agency", "user").filter(pk=token_id).first() if token_id else None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Khóa API vừa cấp",
            "changelist_url": reverse("admin:accounts_apitoken_changelist"),
        }
        if issued and token:
            labels = dict(Membership.Role.choices)
            roles = sorted({m.role for m in token.user.memberships.all() if m.agency_id == token.agency_id})
            context |= {"token": token, "key": issued["key"],
                        "role_list": format_html_join(", ", "{}", ((labels[r],) for r in roles))}
        response = TemplateResponse(request, "admin/accounts/apitoken/issued.html", context)
        response["Cache-Control"] = "no-store"
        return response

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ApiTokenIssueForm(request.POST or None, admin_site=self.admin_site)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Cấp khóa API cho hệ thống khác",
            "form": form,
            "media": self.media + form.media,
            "changelist_url": reverse("admin:accounts_apitoken_changelist"),
        }
        if request.method == "POST" and form.is_valid():
            try:
                token, key = api_token_issue(
                    name=form.cleaned_data["name"], agency=form.cleaned_data["agency"],
                    roles=form.cleaned_data["roles"], created_by=request.user,
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                # Post/Redirect/Get: the plain key waits in the session for one
                # showing; a reload of the page it is shown on issues nothing.
                request.session[ISSUED_SESSION_KEY] = {"token": token.pk, "key": key}
                return HttpResponseRedirect(reverse("admin:accounts_apitoken_issued"))
        return TemplateResponse(request, "admin/accounts/apitoken/issue.html", context)
