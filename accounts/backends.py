"""The password login, forgiving capitals in the user name: imported users
log in with their e-mail address, kept in lower case (agencies/onboarding.py),
and people type it as it is printed on their business card. The signed-in
user of each request comes from the shared cache (common/user_cache.py)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from common.user_cache import user_cached


class CaseInsensitiveModelBackend(ModelBackend):
    """Django's ModelBackend, but a user name that matches no account exactly
    is looked up ignoring case, and taken when exactly one account has it (an
    account whose name differs only by case from another keeps needing the
    exact spelling)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username:
            users = get_user_model().objects
            if not users.filter(username=username).exists():
                names = list(users.filter(username__iexact=username).values_list("username", flat=True)[:2])
                if len(names) == 1:
                    username = names[0]
        return super().authenticate(request, username=username, password=password, **kwargs)

    def get_user(self, user_id):
        """request.user of every page: the cached row, checked as Django
        checks the row it reads (is_active here, the session's password hash
        in django.contrib.auth.get_user)."""
        user = user_cached(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
