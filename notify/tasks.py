"""Thin, idempotent tasks that take ids; due times live in the database."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from notify import services

# No task here retries itself with a countdown. A retry with a countdown is a message the
# worker holds unacknowledged until its time comes, and a worker holding one when Redis goes
# away exits (celery/kombu 5.7.0: on the lost connection the consumer closes its channel, whose
# QoS then restores the held message through a connection pool rebuilt from connection info
# kombu has already dropped: AttributeError in kombu.transport.redis.Channel._connparams,
# "Unrecoverable error"). A database error fails the task instead, and the outbox row waits
# for the every-minute sweep: pending rows are re-published, a row claimed before the error
# after NOTIFY_CLAIM_TIMEOUT_SECONDS, as after a channel failure or a dead worker.


@shared_task(
    name="notify.deliver_message",
    acks_late=True,
    ignore_result=True,
    time_limit=60,
    soft_time_limit=45,
)
def deliver_message(message_id: str) -> str:
    return services.message_deliver(message_id=message_id)


@shared_task(
    name="notify.deliver_messages",
    acks_late=True,
    ignore_result=True,
    time_limit=600,
    soft_time_limit=570,
)
def deliver_messages(message_ids: list[str]) -> list[str]:
    """A batch from one large enqueue (services.publish); each row is claimed on its own."""
    return [services.message_deliver(message_id=message_id) for message_id in message_ids]


@shared_task(
    name="notify.sweep_outbox",
    acks_late=True,
    ignore_result=True,
    time_limit=60,
    soft_time_limit=50,
)
def sweep_outbox() -> int:
    """Every minute: whatever is due, waiting for a retry, or stuck with a dead worker.

    This is what makes a message created while the broker was down go out once it is back,
    and an urgent alert whose fallback check was lost with a worker still fall back to email.
    """
    now = timezone.now()
    ids = services.messages_due(now=now)
    services.publish(ids)
    services.alert_reach_sweep(now=now)
    return len(ids)


@shared_task(
    name="notify.send_due_reminders",
    acks_late=True,
    ignore_result=True,
    time_limit=300,
    soft_time_limit=270,
)
def send_due_reminders() -> int:
    return services.reminders_enqueue_due(now=timezone.now())
