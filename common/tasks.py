"""A task with no business in it: proof that broker and worker answer."""

from celery import shared_task


@shared_task(ignore_result=False)
def worker_ping(token: str) -> str:
    """A round trip through broker and worker: `manage.py check_services
    --worker` and the worker integration test send it and wait for the echo."""
    return f"pong:{token}"
