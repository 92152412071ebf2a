"""Cached scopes (agencies/scope.py) forgotten when what they hold changes:
a membership saved or deleted (admin, a user or unit deleted with its
memberships), or a unit whose parent or Nội vụ mark a held role depends on.
Bulk writes, which send no signal, call scope_forget themselves."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from .models import Agency, Membership
from .scope import scope_forget

# What a cached scope holds of a unit (UserScope.roles).
_SCOPE_FIELDS = {"parent", "parent_id", "is_home_affairs"}


@receiver(pre_save, sender=Membership)
def _membership_moving(sender, instance: Membership, **kwargs) -> None:
    # A membership handed to another user: the previous holder loses it.
    if instance.pk is not None:
        previous = Membership.objects.filter(pk=instance.pk).values_list("user_id", flat=True).first()
        if previous is not None and previous != instance.user_id:
            scope_forget(user_ids=[previous])


@receiver(post_save, sender=Membership)
@receiver(post_delete, sender=Membership)
def _membership_changed(sender, instance: Membership, **kwargs) -> None:
    scope_forget(user_ids=[instance.user_id])


@receiver(post_save, sender=Agency)
def _agency_changed(sender, instance: Agency, created: bool, update_fields=None, **kwargs) -> None:
    if created or (update_fields is not None and not _SCOPE_FIELDS.intersection(update_fields)):
        return
    scope_forget(user_ids=Membership.objects.filter(agency_id=instance.pk).values_list("user_id", flat=True))
