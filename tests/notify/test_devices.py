import base64
import os

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from notify.models import Device
from tests.conftest import client_for
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/devices/"


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def subscription(endpoint="https://fcm.googleapis.com/fcm/send/abc123"):
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    return {
        "endpoint": endpoint,
        "expirationTime": None,
        "keys": {
            "p256dh": b64url(key.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)),
            "auth": b64url(os.urandom(16)),
        },
    }


def test_register_list_and_delete_a_web_push_device(api, patient):
    response = api.post(URL, {"kind": "webpush", "subscription": subscription(), "name": "Laptop"})
    assert response.status_code == 201, response.json()
    device_id = response.json()["id"]
    assert response.json()["active"] is True
    listed = api.get(URL).json()
    assert [d["id"] for d in listed["results"]] == [device_id]
    assert api.delete(f"{URL}{device_id}/").status_code == 204
    assert not Device.objects.exists()


def test_registering_the_same_token_twice_is_one_device(api, patient):
    first = api.post(URL, {"kind": "fcm", "registration_id": "tok-1"})
    again = api.post(URL, {"kind": "fcm", "registration_id": "tok-1"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert Device.objects.count() == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (
            {"kind": "webpush", "subscription": subscription("https://evil.example.com/x")},
            "subscription",
        ),
        (
            {"kind": "webpush", "subscription": subscription("http://fcm.googleapis.com/x")},
            "subscription",
        ),
        (
            {
                "kind": "webpush",
                "subscription": {**subscription(), "keys": {"p256dh": "AAAA", "auth": "AAAA"}},
            },
            "subscription",
        ),
        ({"kind": "webpush", "registration_id": "x"}, "subscription"),
        ({"kind": "fcm"}, "registration_id"),
        ({"kind": "pager", "registration_id": "x"}, "kind"),
        ({"kind": "fcm", "registration_id": "x", "colour": "red"}, "colour"),
    ],
)
def test_bad_devices_are_400(api, payload, field):
    response = api.post(URL, payload)
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not Device.objects.exists()


def test_another_patients_device_is_404(api):
    other = PatientFactory()
    theirs = client_for(other.user).post(URL, {"kind": "fcm", "registration_id": "t"}).json()
    assert api.get(f"{URL}{theirs['id']}/").status_code == 404
    assert api.delete(f"{URL}{theirs['id']}/").status_code == 404
    assert Device.objects.count() == 1


def test_webpush_key_is_served(api, settings):
    from notify.vapid import generate_vapid_keys

    keys = generate_vapid_keys()
    settings.WEBPUSH_VAPID_PRIVATE_KEY = keys.private_key
    response = api.get(f"{URL}webpush-key/")
    assert response.status_code == 200
    assert response.json() == {"enabled": True, "public_key": keys.public_key}


def test_webpush_key_without_configuration_says_disabled_not_a_server_fault(api, settings):
    settings.WEBPUSH_VAPID_PRIVATE_KEY = ""
    response = api.get(f"{URL}webpush-key/")
    assert response.status_code == 200
    assert response.json() == {"enabled": False, "public_key": None}


def test_a_malformed_webpush_key_is_still_a_server_error(api, settings):
    settings.WEBPUSH_VAPID_PRIVATE_KEY = "not-a-key"
    api.raise_request_exception = False
    assert api.get(f"{URL}webpush-key/").status_code == 500


def test_a_push_queued_for_a_device_removed_since_fails_without_sending(api, patient):
    from django.utils import timezone

    from notify.models import Message
    from notify.services import message_deliver

    device_id = api.post(URL, {"kind": "fcm", "registration_id": "gone-soon"}).json()["id"]
    message = Message.objects.create(
        dedupe_key="k",
        kind="timer",
        channel="fcm",
        patient=patient,
        device_id=device_id,
        subject="s",
        body="b",
        due_at=timezone.now(),
    )
    api.delete(f"{URL}{device_id}/")
    assert message_deliver(message_id=str(message.pk)) == "failed"
    message.refresh_from_db()
    assert message.last_error == "device removed"
