"""Fixtures: the loopback servers from ``servers.py``, with settings pointed at them."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator

import pytest

from notify.channels.webpush import DEFAULT_ALLOWED_HOSTS
from notify.vapid import generate_vapid_keys
from tests.notify.servers import ApnsStub, FcmStub, PushServiceStub, SmtpServer


@pytest.fixture
def smtp_server(settings) -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        for name, value in server.django_settings().items():
            setattr(settings, name, value)
        yield server


@pytest.fixture
def vapid_keys(settings):
    keys = generate_vapid_keys()
    settings.WEBPUSH_VAPID_PRIVATE_KEY = keys.private_key
    settings.WEBPUSH_VAPID_SUBJECT = "mailto:ops@footjournal.test"
    settings.WEBPUSH_ALLOWED_HOSTS = [*DEFAULT_ALLOWED_HOSTS, "127.0.0.1"]
    # The push stub listens on loopback, which production refuses to connect to.
    settings.WEBPUSH_ALLOW_LOOPBACK_FOR_TESTS = True
    return keys


@pytest.fixture
def push_service(vapid_keys) -> Iterator[PushServiceStub]:
    # Subscriptions are made with our VAPID public key, as the web app does, so the stub
    # answers 403 to a request signed with any other key.
    with PushServiceStub(application_server_key=vapid_keys.public_key) as stub:
        yield stub


@pytest.fixture
def fcm_service(settings) -> Iterator[FcmStub]:
    with FcmStub() as stub:
        for name, value in stub.django_settings().items():
            setattr(settings, name, value)
        yield stub


@pytest.fixture
def apns_service(settings) -> Iterator[ApnsStub]:
    with ApnsStub() as stub:
        for name, value in stub.django_settings().items():
            setattr(settings, name, value)
        yield stub


@pytest.fixture
def loopback_only(monkeypatch):
    """Fail a test that tries to reach past 127.0.0.1, from any thread of this process.
    (Opt in with ``pytestmark = pytest.mark.usefixtures("loopback_only")``.)

    Libraries reach out on their own (google-auth looks up "regional access boundaries" at
    iamcredentials.googleapis.com after authenticating; Application Default Credentials
    probe a metadata server); the stubs are set up so they do not, and this proves it.
    Names and sockets are refused before any packet leaves.
    """
    attempts: list[str] = []
    real_getaddrinfo = socket.getaddrinfo
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def getaddrinfo(host, *args, **kwargs):
        if host is not None and not _loopback(host):
            attempts.append(f"resolve {host}")
            raise socket.gaierror(socket.EAI_NONAME, f"test refused to resolve {host}")
        return real_getaddrinfo(host, *args, **kwargs)

    def check(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address[0]):
            attempts.append(f"connect {address}")
            raise ConnectionRefusedError(f"test refused to connect to {address}")

    def connect(sock, address):
        check(sock, address)
        return real_connect(sock, address)

    def connect_ex(sock, address):
        check(sock, address)
        return real_connect_ex(sock, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    yield
    assert not attempts, f"tried to leave loopback: {attempts}"


def _loopback(host: str | bytes) -> bool:
    host = host.decode() if isinstance(host, bytes) else host
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False
