"""Logins, failed logins, logouts and lockouts into the audit log, heard
through Django's auth signals and django-axes' lockout signal; a user's cached
row (common/user_cache.py) forgotten whenever it is saved or deleted."""

from __future__ import annotations

import time

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from common.audit import audit_requested
from common.user_cache import users_forget

from .middleware import SESSION_KEY as IDLE_SESSION_KEY
from .models import AuditEvent
from .services import record_event

Action = AuditEvent.Action


@receiver(user_logged_in, dispatch_uid="accounts_audit_login")
def _logged_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        # The idle clock starts at login, not at the next page.
        request.session[IDLE_SESSION_KEY] = int(time.time())
    record_event(request, Action.LOGIN, user=user)


@receiver(user_login_failed, dispatch_uid="accounts_audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    record_event(request, Action.LOGIN_FAILED, username=str(credentials.get("username", "") or ""))


@receiver(user_logged_out, dispatch_uid="accounts_audit_logout")
def _logged_out(sender, request, user, **kwargs):
    if user is None:
        return  # logging out an anonymous visitor: nothing happened
    expired = getattr(request, "_session_idle_expired", False)
    record_event(request, Action.SESSION_EXPIRED if expired else Action.LOGOUT, user=user)


@receiver(user_locked_out, dispatch_uid="accounts_audit_lockout")
def _locked_out(sender, request, username, ip_address, **kwargs):
    record_event(request, Action.LOCKOUT, username=str(username or ""))


@receiver(audit_requested, dispatch_uid="accounts_audit_requested")
def _requested(sender, request, action, obj=None, **kwargs):
    record_event(request, action, obj)


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="accounts_user_saved")
@receiver(post_delete, sender=settings.AUTH_USER_MODEL, dispatch_uid="accounts_user_deleted")
def _user_changed(sender, instance, created=False, **kwargs):
    users_forget(user_ids=[instance.pk], after_commit=not created)
