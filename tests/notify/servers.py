"""Real servers on loopback that the channels talk to in tests.

Plain classes with ``start()``/``stop()`` (and ``with``), usable outside pytest, e.g. next to
a real Celery worker. Each listens on 127.0.0.1 on a free port and never opens a connection
anywhere else.

- ``SmtpServer``: aiosmtpd; keeps every message parsed, can refuse the next N.
- ``PushServiceStub``: a Web Push service (RFC 8030). Checks the VAPID token (RFC 8292)
  and decrypts the aes128gcm body (RFC 8291) with the subscriber's private key, as a browser
  would; can answer 404/410/429/5xx for a subscription.
- ``FcmStub``: the FCM HTTP v1 send endpoint; checks the service account's signed JWT.
- ``ApnsStub``: APNs over TLS (a throwaway CA's certificate) and HTTP/2, checking the
  provider token (ES256 JWT), the topic and the device token as Apple does.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime as dt
import itertools
import json
import re
import secrets
import socket
import ssl
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from ipaddress import ip_address
from pathlib import Path
from typing import Any, Self

import http_ece
import jwt
from aiosmtpd.controller import Controller
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from h2.config import H2Configuration
from h2.connection import H2Connection
from h2.events import ConnectionTerminated, DataReceived, RequestReceived, StreamEnded

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    """A port nothing listens on (for "server down" tests)."""
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class _Recorder:
    """A thread-safe list the test thread can wait on."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._items: list[Any] = []

    def append(self, item: Any) -> None:
        with self._cond:
            self._items.append(item)
            self._cond.notify_all()

    def snapshot(self) -> list[Any]:
        with self._cond:
            return list(self._items)

    def clear(self) -> None:
        with self._cond:
            self._items.clear()

    def wait_for(self, count: int, timeout: float) -> list[Any]:
        with self._cond:
            if not self._cond.wait_for(lambda: len(self._items) >= count, timeout):
                raise TimeoutError(f"expected {count} item(s), have {len(self._items)}")
            return list(self._items)


