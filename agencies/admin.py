from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ERROR_FLAG
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from tree_queries.admin import TreeAdmin

from common.audit import record_event

from .forms import AgencyImportForm, UserImportForm
from .models import Agency, Membership, SigningCertificate, TrustRoot
from .onboarding import UserImportError, sessions_end, users_deactivate, users_import, users_reinvite
from .services import AgencyImportError, agency_export, agency_import
from .signing import (
    MAX_CERTIFICATE_BYTES,
    signing_certificate_check,
    signing_certificate_fill,
    signing_passphrase,
    trust_root_read,
)

TREE_DEPTH_STYLED = 12  # static/css/admin-tree.css indents this many levels; deeper rows stay at the last


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

    class Media:
        css = {"all": ["css/admin-tree.css"]}

    @admin.display(description="Tên đơn vị")
    def indented_title(self, instance, *, ellipsize=True):
        # TreeAdmin's own markup, but the indent is a class (admin-tree.css,
        # 30 px a level) instead of a style attribute, which the
        # Content-Security-Policy refuses.
        depth = instance.tree_depth
        drawing = '<i class="l"></i>' * max(depth - 1, 0) + ('<i class="a"></i>' if depth > 0 else "")
        return format_html(
            '<div class="box"><div class="box-drawing">{}</div><div class="box-text{} tree-depth-{}">{}</div></div>',
            mark_safe(drawing),  # noqa: S308 (fixed markup, no user text)
            " ellipsize" if ellipsize else "",
            min(depth, TREE_DEPTH_STYLED),
            instance,
        )

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
        record_event(request, "export_agencies", f"Danh sách đơn vị ({file_format.upper()})")
        return response


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "agency", "role"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "agency__name"]
    autocomplete_fields = ["user", "agency"]


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    """Django's user admin, plus onboarding: import from CSV/XLSX, resend the
    invitation, deactivate (which ends the user's sessions)."""

    list_display = ["username", "email", "first_name", "is_active", "activated", "is_staff"]
    actions = ["deactivate_users", "resend_invitation"]
    change_list_template = "admin/agencies/user/change_list.html"
    change_form_template = "admin/agencies/user/change_form.html"

    @admin.display(description="Đã đặt mật khẩu", boolean=True)
    def activated(self, user):
        return user.has_usable_password()

    def get_urls(self):
        extra = [
            path("import/", self.admin_site.admin_view(self.import_view), name="agencies_user_import"),
            path(
                "<int:user_id>/deactivate/",
                self.admin_site.admin_view(self.deactivate_view),
                name="agencies_user_deactivate",
            ),
        ]
        return extra + super().get_urls()

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Unticking «Hoạt động» on this page ends the sessions as the action does.
        if change and "is_active" in form.changed_data and not obj.is_active:
            sessions_end([obj.pk])

    @admin.action(description="Khóa tài khoản đã chọn (kết thúc phiên đăng nhập)", permissions=["change"])
    def deactivate_users(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        if request.user.pk in ids:
            messages.warning(request, "Không thể tự khóa tài khoản của chính mình; tài khoản này được bỏ qua.")
        count = users_deactivate(ids, by=request.user)
        messages.success(request, f"Đã khóa {count} tài khoản và kết thúc các phiên đăng nhập của họ.")

    @admin.action(description="Gửi lại thư mời đặt mật khẩu", permissions=["change"])
    def resend_invitation(self, request, queryset):
        invited, skipped = users_reinvite(queryset.values_list("pk", flat=True))
        text = f"Đã gửi lại thư mời cho {invited} tài khoản (liên kết cũ hết hiệu lực)."
        if skipped:
            text += f" Bỏ qua {skipped} tài khoản đã đặt mật khẩu, đã bị khóa hoặc không có thư điện tử."
        messages.success(request, text)

    def deactivate_view(self, request, user_id):
        user = get_object_or_404(User, pk=user_id)
        if not self.has_change_permission(request, user):
            return redirect("admin:auth_user_changelist")
        change_url = reverse("admin:auth_user_change", args=[user.pk])
        if user.pk == request.user.pk:
            messages.error(request, "Không thể tự khóa tài khoản của chính mình.")
            return redirect(change_url)
        if request.method == "POST":
            users_deactivate([user.pk], by=request.user)
            messages.success(request, f"Đã khóa tài khoản {user.get_username()} và kết thúc các phiên đăng nhập.")
            return redirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Khóa tài khoản",
            "target": user,
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/agencies/user/deactivate.html", context)

    def import_view(self, request):
        if not self.has_add_permission(request) or not self.has_change_permission(request):
            return redirect("admin:auth_user_changelist")
        form = UserImportForm(request.POST or None, request.FILES or None)
        errors: list[str] = []
        checked = ""
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            dry_run = "check" in request.POST
            try:
                result = users_import(content=upload.read(), filename=upload.name, dry_run=dry_run)
            except UserImportError as exc:
                errors = exc.errors
            else:
                if dry_run:
                    checked = result.summary()
                else:
                    messages.success(request, result.summary())
                    return redirect("admin:auth_user_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Nhập danh sách người dùng",
            "form": form,
            "errors": errors,
            "checked": checked,
        }
        return TemplateResponse(request, "admin/agencies/user/import.html", context)


# Digital signatures: trust roots and agencies' signing certificates -------------

class TrustRootForm(forms.ModelForm):
    certificate = forms.FileField(label="Tệp chứng thư gốc (PEM hoặc DER: .pem, .crt, .cer, .der)")

    class Meta:
        model = TrustRoot
        fields = ["name", "is_active"]

    def clean_certificate(self):
        upload = self.cleaned_data["certificate"]
        if upload.size > MAX_CERTIFICATE_BYTES:
            raise forms.ValidationError(f"Tệp quá lớn (tối đa {MAX_CERTIFICATE_BYTES // 1024} KB).")
        root = trust_root_read(upload.read())
        if TrustRoot.objects.filter(sha256=root.sha256).exists():
            raise forms.ValidationError("Chứng thư gốc này đã có trong danh sách.")
        self.root = root
        return upload


@admin.register(TrustRoot)
class TrustRootAdmin(admin.ModelAdmin):
    list_display = ["name", "subject_name", "not_before", "not_after", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "subject_name", "sha256"]
    readonly_fields = ["subject_name", "sha256", "not_before", "not_after", "pem", "created_at"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = TrustRootForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def save_model(self, request, obj, form, change):
        root = getattr(form, "root", None)
        if root is not None:
            obj.pem, obj.subject_name, obj.sha256 = root.pem, root.subject_name, root.sha256
            obj.not_before, obj.not_after = root.not_before, root.not_after
            obj.name = obj.name or root.subject_name
        super().save_model(request, obj, form, change)


class SigningCertificateForm(forms.ModelForm):
    upload = forms.FileField(label="Tệp chứng thư số (PKCS#12: .p12, .pfx)", required=False,
                             help_text="Để trống khi sửa: giữ tệp đang dùng.")
    passphrase = forms.CharField(label="Mật khẩu của tệp", required=False, strip=False,
                                 widget=forms.PasswordInput(render_value=False),
                                 help_text="Lưu ở dạng mã hóa, không hiển thị lại. Để trống khi sửa: giữ mật khẩu cũ.")

    class Meta:
        model = SigningCertificate
        fields = ["agency", "organisation", "is_active"]

    def clean(self):
        cleaned = super().clean() or {}
        upload = cleaned.get("upload")
        passphrase = cleaned.get("passphrase") or ""
        existing = self.instance.pk is not None
        if upload is None and not existing:
            self.add_error("upload", "Chọn tệp chứng thư số.")
            return cleaned
        data = None
        if upload is not None:
            if upload.size > MAX_CERTIFICATE_BYTES:
                self.add_error("upload", f"Tệp quá lớn (tối đa {MAX_CERTIFICATE_BYTES // 1024} KB).")
                return cleaned
            data = upload.read()
        self.new_data = data
        self.new_passphrase = passphrase.encode("utf-8") if passphrase else None
        if data is not None and self.new_passphrase is None and existing:
            try:  # a new file under the passphrase kept
                self.new_passphrase = signing_passphrase(self.instance)
            except ValueError:
                self.new_passphrase = None
        if data is None and self.new_passphrase is None:
            return cleaned  # only the organisation or the switch changed
        try:
            if data is not None:
                signing_certificate_check(data, self.new_passphrase)
            else:
                with self.instance.file.open("rb") as stored:
                    signing_certificate_check(stored.read(), self.new_passphrase)
        except ValidationError as error:
            self.add_error("upload" if data is not None else "passphrase", error.messages[0])
        return cleaned


@admin.register(SigningCertificate)
class SigningCertificateAdmin(admin.ModelAdmin):
    form = SigningCertificateForm
    list_display = ["agency", "organisation", "subject_name", "serial", "not_after", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["agency__name", "organisation", "subject_name", "serial"]
    autocomplete_fields = ["agency"]
    readonly_fields = ["subject_name", "serial", "not_before", "not_after", "updated_at", "updated_by"]
    fields = ["agency", "upload", "passphrase", "organisation", "is_active", *readonly_fields]

    def save_model(self, request, obj, form, change):
        data = getattr(form, "new_data", None)
        passphrase = getattr(form, "new_passphrase", None)
        if data is None and passphrase is None and change:
            obj.updated_by = request.user
            obj.save()
            return
        signing_certificate_fill(obj, data=data, passphrase=passphrase, user=request.user)
