"""The token of an invitation's set-password link.

Like a password reset token (Django's PasswordResetTokenGenerator), so it is
bound to the user's password hash and last login: it works once (setting the
password changes the hash) and stops working after a new invitation (which
draws a new unusable password). It expires after INVITATION_DAYS days, not
after PASSWORD_RESET_TIMEOUT, and a reset token does not open it (another
salt)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int

DEFAULT_INVITATION_DAYS = 7


def invitation_days() -> int:
    return int(getattr(settings, "INVITATION_DAYS", DEFAULT_INVITATION_DAYS))


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "agencies.tokens.InvitationTokenGenerator"

    @property
    def timeout(self) -> int:
        """Seconds a link lives; read on each check, so a changed setting applies at once."""
        return invitation_days() * 24 * 3600

    def check_token(self, user, token) -> bool:
        # Django's own check compares with PASSWORD_RESET_TIMEOUT; the same
        # steps with the invitation's timeout.
        if not (user and token):
            return False
        try:
            ts_b36, _ = token.split("-")
            ts = base36_to_int(ts_b36)
        except ValueError:
            return False
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, ts, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        ):
            return False
        return (self._num_seconds(self._now()) - ts) <= self.timeout


invitation_token_generator = InvitationTokenGenerator()
