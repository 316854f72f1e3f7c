"""Thin, idempotent tasks for the cross-app use cases; the schedule is in config/celery.py.

The retention task keeps its name (``accounts.purge_retention``) from when it lived in accounts,
so a beat schedule or a queued message from before the move still finds it."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from api import accounts


@shared_task(
    name="accounts.purge_retention",
    acks_late=True,
    ignore_result=True,
    time_limit=1800,
    soft_time_limit=1700,
)
def purge_retention() -> dict[str, int]:
    return accounts.retention_purge(now=timezone.now())
