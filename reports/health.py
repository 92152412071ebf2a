"""The reminders' health for the health endpoint and `check_services`
(registered with common.health in reports/apps.py): the last finished sweep
and its age, the mail backlog (unsent notices that still matter) and the age
of the oldest. Not ok when the last sweep is older than SWEEP_MAX_AGE (the
daily one was missed and the catch-up did not run) or the oldest unsent
notice is older than REMINDER_BACKLOG_ALERT_MINUTES (mail is not going out)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

from .models import SweepRun
from .services.notices import notices_unsent

SWEEP_MAX_AGE = dt.timedelta(hours=26)


def _age(delta: dt.timedelta) -> str:
    """"3 ngày 2 giờ", "5 giờ 10 phút", "12 phút"."""
    minutes = int(delta.total_seconds() // 60)
    days, hours, mins = minutes // 1440, minutes % 1440 // 60, minutes % 60
    if days:
        return f"{days} ngày {hours} giờ"
    return f"{hours} giờ {mins} phút" if hours else f"{mins} phút"


def mail_backlog() -> dict:
    """{"count", "oldest_at"}: the unsent notices that still matter (two aggregates, one query)."""
    return notices_unsent().aggregate(count=models.Count("pk"), oldest_at=models.Min("created_at"))


def reminders_health(now: dt.datetime | None = None, backlog: dict | None = None) -> tuple[bool, str, dict]:
    """`backlog`: mail_backlog() when the caller has it already (the Notice admin shows it too)."""
    now = now or timezone.now()
    last = SweepRun.objects.filter(finished_at__isnull=False).order_by("-finished_at").first()
    backlog = backlog if backlog is not None else mail_backlog()
    alert = dt.timedelta(minutes=settings.REMINDER_BACKLOG_ALERT_MINUTES)
    data: dict = {
        "last_sweep_at": last.finished_at.isoformat() if last and last.finished_at else None,
        "last_sweep_age_seconds": int((now - last.finished_at).total_seconds()) if last and last.finished_at else None,
        "backlog": backlog["count"],
        "oldest_unsent_at": backlog["oldest_at"].isoformat() if backlog["oldest_at"] else None,
        "oldest_unsent_age_seconds": int((now - backlog["oldest_at"]).total_seconds()) if backlog["oldest_at"]
        else None,
    }
    problems, parts = [], []
    if last is None or last.finished_at is None:
        problems.append("chưa có lượt quét nhắc hạn nào hoàn tất")
    else:
        at = timezone.localtime(last.finished_at)
        parts.append(f"lượt quét gần nhất xong lúc {at:%H:%M %d/%m/%Y} (cách đây {_age(now - last.finished_at)})")
        if now - last.finished_at > SWEEP_MAX_AGE:
            problems.append(f"đã quá {SWEEP_MAX_AGE.total_seconds() / 3600:.0f} giờ không có lượt quét nào hoàn tất")
    if backlog["count"]:
        oldest = now - backlog["oldest_at"]
        parts.append(f"{backlog['count']} e-mail chưa gửi, cũ nhất {_age(oldest)}")
        if oldest > alert:
            problems.append(f"có e-mail chưa gửi quá {_age(alert)} (máy chủ thư hoặc worker có vấn đề?)")
    else:
        parts.append("không còn e-mail nào chưa gửi")
    message = "Nhắc hạn: " + "; ".join(problems + parts)
    return not problems, message, data
