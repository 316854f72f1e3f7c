"""Security review item 1: server-side request forgery through Web Push.

An attacker with a fresh account registers a push "device" whose endpoint points inside our
network; a real Celery worker then sends an alert to it. A TCP listener on a loopback
address plays the internal service and records every connection: none may arrive.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest

from notify.channels.webpush import DEFAULT_ALLOWED_HOSTS
from notify.models import DeliveryAttempt, Device, Message
from tests.conftest import client_for
from tests.factories import PatientFactory
from tests.notify.test_channels import _keys
from tests.notify.test_integration import _entry, _wait, broker, worker  # noqa: F401

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

# Our own loopback address (127/8 is all loopback on Linux), on the https port: the
# endpoints below name no port, so the sender connects to 443.
INTERNAL = "127.0.8.1"
REBINDING_NAME = "push.rebind.test"


class Listener:
    """An "internal service": accepts TCP connections and counts them."""

    def __init__(self, host: str, port: int) -> None:
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, port))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.connections: list[tuple[str, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, peer = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.connections.append(peer)
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.sock.close()


@pytest.fixture
def internal_service() -> Iterator[Listener]:
    try:
        listener = Listener(INTERNAL, 443)
    except PermissionError:
        pytest.skip("binding port 443 needs root")
    yield listener
    listener.close()


@pytest.fixture
def rebinding_dns(monkeypatch):
    """A name on the allow-list that resolves to an internal address, as a hostile or
    misconfigured DNS (or a rebinding attack) would make it."""
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host == REBINDING_NAME:
            return real(INTERNAL, port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture
def production_push(settings, vapid_keys):
    """Production's push settings: no loopback exception; one extra allow-listed name."""
    settings.WEBPUSH_ALLOW_LOOPBACK_FOR_TESTS = False
    settings.WEBPUSH_ALLOWED_HOSTS = [*DEFAULT_ALLOWED_HOSTS, REBINDING_NAME]


def _alert_and_wait(patient) -> Message:
    response = client_for(patient.user).post("/api/v1/logs/", _entry(severity=9))
    assert response.status_code == 201
    return _wait(
        lambda: (
            Message.objects.filter(channel="webpush", status__in=["failed", "sent"]).first()
            or (
                Message.objects.filter(channel="webpush", attempts__gte=1, status="pending").first()
            )
        ),
        what="the push attempt settled",
    )


def test_crafted_endpoint_is_refused_by_the_api(production_push):
    attacker = PatientFactory()
    response = client_for(attacker.user).post(
        "/api/v1/devices/",
        {
            "kind": "webpush",
            # urlsplit reads the host "127.0.8.1\.fcm.googleapis.com" (allowed);
            # urllib3, which sends, reads "127.0.8.1".
            "subscription": {
                "endpoint": f"https://{INTERNAL}\\.fcm.googleapis.com/x",
                "keys": _keys(),
            },
        },
    )
    assert response.status_code == 400
    assert "subscription" in response.json()
    assert not Device.objects.exists()


def test_a_stored_crafted_endpoint_never_connects(worker, internal_service, production_push):  # noqa: F811
    # Stored before the fix (or by any other path): the sender checks again.
    attacker = PatientFactory(alert_channels=["push"])
    Device.objects.create(
        patient=attacker,
        kind="webpush",
        address=f"https://{INTERNAL}\\.fcm.googleapis.com/x",
        keys=_keys(),
    )
    message = _alert_and_wait(attacker)
    assert internal_service.connections == []
    assert message.status == "failed"
    attempt = DeliveryAttempt.objects.get(message=message)
    assert attempt.outcome == "permanent"


def test_an_allowed_name_resolving_to_an_internal_address_never_connects(
    worker,  # noqa: F811
    internal_service,
    production_push,
    rebinding_dns,
):
    attacker = PatientFactory(alert_channels=["push"])
    registered = client_for(attacker.user).post(
        "/api/v1/devices/",
        {
            "kind": "webpush",
            "subscription": {"endpoint": f"https://{REBINDING_NAME}/push/1", "keys": _keys()},
        },
    )
    assert registered.status_code == 201  # the name is allowed; its address is not
    message = _alert_and_wait(attacker)
    assert internal_service.connections == []
    assert message.status == "failed"
    attempt = DeliveryAttempt.objects.get(message=message)
    assert "non-public address" in attempt.error
    assert attempt.outcome == "permanent"
