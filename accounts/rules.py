"""Who may manage two-factor devices: system administrators, for themselves only
(the views take the acting user's own device, never one named by the request).
Registered with agencies.permissions.can() when the app is ready."""

from __future__ import annotations

from typing import Any

from agencies.permissions import Access, register

OTP_MANAGE = "account.otp_manage"


def _otp_rule(access: Access, action: str, obj: Any) -> bool:
    return access.is_admin


register(OTP_MANAGE, rule=_otp_rule)
