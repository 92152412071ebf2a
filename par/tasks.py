"""Celery tasks of the PAR Index: thin entry points that take ids."""

import logging
from smtplib import SMTPException

from celery import shared_task
from django.db import InterfaceError, OperationalError

logger = logging.getLogger(__name__)

# The database went away midway (restart, dropped connection): try again soon.
DB_ERRORS = (OperationalError, InterfaceError)


@shared_task(autoretry_for=DB_ERRORS, retry_backoff=30, retry_jitter=False, max_retries=3,
             # A pack of a few hundred files and reports takes minutes, past the default limits.
             soft_time_limit=20 * 60, time_limit=21 * 60)
def evidence_pack_task(pack_id: int) -> str:
    """Build a unit's evidence pack (par.pack.pack_build), then e-mail the
    person who asked for it. A mail that cannot go is logged: the pack is
    ready on its page all the same, and is not built again for it."""
    from .models import EvidencePack
    from .pack import pack_build, pack_ready_mail

    status = pack_build(pack_id)
    if status == EvidencePack.Status.READY:
        try:
            pack_ready_mail(pack_id)
        except (SMTPException, OSError):
            logger.warning("Evidence pack %s ready; its e-mail could not be sent", pack_id, exc_info=True)
    return status
