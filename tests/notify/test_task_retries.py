"""No task retries itself with a countdown: a database error leaves the outbox row to the
sweep (notify/tasks.py says why: a worker holding a countdown task exits when Redis goes)."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.utils import timezone

from config.celery import app
from notify import services
from notify.models import Message
from notify.tasks import deliver_message, deliver_messages

pytestmark = pytest.mark.django_db


def test_no_task_of_ours_retries_itself_with_a_countdown():
    ours = {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}
    assert ours, "the project's tasks are registered"
    assert {name for name, task in ours.items() if getattr(task, "autoretry_for", ())} == set()


@pytest.mark.parametrize("task", [deliver_message, deliver_messages])
def test_a_database_error_fails_the_delivery_and_the_sweep_picks_the_row_up(
    patient, monkeypatch, task
):
    message = Message.objects.create(
        dedupe_key="db-error",
        kind="reminder",
        channel="email",
        patient=patient,
        subject="s",
        body="b",
        due_at=timezone.now(),
    )

    def lost_database(*, message_id: str) -> str:
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(services, "message_deliver", lost_database)
    argument = str(message.pk) if task is deliver_message else [str(message.pk)]
    result = task.apply(args=[argument])
    assert result.state == "FAILURE"  # not RETRY: nothing waits in the worker
    assert str(message.pk) in services.messages_due(now=timezone.now())
