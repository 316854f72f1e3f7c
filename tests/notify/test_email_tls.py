"""Security review item 7: mail goes over STARTTLS with authentication when the environment
says so. A real SMTP server on loopback insists on both; the sender is a fresh process
configured only through environment variables, as a deployment is."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import socket
import ssl
import subprocess
import sys
from pathlib import Path

import pytest
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.notify.servers import LOOPBACK, SmtpServer, _BoundController, _SmtpHandler

ROOT = Path(__file__).resolve().parents[2]
USER, PASSWORD = "relay@journal.test", "relay-password"


def _self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "smtp.journal.test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        # OpenSSL checks validity against the real clock, which a run with --clock-at
        # (tests/clock.py) has moved away from by up to a day: cover both sides.
        .not_valid_before(now - dt.timedelta(days=2))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(LOOPBACK))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class StrictSmtpServer(SmtpServer):
    """Refuses mail until the client has switched to TLS and logged in."""

    def __init__(self, cert: Path, key: Path) -> None:
        super().__init__()
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.context.load_cert_chain(cert, key)
        self.logins: list[str] = []

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        login = auth_data.login.decode()
        ok = (login, auth_data.password.decode()) == (USER, PASSWORD)
        if ok:
            self.logins.append(login)
        return AuthResult(success=ok)

    def start(self) -> StrictSmtpServer:
        sock = socket.socket()
        sock.bind((LOOPBACK, 0))
        self.port = sock.getsockname()[1]
        self._controller = _BoundController(
            _SmtpHandler(self),
            sock,
            tls_context=self.context,
            require_starttls=True,
            auth_require_tls=True,
            auth_required=True,
            authenticator=self._authenticate,
        )
        self._controller.start()
        return self


def _sendtestemail(server: StrictSmtpServer, cert: Path, **env: str):
    scrub = {"DJANGO_SETTINGS_MODULE", "EMAIL_URL", "EMAIL_BACKEND"}
    clean = {k: v for k, v in os.environ.items() if k not in scrub and not k.startswith("EMAIL_")}
    return subprocess.run(
        [sys.executable, "manage.py", "sendtestemail", "patient@journal.test"],
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "config.settings.development",
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "SSL_CERT_FILE": str(cert),  # trust our self-signed server, as a CA bundle would
            **env,
        },
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


@pytest.fixture
def strict_smtp(tmp_path):
    cert, key = _self_signed(tmp_path)
    with StrictSmtpServer(cert, key) as server:
        yield server, cert


def test_mail_goes_over_starttls_with_the_configured_login(strict_smtp):
    server, cert = strict_smtp
    result = _sendtestemail(
        server,
        cert,
        EMAIL_HOST=LOOPBACK,
        EMAIL_PORT=str(server.port),
        EMAIL_USE_TLS="true",
        EMAIL_HOST_USER=USER,
        EMAIL_HOST_PASSWORD=PASSWORD,
    )
    assert result.returncode == 0, result.stderr
    assert server.logins == [USER]
    assert server.wait_for(1)[0].rcpt_tos == ["patient@journal.test"]


def test_the_same_through_one_email_url(strict_smtp):
    server, cert = strict_smtp
    url = f"smtp+tls://relay%40journal.test:{PASSWORD}@{LOOPBACK}:{server.port}"
    result = _sendtestemail(server, cert, EMAIL_URL=url)
    assert result.returncode == 0, result.stderr
    assert server.logins == [USER]


def test_without_tls_settings_the_server_refuses(strict_smtp):
    server, cert = strict_smtp
    result = _sendtestemail(server, cert, EMAIL_HOST=LOOPBACK, EMAIL_PORT=str(server.port))
    assert result.returncode != 0
    assert server.messages == []
