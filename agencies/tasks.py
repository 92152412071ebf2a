"""Celery entry points of the agencies app: thin, taking ids; the work is in
agencies/onboarding.py."""

from celery import shared_task

from .onboarding import users_invite

RETRIES = 6


@shared_task(bind=True, ignore_result=True, max_retries=RETRIES)
def users_invite_task(self, user_ids: list[int]) -> None:
    """Send the invitations; those whose mail failed are retried with backoff
    (1, 2, 4 … minutes). After the last retry they stay unsent and an admin
    sends them again with the «Gửi lại thư mời» action."""
    failed = users_invite(user_ids)
    if failed:
        raise self.retry(args=[failed], countdown=60 * 2**self.request.retries)