class _Failures:
    """Scripted failures: for a key, the next ``times`` requests (None: all) get ``answer``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._plans: dict[Any, list[Any]] = {}  # key -> [answer, remaining or None]

    def add(self, key: Any, answer: Any, times: int | None) -> None:
        with self._lock:
            self._plans[key] = [answer, times]

    def take(self, key: Any) -> Any:
        with self._lock:
            plan = self._plans.get(key)
            if plan is None:
                return None
            answer, remaining = plan
            if remaining is not None:
                if remaining <= 1:
                    del self._plans[key]
                else:
                    plan[1] = remaining - 1
            return answer

    def clear(self) -> None:
        with self._lock:
            self._plans.clear()


# --- SMTP ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceivedMail:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage  # parsed with email.policy.default
    raw: bytes


class _BoundController(Controller):
    """aiosmtpd's Controller on a socket we bound to port 0, so there is no window in which
    another process can take a port we picked."""

    def __init__(self, handler: Any, sock: socket.socket, **kwargs: Any) -> None:
        host, port = sock.getsockname()[:2]
        super().__init__(handler, hostname=host, port=port, **kwargs)
        self._sock = sock

    def _create_server(self) -> Any:
        return self.loop.create_server(self._factory_invoker, sock=self._sock)


class SmtpServer:
    """A real SMTP server (aiosmtpd) on loopback.

    ``fail_next(code, times, stage=...)`` makes it answer ``code`` at RCPT (the default),
    MAIL or DATA for the next ``times`` messages. ``data_delay`` (seconds) holds each
    message's DATA answer back, so a drill can stop a worker while a send is under way;
    ``in_data`` counts the messages being held right now.
    """

    STAGES = ("mail", "rcpt", "data")

    def __init__(self, host: str = LOOPBACK) -> None:
        self.host = host  # another address only for a drill's network namespaces
        self.port = 0
        self._received = _Recorder()
        self._failures = _Failures()
        self._controller: _BoundController | None = None
        self.data_delay = 0.0
        self._in_data = 0
        self._in_data_lock = threading.Lock()

    @property
    def in_data(self) -> int:
        with self._in_data_lock:
            return self._in_data

    # lifecycle
    def start(self) -> SmtpServer:
        sock = socket.socket()
        sock.bind((self.host, 0))
        self.port = sock.getsockname()[1]
        self._controller = _BoundController(_SmtpHandler(self), sock, enable_SMTPUTF8=True)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> SmtpServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # configuration
    def django_settings(self) -> dict[str, Any]:
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": self.host,
            "EMAIL_PORT": self.port,
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
            "EMAIL_USE_TLS": False,
            "EMAIL_USE_SSL": False,
            "EMAIL_TIMEOUT": 5,
        }

    def fail_next(
        self, code: int, times: int = 1, *, stage: str = "rcpt", text: str | None = None
    ) -> None:
        if stage not in self.STAGES:
            raise ValueError(f"stage must be one of {self.STAGES}")
        if text is None:
            text = "5.1.1 No such user here" if code >= 500 else "4.3.2 Try again later"
        self._failures.add(stage, f"{code} {text}", times)

    # what arrived
    @property
    def messages(self) -> list[ReceivedMail]:
        return self._received.snapshot()

    def wait_for(self, count: int = 1, timeout: float = 10.0) -> list[ReceivedMail]:
        return self._received.wait_for(count, timeout)

    def clear(self) -> None:
        self._received.clear()
        self._failures.clear()


class _SmtpHandler:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if failure := self.server._failures.take("mail"):
            return failure
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if failure := self.server._failures.take("rcpt"):
            return failure
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if failure := self.server._failures.take("data"):
            return failure
        if self.server.data_delay:
            with self.server._in_data_lock:
                self.server._in_data += 1
            try:
                await asyncio.sleep(self.server.data_delay)
            finally:
                with self.server._in_data_lock:
                    self.server._in_data -= 1
        raw = envelope.original_content or envelope.content
        message = BytesParser(policy=policy.default).parsebytes(raw)
        assert isinstance(message, EmailMessage)
        self.server._received.append(
            ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), message, raw)
        )
        return f"250 OK queued as {uuid.uuid4().hex[:12]}"


# --- a threaded HTTP server on loopback ----------------------------------------------------


class _HttpStub:
    """Base for the HTTP/1.1 stubs: a ThreadingHTTPServer whose handler calls ``route``."""

    def __init__(self) -> None:
        self.host = LOOPBACK
        self.port = 0
        self.errors = _Recorder()  # requests the stub refused, and why
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> Self:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, reply_headers, reply = stub.route(self.path, headers, body)
                self.send_response(status)
                for name, value in reply_headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output clean; refusals are in stub.errors

        stub._httpd = ThreadingHTTPServer((LOOPBACK, 0), Handler)
        stub._httpd.daemon_threads = True
        stub.port = stub._httpd.server_address[1]
        stub._thread = threading.Thread(
            target=stub._httpd.serve_forever, args=(0.05,), name=type(stub).__name__, daemon=True
        )
        stub._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def route(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict, bytes]:
        raise NotImplementedError

    def refuse(self, status: int, why: str) -> tuple[int, dict, bytes]:
        self.errors.append(why)
        return status, {"Content-Type": "text/plain"}, why.encode()


# --- Web Push ------------------------------------------------------------------------------


@dataclass
class _Subscriber:
    id: str
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes
    application_server_key: str | None  # the VAPID key it was made with, as browsers keep


@dataclass(frozen=True)
class PushDelivery:
    subscription_id: str
    headers: dict[str, str]  # lower-cased names
    plaintext: bytes  # the decrypted payload
    claims: dict[str, Any]  # the verified VAPID JWT claims
    vapid_key: str  # the k= public key, base64url

    def json(self) -> Any:
        return json.loads(self.plaintext)


_VAPID_AUTH = re.compile(r"^vapid\s+(.+)$", re.IGNORECASE)
_TOPIC = re.compile(r"[A-Za-z0-9_-]{1,32}")
_URGENCIES = {"very-low", "low", "normal", "high"}


class PushServiceStub(_HttpStub):
    """A Web Push service on loopback.

    ``subscribe()`` plays the browser: it makes a P-256 key pair and an auth secret and
    returns the PushSubscription JSON. A POST to the endpoint must carry a valid VAPID
    token; its body is decrypted as the browser would. ``fail(subscription, status)``
    scripts an answer (after the checks, so even failures prove the request was right).
    """

    def __init__(self, application_server_key: str | None = None) -> None:
        super().__init__()
        self.application_server_key = application_server_key
        self._subscribers: dict[str, _Subscriber] = {}
        self._deliveries = _Recorder()
        self._failures = _Failures()

    def subscribe(self, *, application_server_key: str | None = None) -> dict[str, Any]:
        private_key = ec.generate_private_key(ec.SECP256R1())
        sub = _Subscriber(
            id=secrets.token_urlsafe(16),
            private_key=private_key,
            auth=secrets.token_bytes(16),
            application_server_key=application_server_key or self.application_server_key,
        )
        self._subscribers[sub.id] = sub
        public = private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {
            "endpoint": f"{self.origin}/push/{sub.id}",
            "keys": {"p256dh": b64url(public), "auth": b64url(sub.auth)},
        }

    def fail(self, subscription: dict[str, Any], status: int, times: int | None = None) -> None:
        self._failures.add(self._id_of(subscription), status, times)

    def unsubscribe(self, subscription: dict[str, Any]) -> None:
        """Forget it, as a browser that dropped it: the service then answers 404."""
        self._subscribers.pop(self._id_of(subscription), None)

    @property
    def deliveries(self) -> list[PushDelivery]:
        return self._deliveries.snapshot()

    def wait_for(self, count: int = 1, timeout: float = 10.0) -> list[PushDelivery]:
        return self._deliveries.wait_for(count, timeout)

    def clear(self) -> None:
        self._deliveries.clear()
        self._failures.clear()
        self.errors.clear()

    def _id_of(self, subscription: dict[str, Any]) -> str:
        return subscription["endpoint"].rsplit("/", 1)[1]

    def route(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict, bytes]:
        match = re.fullmatch(r"/push/([A-Za-z0-9_-]+)", path)
        if not match:
            return self.refuse(404, f"no such path {path}")
        sub = self._subscribers.get(match[1])
        if sub is None:
            return self.refuse(404, "no such subscription")

        # RFC 8030 §5.2: TTL is required. §5.3 Urgency, §5.4 Topic.
        ttl = headers.get("ttl", "")
        if not ttl.isdigit():
            return self.refuse(400, f"TTL header missing or not a number: {ttl!r}")
        if "urgency" in headers and headers["urgency"] not in _URGENCIES:
            return self.refuse(400, f"bad Urgency {headers['urgency']!r}")
        if "topic" in headers and not _TOPIC.fullmatch(headers["topic"]):
            return self.refuse(400, f"bad Topic {headers['topic']!r}")

        try:
            claims, vapid_key = self._verify_vapid(headers.get("authorization", ""))
        except ValueError as exc:
            return self.refuse(401, f"VAPID: {exc}")
        if sub.application_server_key and vapid_key != sub.application_server_key:
            return self.refuse(403, "VAPID key is not the one the subscription was made with")

        if headers.get("content-encoding") != "aes128gcm":
            return self.refuse(400, f"Content-Encoding {headers.get('content-encoding')!r}")
        if len(body) > 4096:
            return self.refuse(413, f"body is {len(body)} bytes")
        try:
            plaintext = http_ece.decrypt(
                body, private_key=sub.private_key, auth_secret=sub.auth, version="aes128gcm"
            )
        except Exception as exc:
            return self.refuse(400, f"cannot decrypt: {exc!r}")

        status = self._failures.take(sub.id)
        if status is not None:
            extra = {"Retry-After": "7"} if status in (429, 503) else {}
            if 300 <= status < 400:
                # A client that followed this would POST the payload elsewhere.
                extra = {"Location": f"{self.origin}/elsewhere"}
            return status, {"Content-Type": "text/plain", **extra}, b"scripted failure"

        self._deliveries.append(PushDelivery(sub.id, headers, plaintext, claims, vapid_key))
        location = f"{self.origin}/message/{uuid.uuid4().hex}"
        return 201, {"Location": location, "TTL": ttl}, b""

    def _verify_vapid(self, authorization: str) -> tuple[dict[str, Any], str]:
        """RFC 8292 §3: ``vapid t=<JWT>, k=<public key>``; the JWT is ES256-signed with k."""
        match = _VAPID_AUTH.match(authorization.strip())
        if not match:
            raise ValueError(f"Authorization is not the vapid scheme: {authorization[:20]!r}")
        params = {}
        for part in match[1].split(","):
            name, _, value = part.strip().partition("=")
            params[name.strip().lower()] = value.strip()
        if "t" not in params or "k" not in params:
            raise ValueError("t= or k= missing")
        try:
            public = ec.EllipticCurvePublicKey.from_encoded_point(
                ec.SECP256R1(), b64url_decode(params["k"])
            )
            header_b64, claims_b64, signature_b64 = params["t"].split(".")
            header = json.loads(b64url_decode(header_b64))
            claims = json.loads(b64url_decode(claims_b64))
            signature = b64url_decode(signature_b64)
        except (ValueError, TypeError) as exc:
            raise ValueError(f"malformed token or key: {exc}") from None
        if header.get("alg") != "ES256":
            raise ValueError(f"alg is {header.get('alg')!r}, not ES256")
        if len(signature) != 64:  # JWS ES256: r and s, 32 bytes each (RFC 7518 §3.4)
            raise ValueError("signature is not 64 bytes")
        der = encode_dss_signature(
            int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
        )
        try:
            public.verify(der, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            raise ValueError("signature does not verify with k") from None
        if claims.get("aud") != self.origin:
            raise ValueError(f"aud is {claims.get('aud')!r}, not {self.origin!r}")
        now = time.time()
        exp = claims.get("exp")
        # RFC 8292 §2: exp must be no more than 24 hours ahead.
        if not isinstance(exp, int) or not now < exp <= now + 24 * 3600:
            raise ValueError(f"exp {exp!r} is not within the next 24 hours")
        sub = claims.get("sub")
        if not isinstance(sub, str) or not sub.startswith(("mailto:", "https:")):
            raise ValueError(f"sub {sub!r} is not a mailto: or https: contact")
        return claims, params["k"]


# --- FCM -----------------------------------------------------------------------------------

# FCM v1 takes a token for either scope; firebase-admin asks for cloud-platform and more.
FCM_SCOPES = {
    "https://www.googleapis.com/auth/firebase.messaging",
    "https://www.googleapis.com/auth/cloud-platform",
}

# kind -> (HTTP status, google.rpc status, FCM v1 ErrorCode, message), as FCM v1 sends them.
FCM_ERRORS: dict[str, tuple[int, str, str, str]] = {
    "unregistered": (404, "NOT_FOUND", "UNREGISTERED", "Requested entity was not found."),
    "invalid_token": (
        400,
        "INVALID_ARGUMENT",
        "INVALID_ARGUMENT",
        "The registration token is not a valid FCM registration token",
    ),
    "sender_mismatch": (403, "PERMISSION_DENIED", "SENDER_ID_MISMATCH", "SenderId mismatch"),
    "quota": (429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED", "Quota exceeded."),
    "unavailable": (503, "UNAVAILABLE", "UNAVAILABLE", "The service is currently unavailable."),
    "internal": (500, "INTERNAL", "INTERNAL", "Internal error encountered."),
}


@dataclass(frozen=True)
class FcmDelivery:
    message: dict[str, Any]  # the "message" object of the v1 request
    headers: dict[str, str]
    validate_only: bool


class FcmStub(_HttpStub):
    """The FCM HTTP v1 send endpoint on loopback.

    ``service_account_info()`` is a service-account JSON with an RSA key made per stub; each
    request's bearer token must be a JWT signed with it (see ``_verify_bearer``).
    """

    def __init__(self, project_id: str = "footjournal-test") -> None:
        super().__init__()
        self.project_id = project_id
        self.client_email = f"notify@{project_id}.iam.gserviceaccount.com"
        # A universe other than googleapis.com makes google-auth (a) authenticate with a
        # self-signed JWT, checked here, and (b) skip its background "regional access
        # boundary" lookup, which would otherwise go to iamcredentials.googleapis.com.
        self.universe_domain = "stub.invalid"
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.credentials_seen = _Recorder()  # verified JWT claims, one per request
        self._deliveries = _Recorder()
        self._failures = _Failures()
        self._ids = itertools.count(1)

    def service_account_info(self) -> dict[str, str]:
        pem = self._key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        return {
            "type": "service_account",
            "project_id": self.project_id,
            "private_key_id": "stub-key-1",
            "private_key": pem,
            "client_email": self.client_email,
            "client_id": "1",
            # Never used: outside the googleapis.com universe (below) google-auth signs its
            # own JWT instead of exchanging one here. Still on loopback, should that change.
            "token_uri": f"{self.origin}/token",
            "universe_domain": self.universe_domain,
        }

    def django_settings(self) -> dict[str, Any]:
        return {
            "FCM_CREDENTIALS": json.dumps(self.service_account_info()),
            "FCM_PROJECT_ID": "",
            "FCM_ENDPOINT": self.origin,
            "FCM_TIMEOUT": 5,
        }

    def registration_token(self) -> str:
        return secrets.token_urlsafe(32) + ":APA91b" + secrets.token_urlsafe(64)

    def fail(self, token: str, kind: str, times: int | None = None) -> None:
        if kind not in FCM_ERRORS:
            raise ValueError(f"kind must be one of {sorted(FCM_ERRORS)}")
        self._failures.add(token, kind, times)

    @property
    def deliveries(self) -> list[FcmDelivery]:
        return self._deliveries.snapshot()

    def wait_for(self, count: int = 1, timeout: float = 10.0) -> list[FcmDelivery]:
        return self._deliveries.wait_for(count, timeout)

    def route(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict, bytes]:
        if path == f"/v1/projects/{self.project_id}/messages:send":
            return self._send(headers, body)
        return self.refuse(404, f"no such path {path}")

    def _send(self, headers: dict[str, str], body: bytes) -> tuple[int, dict, bytes]:
        try:
            self._verify_bearer(headers.get("authorization", ""))
        except ValueError as exc:
            self.errors.append(f"credentials: {exc}")
            return self._error(401, "UNAUTHENTICATED", None, "Request had invalid credentials.")
        try:
            request = json.loads(body)
            message = request["message"]
            token = message["token"]
        except (ValueError, KeyError, TypeError) as exc:
            return self._error(400, "INVALID_ARGUMENT", None, f"bad request: {exc!r}")
        kind = self._failures.take(token)
        if kind is not None:
            status, grpc_status, code, text = FCM_ERRORS[kind]
            return self._error(status, grpc_status, code, text)
        self._deliveries.append(
            FcmDelivery(message, headers, bool(request.get("validate_only", False)))
        )
        name = f"projects/{self.project_id}/messages/0:{next(self._ids)}"
        return 200, {"Content-Type": "application/json"}, json.dumps({"name": name}).encode()

    def _verify_bearer(self, authorization: str) -> dict[str, Any]:
        """The service account's self-signed JWT (https://google.aip.dev/auth/4111), which
        google-auth sends instead of an OAuth access token outside googleapis.com's
        universe: RS256 with the account's key, issued by and for the account, FCM scope."""
        scheme, _, token = authorization.partition(" ")
        if scheme != "Bearer" or not token:
            raise ValueError("no bearer token")
        try:
            claims = jwt.decode(
                token,
                self._key.public_key(),
                algorithms=["RS256"],
                issuer=self.client_email,
                options={"require": ["exp", "iat", "iss", "sub"], "verify_aud": False},
            )
        except jwt.PyJWTError as exc:
            raise ValueError(str(exc)) from None
        if claims["sub"] != self.client_email:
            raise ValueError(f"sub {claims['sub']!r}")
        if not FCM_SCOPES & set(claims.get("scope", "").split()):
            raise ValueError(f"scope {claims.get('scope')!r} does not cover FCM")
        self.credentials_seen.append(claims)
        return claims

    def _error(
        self, status: int, grpc_status: str, code: str | None, text: str
    ) -> tuple[int, dict, bytes]:
        error: dict[str, Any] = {"code": status, "message": text, "status": grpc_status}
        if code:
            error["details"] = [
                {"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": code}
            ]
        extra = {"Retry-After": "7"} if status in (429, 503) else {}
        reply = json.dumps({"error": error}).encode()
        return status, {"Content-Type": "application/json", **extra}, reply


