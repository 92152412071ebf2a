"""The invitation's set-password page: Django's password reset confirmation
with the invitation's token (agencies/tokens.py), its own URL and page."""

from django.contrib import messages
from django.contrib.auth import password_validation
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy

from .tokens import invitation_token_generator

# Django's own messages, by code: the Vietnamese catalogue lacks some (the
# plural "too short" one comes out in English).
PASSWORD_MESSAGES = {
    "password_too_short": "Mật khẩu quá ngắn: cần ít nhất %(min_length)d ký tự.",
    "password_too_similar": "Mật khẩu quá giống %(verbose_name)s.",
    "password_too_common": "Mật khẩu này quá phổ biến, dễ bị đoán.",
    "password_entirely_numeric": "Mật khẩu không được chỉ gồm chữ số.",
}


class ActivateForm(SetPasswordForm):
    error_messages = {**SetPasswordForm.error_messages, "password_mismatch": "Hai mật khẩu đã nhập không giống nhau."}

    def validate_password_for_user(self, user, password_field_name="password2"):
        password = self.cleaned_data.get(password_field_name)
        if not password:
            return
        try:
            password_validation.validate_password(password, user)
        except ValidationError as error:
            self.add_error(
                password_field_name,
                [
                    ValidationError(PASSWORD_MESSAGES[e.code], code=e.code, params=e.params)
                    if e.code in PASSWORD_MESSAGES
                    else e
                    for e in error.error_list
                ],
            )


class ActivateView(auth_views.PasswordResetConfirmView):
    token_generator = invitation_token_generator
    form_class = ActivateForm
    template_name = "agencies/activate.html"
    reset_url_token = "dat-mat-khau"
    success_url = reverse_lazy("login")
    title = "Kích hoạt tài khoản"

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        # A deactivated account's invitation opens nothing.
        return user if user is not None and user.is_active else None

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(
            self.request,
            f"Đã đặt mật khẩu. Hãy đăng nhập với tên đăng nhập {form.user.get_username()}.",
        )
        return response
