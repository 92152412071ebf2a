from celery import shared_task


@shared_task
def worker_ping(token: str) -> str:
    """Round trip through the broker, used by `manage.py check_services --worker`
    and the worker integration test."""
    from agencies.models import Agency

    return f"{token}:{Agency.objects.count()}"
