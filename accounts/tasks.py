"""Thin, idempotent tasks for accounts; the schedule is in config/celery.py."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from accounts import services


@shared_task(
    name="accounts.purge_retention",
    acks_late=True,
    ignore_result=True,
    time_limit=1800,
    soft_time_limit=1700,
)
def purge_retention() -> dict[str, int]:
    return services.retention_purge(now=timezone.now())
