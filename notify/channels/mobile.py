"""Native app pushes: FCM (Android) through firebase-admin, APNs (iOS) through aioapns.

These are the two libraries django-push-notifications itself sends with. We call them
directly because its send functions are tied to its own device models: FCM's send marks
rows of its GCMDevice table inactive, and its APNs module imports its models at import
time, so using them means installing its app and tables next to our own Device model, and
reading error reasons back out of exception strings.

Settings, read at send time:
    FCM_CREDENTIALS     service-account JSON: a file path, or the JSON text itself.
    FCM_PROJECT_ID      optional; defaults to the credentials' project.
    FCM_TIMEOUT         seconds (default 10).
    FCM_ENDPOINT        default "https://fcm.googleapis.com"; only test stubs change it.
    APNS_KEY            the .p8 token-signing key: a file path, or the PEM text itself.
    APNS_KEY_ID, APNS_TEAM_ID, APNS_TOPIC (the app's bundle id).
    APNS_USE_SANDBOX    True for development builds of the app (default False).
    APNS_TIMEOUT        seconds (default 10).
    APNS_ENDPOINT       "host:port"; default Apple's. Only test stubs change it.
    APNS_CA_FILE        CA bundle to trust instead of the system's; only with APNS_ENDPOINT.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import json
import logging
import os
import re
import ssl
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import firebase_admin
import google.auth.exceptions
import requests
import requests.adapters
from aioapns import APNs, NotificationRequest, PushType
from aioapns.common import NotificationResult
from aioapns.exceptions import ConnectionClosed, MaxAttemptsExceeded
from aioapns.exceptions import ConnectionError as ApnsConnectionError
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from firebase_admin import credentials, messaging
from firebase_admin import exceptions as fb
from urllib3.util.retry import Retry

from notify.channels.base import Envelope, TransportError, address_field

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT_SECONDS = 10.0
FCM_DEFAULT_ENDPOINT = "https://fcm.googleapis.com"
FCM_MAX_TTL_SECONDS = 28 * 24 * 3600  # FCM refuses a longer TTL

# Web Push urgency onto the two native priorities. A reminder or a timer is a user-visible
# notification the patient is waiting for, which both services want sent at their
# high/immediate priority; "low"/"very-low" take the power-saving one.
_FCM_PRIORITY = {"high": "high", "normal": "high", "low": "normal", "very-low": "normal"}
_APNS_PRIORITY = {"high": 10, "normal": 10, "low": 5, "very-low": 5}


# --- FCM -----------------------------------------------------------------------------------


def fcm_message(envelope: Envelope, token: str) -> messaging.Message:
    data = dict(envelope.data)
    if envelope.url:
        data.setdefault("url", envelope.url)
    message = messaging.Message(
        notification=messaging.Notification(title=envelope.subject, body=envelope.text),
        data=data,
        android=messaging.AndroidConfig(
            collapse_key=envelope.tag,
            priority=_FCM_PRIORITY[envelope.urgency],
            ttl=min(envelope.ttl_seconds, FCM_MAX_TTL_SECONDS),
            # The notification tag replaces an older notification in the tray; the
            # collapse key only drops undelivered older messages.
            notification=messaging.AndroidNotification(tag=envelope.tag) if envelope.tag else None,
        ),
    )
    # A registration token (FirebaseMessaging.getToken()) is what the app hands us and what
    # the v1 API's "token" field takes. firebase-admin 7 warns on the constructor argument
    # in favour of installation ids ("fid"), which the app does not send; setting the
    # attribute sends the same field without a warning per message.
    message.token = token
    return message


class FcmChannel:
    name = "fcm"

    def send(self, envelope: Envelope, address: Mapping[str, Any]) -> str:
        token = address_field(address, "registration_id")
        app = firebase_app()
        try:
            # "projects/<project>/messages/<id>"
            return messaging.send(fcm_message(envelope, token), app=app)
        except fb.FirebaseError as exc:
            raise fcm_error(exc) from exc
        except google.auth.exceptions.TransportError as exc:
            raise TransportError(f"FCM token endpoint unreachable: {exc}") from exc
        except google.auth.exceptions.RefreshError as exc:
            # Our service account refused: an operator fixes it, the message is fine.
            raise TransportError(f"FCM credentials refused: {exc}") from exc
        except ValueError as exc:
            # The SDK's own validation of the message (a reserved data key, say).
            raise TransportError(f"FCM message invalid: {exc}", permanent=True) from exc


def fcm_error(exc: fb.FirebaseError) -> TransportError:
    """Map the SDK's error types (FCM v1 ErrorCode) onto transient/permanent/gone."""
    detail = f"FCM {exc.code}: {exc}"
    if isinstance(exc, messaging.UnregisteredError):
        # The app was uninstalled or the token expired.
        return TransportError(detail, gone=True)
    if isinstance(exc, fb.InvalidArgumentError):
        # FCM says INVALID_ARGUMENT both for a malformed token and a malformed message;
        # only the first is a property of the device.
        return TransportError(detail, gone="registration token" in str(exc).lower())
    if isinstance(exc, messaging.SenderIdMismatchError):
        # The token belongs to another Firebase project. Permanent, but not "gone": if our
        # FCM_CREDENTIALS name the wrong project, every device answers this, and
        # deactivating them all would be a worse outcome than failing loudly.
        return TransportError(detail, permanent=True)
    if isinstance(
        exc,
        (
            messaging.QuotaExceededError,
            fb.ResourceExhaustedError,
            fb.UnavailableError,
            fb.InternalError,
            fb.DeadlineExceededError,
            fb.UnknownError,  # also what the SDK raises for a dropped connection
            fb.AbortedError,
            fb.CancelledError,
            # Our credentials, or the APNs key uploaded to Firebase: ours to fix.
            fb.UnauthenticatedError,
            fb.PermissionDeniedError,
            messaging.ThirdPartyAuthError,
        ),
    ):
        return TransportError(detail, retry_after=_retry_after(exc.http_response))
    return TransportError(detail, permanent=True)


