"""After a broker failure, on-commit publishing stands aside for a while (the sweep sends),
so a Redis cut off by the network stalls one request per web process, not every one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from notify import services
from notify.models import Message
from notify.tasks import deliver_message
from tests.conftest import client_for
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker(monkeypatch):
    """deliver_message.delay as a broker that fails while ``down`` is set; calls counted."""
    state = {"down": True, "calls": 0}

    def delay(message_id: str) -> None:
        state["calls"] += 1
        if state["down"]:
            raise ConnectionError("broker timed out")

    monkeypatch.setattr(deliver_message, "delay", delay)
    return state


def _later(seconds: float) -> None:
    """As if ``seconds`` had passed since the remembered failure."""
    services._broker_failed_at -= seconds


def test_after_a_failed_publish_the_next_ones_wait_for_the_sweep_then_resume(broker):
    services._publish_unless_broker_failing(["a"])
    assert broker["calls"] == 1  # tried, failed: the row waits for the sweep

    broker["down"] = False
    _later(services.BROKER_SKIP_SECONDS - 5)
    services._publish_unless_broker_failing(["b"])
    assert broker["calls"] == 1  # not tried again yet

    _later(10)
    services._publish_unless_broker_failing(["c"])
    assert broker["calls"] == 2  # tried again, and it worked
    services._publish_unless_broker_failing(["d"])
    assert broker["calls"] == 3


def test_the_sweep_publishes_even_while_on_commit_publishing_stands_aside(broker):
    services._publish_unless_broker_failing(["a"])
    broker["down"] = False
    assert services.publish(["a", "b"]) is True
    assert broker["calls"] == 3


def test_an_alert_written_meanwhile_is_stored_pending_for_the_sweep(
    broker, django_capture_on_commit_callbacks
):
    services._publish_unless_broker_failing(["earlier"])
    patient = PatientFactory(alert_channels=["email"])
    api = client_for(patient.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/v1/logs/",
            {
                "recorded_at": (timezone.now() - timedelta(minutes=2)).isoformat(),
                "site": "ankle_outer",
                "side": "right",
                "severity": 9,
            },
        )
    assert response.status_code == 201
    assert broker["calls"] == 1  # only the earlier, failed try
    assert Message.objects.get(patient=patient).status == "pending"
