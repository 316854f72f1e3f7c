"""Security review item 5: a capped number of devices, and no taking over someone's device."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from notify.models import Device, Message
from tests.conftest import client_for
from tests.factories import PatientFactory
from tests.notify.test_devices import subscription

# Entries are built relative to the clock and read by local day: start at noon.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("midday")]

URL = "/api/v1/devices/"


def _entry() -> dict:
    at = timezone.now() - timedelta(minutes=2)
    return {"recorded_at": at.isoformat(), "site": "ankle_outer", "side": "right", "severity": 9}


def test_three_hundred_devices_do_not_make_three_hundred_messages(settings):
    attacker = PatientFactory(alert_channels=["push"])
    api = client_for(attacker.user)
    for n in range(300):
        response = api.post(URL, {"kind": "fcm", "registration_id": f"token-{n}"})
        assert response.status_code == 201
    active = Device.objects.filter(patient=attacker, active=True)
    assert active.count() == settings.DEVICE_LIMIT_PER_PATIENT == 10
    # The newest stay; the oldest were retired.
    assert set(active.values_list("address", flat=True)) == {f"token-{n}" for n in range(290, 300)}
    assert api.post("/api/v1/logs/", _entry()).status_code == 201
    assert Message.objects.filter(patient=attacker, channel="fcm").count() == 10


def test_re_registering_an_old_device_makes_it_active_and_retires_another():
    patient = PatientFactory()
    api = client_for(patient.user)
    for n in range(11):
        api.post(URL, {"kind": "apns", "registration_id": f"t{n}"})
    assert not Device.objects.get(address="t0").active
    assert api.post(URL, {"kind": "apns", "registration_id": "t0"}).status_code == 200
    assert Device.objects.get(address="t0").active
    assert not Device.objects.get(address="t1").active
    assert Device.objects.filter(active=True).count() == 10


@pytest.mark.parametrize("kind", ["fcm", "apns", "webpush"])
def test_knowing_someones_token_does_not_move_their_device(kind):
    victim, attacker = PatientFactory(), PatientFactory()
    payload = (
        {"kind": kind, "subscription": subscription()}
        if kind == "webpush"
        else {"kind": kind, "registration_id": "victims-phone"}
    )
    assert client_for(victim.user).post(URL, payload).status_code == 201
    stolen = client_for(attacker.user).post(URL, payload)
    assert stolen.status_code == 400
    assert ("subscription" if kind == "webpush" else "registration_id") in stolen.json()
    device = Device.objects.get()
    assert device.patient == victim and device.active
    # Also when the victim's device is currently inactive.
    Device.objects.update(active=False)
    assert client_for(attacker.user).post(URL, payload).status_code == 400
    assert Device.objects.get().patient == victim