_fcm_lock = threading.Lock()
_fcm_apps: dict[tuple[str, str, float, str], firebase_admin.App] = {}


def firebase_app() -> firebase_admin.App:
    """The firebase-admin App for the current settings, made once per process and settings."""
    raw = getattr(settings, "FCM_CREDENTIALS", "")
    if not raw:
        # No fallback to Application Default Credentials: outside Google Cloud those probe
        # a metadata server, and a missing setting should stop us, not wander the network.
        raise ImproperlyConfigured("FCM_CREDENTIALS is not set (service-account JSON or path)")
    project = getattr(settings, "FCM_PROJECT_ID", "") or ""
    timeout = float(getattr(settings, "FCM_TIMEOUT", DEFAULT_TIMEOUT_SECONDS))
    endpoint = (getattr(settings, "FCM_ENDPOINT", "") or FCM_DEFAULT_ENDPOINT).rstrip("/")
    key = (raw, project, timeout, endpoint)
    with _fcm_lock:
        app = _fcm_apps.get(key)
        if app is not None:
            return app
        try:
            info: Any = json.loads(raw) if raw.lstrip().startswith("{") else raw
            cred = credentials.Certificate(info)
        except (ValueError, OSError) as exc:
            raise ImproperlyConfigured(f"FCM_CREDENTIALS is not a service account: {exc}") from None
        options: dict[str, Any] = {"httpTimeout": timeout}
        if project:
            options["projectId"] = project
        name = "notify-" + hashlib.sha256(repr(key).encode()).hexdigest()[:16]
        app = firebase_admin.initialize_app(cred, options, name=name)
        try:
            if not app.project_id:
                raise ImproperlyConfigured("FCM_PROJECT_ID is not set and not in FCM_CREDENTIALS")
            _no_hidden_retries(app)
            if endpoint != FCM_DEFAULT_ENDPOINT:
                _point_fcm_at(app, endpoint)
        except Exception:
            firebase_admin.delete_app(app)  # so a corrected setting can use the name again
            raise
        _fcm_apps[key] = app
        return app


def _no_hidden_retries(app: firebase_admin.App) -> None:
    """Replace firebase-admin's own retry policy on the FCM session with one that only
    retries a connection that was never made.

    Its default retries a read timeout and 500/503 up to four times, and sleeps for as long
    as any Retry-After says. A read timeout or a 500 after FCM took the message, retried,
    shows the patient the same notification twice; and a long Retry-After would hold the
    worker past Celery's time limit. Our caller already retries with backoff (and gets the
    Retry-After from the TransportError).
    """
    service = messaging._get_messaging_service(app)
    session = getattr(getattr(service, "_client", None), "session", None)
    if not isinstance(session, requests.Session):
        logger.warning("firebase-admin internals changed; FCM keeps its own retry policy")
        return
    retry = Retry(total=1, connect=1, read=0, status=0, other=0, respect_retry_after_header=False)
    adapter = requests.adapters.HTTPAdapter(max_retries=retry)
    # Prefixes as firebase-admin mounts them (longest prefix wins in requests).
    for prefix in ("http://", "https://", FCM_DEFAULT_ENDPOINT):
        session.mount(prefix, adapter)