# --- APNs ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApnsDelivery:
    device_token: str
    headers: dict[str, str]  # the HTTP/2 request headers, pseudo-headers included
    payload: dict[str, Any]
    claims: dict[str, Any]  # the verified provider token


@dataclass
class _TlsFiles:
    directory: tempfile.TemporaryDirectory
    ca_file: str
    cert_file: str
    key_file: str


class ApnsStub:
    """APNs on loopback: TLS with a certificate for 127.0.0.1 from a throwaway CA (the
    client trusts it through APNS_CA_FILE, and checks the name as usual), then HTTP/2 with
    APNs' paths, headers, provider-token check and JSON error reasons.
    """

    def __init__(
        self,
        *,
        team_id: str = "TEAM123456",
        key_id: str = "KEY1234567",
        topic: str = "org.example.footjournal",
    ) -> None:
        self.host = LOOPBACK
        self.port = 0
        self.team_id = team_id
        self.key_id = key_id
        self.topic = topic
        self._signing_key = ec.generate_private_key(ec.SECP256R1())  # the provider's .p8
        self._tokens: set[str] = set()
        self._deliveries = _Recorder()
        self.errors = _Recorder()
        self._failures = _Failures()
        self._listener: socket.socket | None = None
        self._tls: _TlsFiles | None = None
        self._server_context: ssl.SSLContext | None = None
        self._threads: list[threading.Thread] = []
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self.connections_accepted = 0

    # lifecycle
    def start(self) -> ApnsStub:
        self._tls = _make_tls_files(dns_names=("localhost",), ip=LOOPBACK)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self._tls.cert_file, self._tls.key_file)
        context.set_alpn_protocols(["h2"])
        self._server_context = context
        self._stopping.clear()
        listener = socket.socket()
        listener.bind((LOOPBACK, 0))
        listener.listen(16)
        # close() does not wake a thread blocked in accept() on Linux; it polls instead.
        listener.settimeout(0.1)
        self.port = listener.getsockname()[1]
        self._listener = listener
        thread = threading.Thread(target=self._accept_loop, name="ApnsStub", daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        with self._lock:
            for conn in self._connections:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
                conn.close()
            self._connections.clear()
        for thread in self._threads:
            thread.join(timeout=2)
        self._threads.clear()
        if self._tls is not None:
            self._tls.directory.cleanup()
            self._tls = None

    def __enter__(self) -> ApnsStub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # configuration
    def signing_key_pem(self) -> str:
        return self._signing_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()

    def django_settings(self) -> dict[str, Any]:
        assert self._tls is not None, "start() first"
        return {
            "APNS_KEY": self.signing_key_pem(),
            "APNS_KEY_ID": self.key_id,
            "APNS_TEAM_ID": self.team_id,
            "APNS_TOPIC": self.topic,
            "APNS_USE_SANDBOX": True,
            "APNS_ENDPOINT": f"{self.host}:{self.port}",
            "APNS_CA_FILE": self._tls.ca_file,
            "APNS_TIMEOUT": 5,
        }

    def device_token(self) -> str:
        """A device token APNs knows; any other gets 400 BadDeviceToken, as from Apple."""
        token = secrets.token_hex(32)
        self._tokens.add(token)
        return token

    def fail(self, token: str, status: int, reason: str, times: int | None = None) -> None:
        self._failures.add(token, (status, reason), times)

    @property
    def deliveries(self) -> list[ApnsDelivery]:
        return self._deliveries.snapshot()

    def wait_for(self, count: int = 1, timeout: float = 10.0) -> list[ApnsDelivery]:
        return self._deliveries.wait_for(count, timeout)

    # serving
    def _accept_loop(self) -> None:
        assert self._listener is not None
        listener = self._listener
        while not self._stopping.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(None)
            with self._lock:
                self._connections.add(conn)
                self.connections_accepted += 1
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _serve(self, conn: socket.socket) -> None:
        try:
            assert self._server_context is not None
            conn.settimeout(10)  # for the handshake; then block until the client goes
            tls = self._server_context.wrap_socket(conn, server_side=True)
            with self._lock:  # wrap_socket detached conn; stop() must shut the TLS socket
                self._connections.discard(conn)
                self._connections.add(tls)
            conn = tls
            self._serve_h2(tls)
        except (OSError, ssl.SSLError) as exc:
            if not self._stopping.is_set():
                self.errors.append(f"connection: {exc!r}")
        finally:
            with self._lock:
                self._connections.discard(conn)
            conn.close()

    def _serve_h2(self, tls: ssl.SSLSocket) -> None:
        h2 = H2Connection(H2Configuration(client_side=False, header_encoding="utf-8"))
        h2.initiate_connection()
        tls.sendall(h2.data_to_send())
        tls.settimeout(None)
        streams: dict[int, dict[str, Any]] = {}
        while not self._stopping.is_set():
            data = tls.recv(65536)
            if not data:
                return
            for event in h2.receive_data(data):
                if isinstance(event, RequestReceived):
                    streams[event.stream_id] = {"headers": dict(event.headers), "body": b""}
                elif isinstance(event, DataReceived):
                    streams[event.stream_id]["body"] += event.data
                    h2.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
                elif isinstance(event, StreamEnded):
                    stream = streams.pop(event.stream_id)
                    status, reason = self._handle(stream["headers"], stream["body"])
                    self._respond(h2, event.stream_id, stream["headers"], status, reason)
                elif isinstance(event, ConnectionTerminated):
                    tls.sendall(h2.data_to_send())
                    return
            tls.sendall(h2.data_to_send())

    def _handle(self, headers: dict[str, str], body: bytes) -> tuple[int, str]:
        """Check the request as APNs does; returns (status, reason), reason "" on success."""
        path = headers.get(":path", "")
        match = re.fullmatch(r"/3/device/([0-9a-fA-F]+)", path)
        if headers.get(":method") != "POST":
            return 405, "MethodNotAllowed"
        if not match:
            return 404, "BadPath"
        token = match[1]
        try:
            claims = self._verify_provider_token(headers.get("authorization", ""))
        except ValueError as exc:
            self.errors.append(f"provider token: {exc}")
            return 403, "InvalidProviderToken"
        if headers.get("apns-topic") != self.topic:
            return 400, "BadTopic"
        if headers.get("apns-push-type") not in (None, "alert", "background"):
            return 400, "InvalidPushType"
        if len(body) > 4096:
            return 413, "PayloadTooLarge"
        try:
            payload = json.loads(body)
        except ValueError:
            return 400, "PayloadEmpty"
        if token not in self._tokens:
            return 400, "BadDeviceToken"
        scripted = self._failures.take(token)
        if scripted is not None:
            return scripted
        self._deliveries.append(ApnsDelivery(token, dict(headers), payload, claims))
        return 200, ""

    def _verify_provider_token(self, authorization: str) -> dict[str, Any]:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise ValueError("no bearer token")
        try:
            header = jwt.get_unverified_header(token)
            claims = jwt.decode(
                token,
                self._signing_key.public_key(),
                algorithms=["ES256"],
                issuer=self.team_id,
                options={"require": ["iss", "iat"]},
            )
        except jwt.PyJWTError as exc:
            raise ValueError(str(exc)) from None
        if header.get("kid") != self.key_id:
            raise ValueError(f"kid {header.get('kid')!r}")
        # Apple refuses provider tokens older than an hour (ExpiredProviderToken).
        if not time.time() - 3600 <= claims["iat"] <= time.time() + 60:
            raise ValueError("iat out of range")
        return claims

    def _respond(
        self, h2: H2Connection, stream_id: int, request: dict[str, str], status: int, reason: str
    ) -> None:
        apns_id = request.get("apns-id") or str(uuid.uuid4())
        if status == 200:
            h2.send_headers(stream_id, [(":status", "200"), ("apns-id", apns_id)], end_stream=True)
            return
        body: dict[str, Any] = {"reason": reason}
        if status == 410:
            body["timestamp"] = int(time.time() * 1000)
        h2.send_headers(
            stream_id,
            [(":status", str(status)), ("apns-id", apns_id), ("content-type", "application/json")],
        )
        h2.send_data(stream_id, json.dumps(body).encode(), end_stream=True)


def _make_tls_files(*, dns_names: tuple[str, ...], ip: str) -> _TlsFiles:
    """A throwaway CA and a server certificate for ``dns_names`` and ``ip``, as PEM files."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "notify test CA")])
    ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        # OpenSSL checks validity against the real clock, which a run with --clock-at
        # (tests/clock.py) has moved away from by up to a day: cover both sides.
        .not_valid_before(now - dt.timedelta(days=2))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ca_ski, critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, ip)]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        # OpenSSL checks validity against the real clock, which a run with --clock-at
        # (tests/clock.py) has moved away from by up to a day: cover both sides.
        .not_valid_before(now - dt.timedelta(days=2))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName(
                [*(x509.DNSName(name) for name in dns_names), x509.IPAddress(ip_address(ip))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    directory = tempfile.TemporaryDirectory(prefix="notify-tls-")
    base = Path(directory.name)
    pem = serialization.Encoding.PEM
    (base / "ca.pem").write_bytes(ca.public_bytes(pem))
    (base / "cert.pem").write_bytes(cert.public_bytes(pem))
    (base / "key.pem").write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return _TlsFiles(
        directory,
        str(base / "ca.pem"),
        str(base / "cert.pem"),
        str(base / "key.pem"),
    )


@contextlib.contextmanager
def running(*servers: Any) -> Iterator[None]:
    """Start several servers, stop them all however the block ends."""
    with contextlib.ExitStack() as stack:
        for server in servers:
            stack.enter_context(server)
        yield


__all__ = [
    "ApnsDelivery",
    "ApnsStub",
    "FcmDelivery",
    "FcmStub",
    "PushDelivery",
    "PushServiceStub",
    "ReceivedMail",
    "SmtpServer",
    "free_port",
    "running",
]
