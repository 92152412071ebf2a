"""The invitation's set-password page: Django's password reset confirmation
with the invitation's token (agencies/tokens.py), its own URL and page."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy

from .tokens import invitation_token_generator


class ActivateView(auth_views.PasswordResetConfirmView):
    token_generator = invitation_token_generator
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
