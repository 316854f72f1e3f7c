"""Web Push (RFC 8030) with an encrypted payload (RFC 8291, aes128gcm) and VAPID (RFC 8292),
through pywebpush.

Settings, read at send time:
    WEBPUSH_VAPID_PRIVATE_KEY  PEM, or base64url of the raw 32-byte key or of its DER.
    WEBPUSH_VAPID_SUBJECT      "mailto:..." or "https://...": who push services contact.
    WEBPUSH_ALLOWED_HOSTS      push-service host suffixes an endpoint may point at.
    WEBPUSH_TIMEOUT            seconds for connect and for read (default 10).

The endpoint is a URL the browser gave us and we POST to it from inside our network, so it
is only accepted on a push service's host (else it is a server-side request forgery hole),
checked when the devices API stores it and again before each send.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import ipaddress
import json
import re
from collections.abc import Mapping
from datetime import UTC
from email.utils import parsedate_to_datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import requests
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from py_vapid import Vapid
from pywebpush import WebPushException, webpush

from notify.channels.base import Envelope, TransportError

DEFAULT_ALLOWED_HOSTS = (
    "fcm.googleapis.com",  # Chrome, Edge on Android, Samsung Internet, Opera
    "updates.push.services.mozilla.com",  # Firefox
    "web.push.apple.com",  # Safari
    "notify.windows.com",  # Edge on Windows (wns2-*.notify.windows.com)
)
DEFAULT_TIMEOUT_SECONDS = 10.0
MAX_ENDPOINT_LENGTH = 2048
# RFC 8291 §4: a push service must accept 4096 octets of encrypted body. aes128gcm in one
# record adds 86 octets of header (salt, record size, sender key), a padding delimiter and
# a 16-octet tag, which leaves 3993 octets of plaintext.
MAX_PAYLOAD_BYTES = 3993

_LOOPBACK_NAMES = {"localhost"}
_TOPIC = re.compile(r"[A-Za-z0-9_-]{1,32}")


def validate_subscription(subscription: Mapping[str, Any]) -> dict[str, Any]:
    """Check a browser's PushSubscription JSON; return it normalised.

    Returns ``{"endpoint": str, "keys": {"p256dh": str, "auth": str}}`` with keys as unpadded
    base64url. Raises ``ValueError`` saying what is wrong.
    """
    if not isinstance(subscription, Mapping):
        raise ValueError("subscription must be an object")
    endpoint = subscription.get("endpoint")
    if not isinstance(endpoint, str) or not endpoint:
        raise ValueError("subscription endpoint is missing")
    if len(endpoint) > MAX_ENDPOINT_LENGTH:
        raise ValueError(f"subscription endpoint is longer than {MAX_ENDPOINT_LENGTH} characters")
    _check_endpoint(endpoint)

    keys = subscription.get("keys")
    if not isinstance(keys, Mapping):
        raise ValueError("subscription keys are missing")
    p256dh = _b64url_decode(keys.get("p256dh"), "p256dh")
    if len(p256dh) != 65 or p256dh[0] != 0x04:
        raise ValueError("keys.p256dh must be a 65-byte uncompressed P-256 public key")
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), p256dh)
    except ValueError:
        raise ValueError("keys.p256dh is not a point on the P-256 curve") from None
    auth = _b64url_decode(keys.get("auth"), "auth")
    if len(auth) != 16:
        raise ValueError("keys.auth must be a 16-byte secret")
    return {"endpoint": endpoint, "keys": {"p256dh": _b64url(p256dh), "auth": _b64url(auth)}}


def webpush_payload(envelope: Envelope) -> dict[str, Any]:
    """The JSON the service worker receives (after decryption) in its ``push`` event."""
    return {
        "title": envelope.subject,
        "body": envelope.text,
        "url": envelope.url,
        "tag": envelope.tag,
        "data": dict(envelope.data),
    }


def topic_for(tag: str) -> str:
    """RFC 8030 §5.4: a Topic is at most 32 characters of the base64url alphabet. Other tags
    are hashed, so the same tag always gives the same Topic and still replaces its
    predecessor."""
    if _TOPIC.fullmatch(tag):
        return tag
    return _b64url(hashlib.sha256(tag.encode()).digest())[:32]


def application_server_key() -> str:
    """The VAPID public key as unpadded base64url: the ``applicationServerKey`` the web app
    passes to ``pushManager.subscribe()``. A subscription made with another key is refused by
    the push service (403)."""
    return vapid_public_key(_vapid(_setting_private_key()))


def vapid_public_key(vapid: Vapid) -> str:
    raw = vapid.public_key.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    return _b64url(raw)


class WebPushChannel:
    name = "webpush"

    def send(self, envelope: Envelope, address: Mapping[str, Any]) -> str | None:
        try:
            subscription = validate_subscription(address)
        except ValueError as exc:
            # Stored before the allow-list changed, or corrupted: it will not get better.
            raise TransportError(f"subscription refused: {exc}", permanent=True) from exc
        payload = json.dumps(webpush_payload(envelope), separators=(",", ":"))
        if len(payload.encode()) > MAX_PAYLOAD_BYTES:
            raise TransportError(
                f"payload is {len(payload.encode())} bytes; push services take {MAX_PAYLOAD_BYTES}",
                permanent=True,
            )
        vapid = _vapid(_setting_private_key())
        subject = getattr(settings, "WEBPUSH_VAPID_SUBJECT", "")
        if not subject:
            raise ImproperlyConfigured("WEBPUSH_VAPID_SUBJECT is not set (mailto: or https:)")
        timeout = float(getattr(settings, "WEBPUSH_TIMEOUT", DEFAULT_TIMEOUT_SECONDS))
        headers: dict[str, str | int | float] = {"Urgency": envelope.urgency}
        if envelope.tag:
            headers["Topic"] = topic_for(envelope.tag)

        with _NoRedirectSession() as session:
            try:
                response = webpush(
                    subscription,
                    data=payload,
                    vapid_private_key=vapid,
                    # A fresh dict every time: webpush() writes aud and exp into it.
                    vapid_claims={"sub": subject},
                    content_encoding="aes128gcm",
                    ttl=envelope.ttl_seconds,
                    headers=headers,
                    timeout=timeout,
                    requests_session=session,
                )
            except WebPushException as exc:
                if exc.response is None:
                    # Refused before sending (pywebpush could not encrypt to these keys).
                    raise TransportError(f"web push not sent: {exc}", permanent=True) from exc
                response = exc.response
            except requests.RequestException as exc:
                # Connection refused or reset, DNS failure, timeout.
                raise TransportError(f"push service unreachable: {exc!r}") from exc
        assert isinstance(response, requests.Response)
        return _result(response)


def _result(response: requests.Response) -> str | None:
    status = response.status_code
    if 200 <= status < 300:
        # RFC 8030 §5: 201 Created with the push message resource in Location.
        return response.headers.get("Location") or None
    detail = f"push service answered {status}: {response.text[:200]}"
    if status in (404, 410):
        # RFC 8030 §7.3: the subscription expired or was unsubscribed.
        raise TransportError(detail, gone=True)
    retry_after = _retry_after(response.headers.get("Retry-After"))
    if status in (401, 408, 429) or status >= 500:
        # 401: the push service rejected our VAPID token (key, claims, clock): ours to
        # fix, and the message is fine. 408/429/5xx: try later, as the service says.
        raise TransportError(detail, retry_after=retry_after)
    # 400 malformed, 403 VAPID key not the one this subscription was made with, 413 too
    # large, 3xx (push services do not redirect and we do not follow).
    raise TransportError(detail, permanent=True)


class _NoRedirectSession(requests.Session):
    """A redirect would send the payload to a host the allow-list never saw."""

    def post(self, url: str | bytes, data: Any = None, json: Any = None, **kwargs: Any):  # type: ignore[override]
        kwargs["allow_redirects"] = False
        return super().post(url, data=data, json=json, **kwargs)


def _check_endpoint(endpoint: str) -> None:
    try:
        parts = urlsplit(endpoint)
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"subscription endpoint is not a valid URL: {exc}") from None
    host = (parts.hostname or "").lower()
    if not host:
        raise ValueError("subscription endpoint has no host")
    if parts.username is not None or parts.password is not None:
        raise ValueError("subscription endpoint must not carry credentials")
    loopback = _is_loopback(host)
    if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
        raise ValueError("subscription endpoint must use https")
    if port is not None and port != 443 and not loopback:
        raise ValueError("subscription endpoint must use the default https port")
    if not _host_allowed(host, allowed_hosts()):
        raise ValueError(f"push service host {host!r} is not on the allow-list")


def allowed_hosts() -> tuple[str, ...]:
    configured = getattr(settings, "WEBPUSH_ALLOWED_HOSTS", None)
    hosts = DEFAULT_ALLOWED_HOSTS if configured is None else configured
    return tuple(h.strip().lower().lstrip(".") for h in hosts if h.strip())


def _host_allowed(host: str, allowed: tuple[str, ...]) -> bool:
    for entry in allowed:
        if host == entry:
            return True
        # A suffix matches whole labels only ("evilfcm.googleapis.com" is not
        # "fcm.googleapis.com"), and an IP address matches only itself.
        if not _is_ip(entry) and host.endswith("." + entry):
            return True
    return False


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _is_loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _setting_private_key() -> str:
    key = getattr(settings, "WEBPUSH_VAPID_PRIVATE_KEY", "")
    if not key:
        raise ImproperlyConfigured(
            "WEBPUSH_VAPID_PRIVATE_KEY is not set; `python -m notify.vapid` makes a key pair"
        )
    return key


@lru_cache(maxsize=4)
def _vapid(private_key: str) -> Vapid:
    try:
        if "-----BEGIN" in private_key:
            return Vapid.from_pem(private_key.encode())
        # Base64url of the raw 32-byte scalar (what most tools print) or of the DER.
        return Vapid.from_string(private_key.strip())
    except Exception as exc:  # py_vapid raises a mix of ValueError, TypeError, its own
        raise ImproperlyConfigured(
            f"WEBPUSH_VAPID_PRIVATE_KEY is not a P-256 private key: {exc}"
        ) from None


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # "-0000" means UTC with no zone information
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - timezone.now()).total_seconds())


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _b64url_decode(value: Any, name: str) -> bytes:
    if not isinstance(value, str) or not value:
        raise ValueError(f"keys.{name} is missing")
    if not re.fullmatch(r"[A-Za-z0-9_-]+={0,2}", value):
        raise ValueError(f"keys.{name} is not base64url")
    try:
        return base64.urlsafe_b64decode(value.rstrip("=") + "=" * (-len(value.rstrip("=")) % 4))
    except (binascii.Error, ValueError):
        raise ValueError(f"keys.{name} is not base64url") from None