def _point_fcm_at(app: firebase_admin.App, endpoint: str) -> None:
    # firebase-admin has no public option for the FCM endpoint (there is no FCM emulator);
    # the send URL is an attribute of its per-app messaging service. Checked, so an SDK
    # upgrade that renames it fails here rather than sending to the real FCM from a test.
    service = messaging._get_messaging_service(app)
    if not isinstance(getattr(service, "_fcm_url", None), str):
        raise ImproperlyConfigured("FCM_ENDPOINT is not supported by this firebase-admin")
    service._fcm_url = f"{endpoint}/v1/projects/{app.project_id}/messages:send"


# --- APNs ----------------------------------------------------------------------------------

# Reasons that say the token itself is dead. BadDeviceToken is also what a development
# (sandbox) token gets from the production service: APNS_USE_SANDBOX must match the build.
_APNS_GONE = {"Unregistered", "BadDeviceToken", "ExpiredToken"}
# Reasons about our side (provider token, certificate, load): worth retrying once fixed.
_APNS_TRANSIENT = {
    "ExpiredProviderToken",
    "InvalidProviderToken",
    "MissingProviderToken",
    "BadCertificate",
    "BadCertificateEnvironment",
    "Forbidden",
    "TooManyProviderTokenUpdates",
    "TooManyRequests",
    "IdleTimeout",
    "InternalServerError",
    "ServiceUnavailable",
    "Shutdown",
}
_HEX_TOKEN = re.compile(r"[0-9a-fA-F]{32,512}")


def apns_payload(envelope: Envelope) -> dict[str, Any]:
    aps: dict[str, Any] = {
        "alert": {"title": envelope.subject, "body": envelope.text},
        "sound": "default",
    }
    if envelope.tag:
        aps["thread-id"] = envelope.tag  # groups the tag's notifications together
    payload: dict[str, Any] = {k: v for k, v in envelope.data.items() if k != "aps"}
    if envelope.url:
        payload.setdefault("url", envelope.url)
    payload["aps"] = aps
    return payload


