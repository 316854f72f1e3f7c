"""Security review item 9: what a push shows on a lock screen, decrypted by the push stub."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from notify.services import reminders_enqueue_due
from tests.accounts.mail import deliver_outbox
from tests.conftest import client_for
from tests.factories import PatientFactory

# Entries are built relative to the clock and read by local day: start at noon.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("midday")]


def _patient_with_push(push_service, **extra):
    patient = PatientFactory(alert_channels=["push"], reminder_channels=["push"], **extra)
    api = client_for(patient.user)
    registered = api.post(
        "/api/v1/devices/", {"kind": "webpush", "subscription": push_service.subscribe()}
    )
    assert registered.status_code == 201
    return patient, api


def _emergency(api) -> None:
    at = timezone.now() - timedelta(minutes=2)
    entry = {
        "recorded_at": at.isoformat(),
        "site": "calf",
        "side": "left",
        "severity": 8,
        "swelling": "severe",
        "redness_or_warmth": True,
        "can_bear_weight": False,
        "sudden_onset": True,
        "heard_pop": True,
    }
    assert api.post("/api/v1/logs/", entry).status_code == 201


WORDS = ("doctor", "medical", "help", "foot", "ankle", "pain", "emergency", "hurt")


def test_alert_and_reminder_pushes_are_neutral_by_default(push_service):
    patient, api = _patient_with_push(push_service)
    patient.next_reminder_at = timezone.now() - timedelta(seconds=1)
    patient.save()
    reminders_enqueue_due(now=timezone.now())  # before the entry: nothing logged today yet
    _emergency(api)
    deliver_outbox()
    shown = [d.json() for d in push_service.wait_for(2)]
    assert {p["title"] for p in shown} == {"Your journal"}
    for push in shown:
        text = f"{push['title']} {push['body']}".lower()
        assert not any(word in text for word in WORDS), push
    assert {p["data"]["kind"] for p in shown} == {"alert", "reminder"}  # the app still knows


def test_a_patient_can_choose_detail_on_the_lock_screen(push_service):
    _, api = _patient_with_push(push_service)
    assert api.patch("/api/v1/me/", {"lock_screen_detail": True}).json()["lock_screen_detail"]
    _emergency(api)
    deliver_outbox()
    push = push_service.wait_for(1)[0].json()
    assert push["title"] == "Please see a doctor within 24 hours"
