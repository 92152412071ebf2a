"""Tasks with no business in them: proof that broker, worker and beat answer."""

import socket

from celery import shared_task
from celery.signals import beat_init, worker_ready
from django.core.cache import cache
from django.utils import timezone

# The cache key of the worker's last heartbeat (read by common.health).
HEARTBEAT_KEY = "health:worker-heartbeat"


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


def write_heartbeat(source: str) -> None:
    cache.set(HEARTBEAT_KEY, {"at": timezone.now().isoformat(), "hostname": socket.gethostname(),
                              "source": source}, 24 * 3600)


@shared_task(ignore_result=True)
def worker_heartbeat(source: str = "beat") -> None:
    """Sent by beat every minute (settings: CELERY_BEAT_SCHEDULE) and when it
    starts: its timestamp in the shared cache says beat, broker and a worker all run."""
    write_heartbeat(source)


@worker_ready.connect
def _heartbeat_on_start(**kwargs) -> None:
    """A fresh worker is alive before beat's first minute has passed."""
    try:
        write_heartbeat("worker-start")
    except Exception:  # noqa: S110 - a cache down at start shows on the health endpoint
        pass


@beat_init.connect
def _heartbeat_when_beat_starts(**kwargs) -> None:
    """Beat's first scheduled heartbeat comes a minute after it starts; this one at once."""
    try:
        worker_heartbeat.apply_async(kwargs={"source": "beat-start"}, expires=55)
    except Exception:  # noqa: S110 - a broker down at start shows on the health endpoint
        pass
