"""When push cannot deliver an urgent alert: the decision, on the real database, step by step.

The worker-driven version is in test_integration.py; here the outbox rows are settled by hand
so each state in between can be checked.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from notify.models import Device, Message
from notify.services import alert_delivery_check
from tests.conftest import client_for
from tests.factories import PatientFactory
from triage.models import Alert

# Entries are built relative to the clock and read by local day: start at noon.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("midday")]


def _urgent_alert_with_two_devices(**patient):
    patient = PatientFactory(alert_channels=["push"], **patient)
    for n in range(2):
        Device.objects.create(patient=patient, kind="fcm", address=f"token-{n}")
    response = client_for(patient.user).post(
        "/api/v1/logs/",
        {
            "recorded_at": timezone.now().isoformat(),
            "site": "ankle_outer",
            "side": "right",
            "severity": 4,
            "fever": True,
        },
    )
    assert response.json()["triage"]["level"] == "consult_24h"
    alert = Alert.objects.get(patient=patient)
    rows = Message.objects.filter(subject_ref=alert.notice_ref, kind="alert")
    assert sorted(rows.values_list("channel", flat=True)) == ["fcm", "fcm"]
    assert alert.patient_reach == "pending"
    return patient, alert, rows


def _settle(row: Message, status: str, error: str = "") -> None:
    Message.objects.filter(pk=row.pk).update(status=status, last_error=error)


def test_no_fallback_while_any_push_is_still_on_its_way():
    patient, alert, rows = _urgent_alert_with_two_devices()
    first, second = rows.order_by("pk")
    _settle(first, "failed", "token not registered")
    alert_delivery_check(notice_ref=alert.notice_ref, now=timezone.now())
    assert not Message.objects.filter(patient=patient, channel="email").exists()
    alert.refresh_from_db()
    assert alert.patient_reach == "pending"

    _settle(second, "failed", "token not registered")
    for _ in range(2):  # two workers finishing at once both check: still one email
        alert_delivery_check(notice_ref=alert.notice_ref, now=timezone.now())
    [email] = Message.objects.filter(patient=patient, channel="email")
    assert email.kind == "alert" and email.subject_ref == alert.notice_ref
    # The email says what to do (the push rows carried neutral lock-screen text).
    assert email.subject == "Please see a doctor within 24 hours"
    assert "See a doctor within 24 hours." in email.body
    alert.refresh_from_db()
    assert alert.patient_reach == "pending"
    assert "Push failed on every device" in alert.reach_note
    assert "Android push: token not registered" in alert.reach_note

    _settle(email, "sent")
    alert_delivery_check(notice_ref=alert.notice_ref, now=timezone.now())
    alert.refresh_from_db()
    assert alert.patient_reach == "reached_by_email"


def test_one_push_delivered_is_reached_without_email():
    patient, alert, rows = _urgent_alert_with_two_devices()
    first, second = rows.order_by("pk")
    _settle(first, "failed", "token not registered")
    _settle(second, "sent")
    alert_delivery_check(notice_ref=alert.notice_ref, now=timezone.now())
    alert.refresh_from_db()
    assert alert.patient_reach == "reached"
    assert alert.reach_note == "Delivered by Android push."
    assert not Message.objects.filter(patient=patient, channel="email").exists()


def _no_channel_left():
    """Every push failed for good and the address is not verified."""
    patient, alert, rows = _urgent_alert_with_two_devices()
    patient.user.email_verified_at = None
    patient.user.save()
    for row in rows:
        _settle(row, "failed", "token not registered")
    alert_delivery_check(notice_ref=alert.notice_ref, now=timezone.now())
    return patient, alert


def test_unverified_address_means_not_reached_and_no_email():
    patient, alert = _no_channel_left()
    assert not Message.objects.filter(patient=patient, channel="email").exists()
    alert.refresh_from_db()
    assert alert.patient_reach == "not_reached"
    assert "email: no usable address" in alert.reach_note


def test_the_clinician_queue_shows_a_patient_not_reached(client):
    from django.contrib.auth.models import Group

    from accounts.models import CLINICIANS_GROUP
    from tests.factories import UserFactory

    patient, _ = _no_channel_left()
    doctor = UserFactory(is_staff=True, email="dr.reach@clinic.test")
    doctor.groups.add(Group.objects.get_or_create(name=CLINICIANS_GROUP)[0])
    patient.clinicians.add(doctor)
    client.force_login(doctor)
    page = client.get("/admin/triage/alert/").content.decode()
    assert "Patient told" in page and "Not reached" in page


def test_the_outbox_sweep_runs_a_check_lost_with_a_dead_worker():
    """Every push failed for good, but the worker died before its delivery check ran."""
    from notify.tasks import sweep_outbox

    patient, alert, rows = _urgent_alert_with_two_devices()
    first, second = rows.order_by("pk")
    _settle(first, "failed", "token not registered")
    sweep_outbox()  # the second push is still on its way: nothing to decide yet
    assert not Message.objects.filter(patient=patient, channel="email").exists()

    _settle(second, "failed", "token not registered")  # and no check runs after it
    for _ in range(2):
        sweep_outbox()
    [email] = Message.objects.filter(patient=patient, channel="email")
    assert email.subject == "Please see a doctor within 24 hours"
    alert.refresh_from_db()
    assert alert.patient_reach == "pending"  # until the email itself settles

    _settle(email, "sent")
    sweep_outbox()
    alert.refresh_from_db()
    assert alert.patient_reach == "reached_by_email"
    sweep_outbox()  # settled alerts are no longer looked at
    assert Message.objects.filter(patient=patient, channel="email").count() == 1
