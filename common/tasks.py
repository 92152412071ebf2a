"""A task with no business in it: proof that broker and worker answer."""

from celery import shared_task


@shared_task(ignore_result=False)
def worker_ping(token: str) -> str:
    """A round trip through broker and worker: `manage.py check_services
    --worker` and the worker integration test send it and wait for the echo."""
    return f"pong:{token}"


@shared_task
def files_orphans_task(grace_hours: int = 24) -> dict:
    """Weekly (beat): delete stored files no row names, older than the grace
    period; log the rows whose file is missing."""
    import datetime as dt
    import logging

    from .files import files_orphans

    result = files_orphans(delete=True, grace=dt.timedelta(hours=grace_hours))
    if result.missing:
        logging.getLogger(__name__).warning("Rows whose stored file is missing: %s", result.missing)
    return {"deleted": len(result.deleted), "missing": len(result.missing)}