def apns_collapse_id(tag: str) -> str:
    # apns-collapse-id is at most 64 bytes; hash longer tags so they still collapse.
    if len(tag.encode()) <= 64:
        return tag
    return hashlib.sha256(tag.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class ApnsConfig:
    key: str
    key_id: str
    team_id: str
    topic: str
    use_sandbox: bool
    endpoint: tuple[str, int] | None
    ca_file: str | None

    @classmethod
    def from_settings(cls) -> ApnsConfig:
        missing = [
            name
            for name in ("APNS_KEY", "APNS_KEY_ID", "APNS_TEAM_ID", "APNS_TOPIC")
            if not getattr(settings, name, "")
        ]
        if missing:
            raise ImproperlyConfigured(f"{', '.join(missing)} not set")
        key = settings.APNS_KEY
        if "-----BEGIN" not in key:
            try:
                key = Path(key).read_text()
            except OSError as exc:
                raise ImproperlyConfigured(f"APNS_KEY: cannot read {key!r}: {exc}") from None
        try:
            load_pem_private_key(key.encode(), password=None)
        except ValueError as exc:
            raise ImproperlyConfigured(f"APNS_KEY is not a PEM private key: {exc}") from None
        endpoint = None
        if raw_endpoint := getattr(settings, "APNS_ENDPOINT", ""):
            host, _, port = raw_endpoint.rpartition(":")
            if not host or not port.isdigit():
                raise ImproperlyConfigured(f"APNS_ENDPOINT {raw_endpoint!r} is not host:port")
            endpoint = (host, int(port))
        return cls(
            key=key,
            key_id=settings.APNS_KEY_ID,
            team_id=settings.APNS_TEAM_ID,
            topic=settings.APNS_TOPIC,
            use_sandbox=bool(getattr(settings, "APNS_USE_SANDBOX", False)),
            endpoint=endpoint,
            ca_file=getattr(settings, "APNS_CA_FILE", None) or None,
        )


class ApnsChannel:
    name = "apns"

    def send(self, envelope: Envelope, address: Mapping[str, Any]) -> str:
        token = address_field(address, "registration_id")
        if not _HEX_TOKEN.fullmatch(token):
            # It goes into the request path; APNs would answer BadDeviceToken anyway.
            raise TransportError("not an APNs device token", gone=True)
        config = ApnsConfig.from_settings()
        timeout = float(getattr(settings, "APNS_TIMEOUT", DEFAULT_TIMEOUT_SECONDS))
        request = NotificationRequest(
            device_token=token,
            message=apns_payload(envelope),
            time_to_live=envelope.ttl_seconds,
            priority=_APNS_PRIORITY[envelope.urgency],
            collapse_key=apns_collapse_id(envelope.tag) if envelope.tag else None,
            push_type=PushType.ALERT,
        )
        try:
            result = _apns_runner.send(config, request, timeout)
        except concurrent.futures.TimeoutError as exc:
            raise TransportError(f"APNs did not answer within {timeout:g}s") from exc
        except (ApnsConnectionError, MaxAttemptsExceeded, ConnectionClosed, OSError) as exc:
            raise TransportError(f"APNs unreachable: {exc!r}") from exc
        if not result.is_successful:
            raise apns_error(result)
        return result.notification_id  # the apns-id we sent, which APNs echoes


def apns_error(result: NotificationResult) -> TransportError:
    """The TransportError an unsuccessful APNs status and reason mean."""
    reason = result.description or ""
    status = int(result.status) if str(result.status).isdigit() else 0
    detail = f"APNs {result.status} {reason}".strip()
    if reason in _APNS_GONE or status == 410:
        return TransportError(detail, gone=True)
    if reason in _APNS_TRANSIENT or status in (403, 429) or status >= 500:
        return TransportError(detail)
    # DeviceTokenNotForTopic lands here, permanent but not gone: a wrong APNS_TOPIC would
    # otherwise deactivate every iOS device. Likewise bad headers, payload too large.
    return TransportError(detail, permanent=True)


class _ApnsRunner:
    """One asyncio loop in a daemon thread per process, holding one aioapns client.

    Apple asks providers to keep their HTTP/2 connections open across notifications and
    treats rapid connect/disconnect as a denial-of-service attempt, so a send does not get
    its own ``asyncio.run()`` and connection. Celery's prefork children each make their own
    loop on first use (the pid check), because a thread does not survive ``fork()``.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        # Touched only from the loop's own thread.
        self._client: APNs | None = None
        self._client_config: ApnsConfig | None = None

    def send(
        self, config: ApnsConfig, request: NotificationRequest, timeout: float
    ) -> NotificationResult:
        future = asyncio.run_coroutine_threadsafe(self._send(config, request), self._ensure_loop())
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise

    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None or self._pid != os.getpid():
                loop = asyncio.new_event_loop()
                threading.Thread(target=loop.run_forever, name="notify-apns", daemon=True).start()
                self._loop, self._pid = loop, os.getpid()
                self._client = self._client_config = None
            return self._loop

    async def _send(self, config: ApnsConfig, request: NotificationRequest) -> NotificationResult:
        if self._client is None or self._client_config != config:
            if self._client is not None:
                self._client.pool.close()
            self._client = _apns_client(config)
            self._client_config = config
        return await self._client.send_notification(request)


def _apns_client(config: ApnsConfig) -> APNs:
    # Built inside the loop's thread: aioapns binds the running loop when constructed.
    context = ssl.create_default_context(cafile=config.ca_file) if config.ca_file else None
    client = APNs(
        key=config.key,
        key_id=config.key_id,
        team_id=config.team_id,
        topic=config.topic,
        use_sandbox=config.use_sandbox,
        ssl_context=context,
        # aioapns sleeps 1 s between connection attempts; our caller already retries.
        max_connection_attempts=2,
        err_func=_quiet,
    )
    if config.endpoint:
        _point_apns_at(client, *config.endpoint)
    return client


def _point_apns_at(client: APNs, host: str, port: int) -> None:
    # aioapns takes Apple's host and port from class attributes of its connection protocol
    # and has no option for them. (Its HTTP proxy option would do, but on Python 3.11 it
    # hands asyncio's socket wrapper back to create_connection() and fails.) Checked, so an
    # aioapns upgrade that moves them fails here rather than connecting to Apple.
    pool = getattr(client, "pool", None)
    base = getattr(pool, "protocol_class", None)
    if base is None or not hasattr(base, "APNS_SERVER") or not hasattr(base, "APNS_PORT"):
        raise ImproperlyConfigured("APNS_ENDPOINT is not supported by this aioapns")
    pool.protocol_class = type(base.__name__, (base,), {"APNS_SERVER": host, "APNS_PORT": port})


async def _quiet(request: NotificationRequest, result: NotificationResult) -> None:
    """aioapns logs every refusal at ERROR; the caller records the attempt instead."""


_apns_runner = _ApnsRunner()


def _retry_after(response: Any) -> float | None:
    value = getattr(response, "headers", {}).get("Retry-After") if response is not None else None
    return float(value) if value and str(value).strip().isdigit() else None
