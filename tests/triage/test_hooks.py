"""Alerts are announced through the hook notify registers at start-up (triage.hooks)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from journal.services import patient_lock
from notify.models import Message
from notify.services import alerts_announce as notify_announce
from tests.factories import PainLogFactory, PatientFactory
from triage import hooks
from triage.models import Alert
from triage.services import patient_reassess

pytestmark = pytest.mark.django_db


def _red_flag(patient):
    PainLogFactory(
        patient=patient,
        recorded_at=timezone.now() - timedelta(minutes=5),
        fever=True,
        temperature_c=38.6,
        redness_or_warmth=True,
    )


def test_notify_registered_its_announcer_at_start_up():
    assert hooks._announcer is notify_announce


def test_an_alert_opened_by_triage_is_announced_in_the_same_transaction():
    patient = PatientFactory()
    _red_flag(patient)
    with transaction.atomic():
        changes = patient_reassess(patient=patient_lock(patient.pk), now=timezone.now()).changes
        assert changes.opened
        # The outbox row exists before the commit: it commits (or rolls back) with the alert.
        assert Message.objects.filter(patient=patient, kind="alert").exists()


def test_without_an_announcer_triage_refuses_to_open_alerts_silently(monkeypatch):
    monkeypatch.setattr(hooks, "_announcer", None)
    patient = PatientFactory()
    _red_flag(patient)
    with pytest.raises(ImproperlyConfigured, match="announcer"), transaction.atomic():
        patient_reassess(patient=patient_lock(patient.pk), now=timezone.now())
    assert not Alert.objects.filter(patient=patient).exists()  # rolled back with the error
