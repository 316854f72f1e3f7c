"""Web Push (RFC 8030) with an encrypted payload (RFC 8291, aes128gcm) and VAPID (RFC 8292),
through pywebpush.

Settings, read at send time:
    WEBPUSH_VAPID_PRIVATE_KEY  PEM, or base64url of the raw 32-byte key or of its DER.
    WEBPUSH_VAPID_SUBJECT      "mailto:..." or "https://...": who push services contact.
    WEBPUSH_ALLOWED_HOSTS      push-service host suffixes an endpoint may point at.
    WEBPUSH_TIMEOUT            seconds for connect and for read (default 10).
    WEBPUSH_ALLOW_LOOPBACK_FOR_TESTS  test suites only: lets the loopback push stub through.

The endpoint is a URL the browser gave us and we POST to it from inside our network, so it
is a server-side request forgery hole unless:
- it is parsed by the parser that sends it (urllib3's), the host is plain ``[a-z0-9.-]``,
  Python's ``urlsplit`` reads the same host, and the host is on the allow-list;
- what is sent to is the URL rebuilt from those parsed parts, not the string we were given;
- the connection goes only to the public addresses the name resolves to: the check runs
  where the socket is opened, on the address actually connected to, so a name that
  resolves to 10.0.0.1 or 127.0.0.1 (or re-resolves there later) reaches nothing;
- no redirect is followed, and no proxy or .netrc from the environment is used.
Checked when the devices API stores an endpoint and again before each send.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import ipaddress
import json
import re
import socket
from collections.abc import Mapping
from datetime import UTC
from email.utils import parsedate_to_datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from py_vapid import Vapid
from pywebpush import WebPushException, webpush
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import LocationParseError, NewConnectionError
from urllib3.util import Url, parse_url

from notify.channels.base import Envelope, TransportError

DEFAULT_ALLOWED_HOSTS = (
    "fcm.googleapis.com",  # Chrome, Edge on Android, Samsung Internet, Opera
    "updates.push.services.mozilla.com",  # Firefox
    "web.push.apple.com",  # Safari
    "notify.windows.com",  # Edge on Windows (wns2-*.notify.windows.com)
)
DEFAULT_TIMEOUT_SECONDS = 10.0
# The Device.address column: a longer endpoint would be a database error, not a 400. Real
# push-service endpoints are a few hundred characters.
MAX_ENDPOINT_LENGTH = 1024
# RFC 8291 §4: a push service must accept 4096 octets of encrypted body. aes128gcm in one
# record adds 86 octets of header (salt, record size, sender key), a padding delimiter and
# a 16-octet tag, which leaves 3993 octets of plaintext.
MAX_PAYLOAD_BYTES = 3993

_LOOPBACK_NAMES = {"localhost"}
_HOST = re.compile(r"[a-z0-9.-]+")
# Printable ASCII without space or backslash: the characters parsers disagree about.
_ENDPOINT_CHARS = re.compile(r"[!-\[\]-~]+")
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
    endpoint = _check_endpoint(endpoint)

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
            except requests.ConnectionError as exc:
                refused = _refused_address(exc)
                if refused is not None:
                    # Not gone: the name may point somewhere public again, and an operator
                    # should see this rather than have devices disappear.
                    raise TransportError(str(refused), permanent=True) from exc
                raise TransportError(f"push service unreachable: {exc!r}") from exc
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
    """A redirect would send the payload to a host the allow-list never saw; a proxy from
    the environment would connect on our behalf, past the address check."""

    def __init__(self) -> None:
        super().__init__()
        self.trust_env = False
        adapter = _PublicAddressAdapter()
        self.mount("https://", adapter)
        self.mount("http://", adapter)

    def post(self, url: str | bytes, data: Any = None, json: Any = None, **kwargs: Any):  # type: ignore[override]
        kwargs["allow_redirects"] = False
        return super().post(url, data=data, json=json, **kwargs)


class AddressRefused(NewConnectionError):
    """The push host resolved to an address we never connect to (private, loopback, ...)."""


def _refused_address(exc: requests.ConnectionError) -> AddressRefused | None:
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return reason if isinstance(reason, AddressRefused) else None


def _address_allowed(ip: str) -> bool:
    address = ipaddress.ip_address(ip.split("%")[0])
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback and _loopback_allowed():
        return True
    # is_global is false for private, loopback, link-local (cloud metadata at
    # 169.254.169.254), carrier-grade NAT, documentation and reserved ranges.
    return address.is_global and not address.is_multicast


def _loopback_allowed() -> bool:
    return bool(getattr(settings, "WEBPUSH_ALLOW_LOOPBACK_FOR_TESTS", False))


class _PublicAddressMixin:
    """Resolve, refuse unless every address is public, then connect to a checked address.

    Checking the address the socket opens (not an earlier lookup) leaves no gap for DNS
    rebinding. TLS still verifies the certificate against the host name.
    """

    host: str
    port: int
    timeout: Any
    source_address: Any
    socket_options: Any

    def _new_conn(self) -> socket.socket:
        try:
            infos = socket.getaddrinfo(self.host, self.port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise NewConnectionError(self, f"cannot resolve {self.host}: {exc}") from exc  # type: ignore[arg-type]
        ips = [str(info[4][0]) for info in infos]
        bad = [ip for ip in ips if not _address_allowed(ip)]
        if bad or not ips:
            raise AddressRefused(
                self,  # type: ignore[arg-type]
                f"push service host {self.host!r} resolves to a non-public address "
                f"({', '.join(bad) or 'none'}); not connecting",
            )
        try:
            return urllib3.util.connection.create_connection(
                (ips[0], self.port),
                self.timeout,
                source_address=self.source_address,
                socket_options=self.socket_options,
            )
        except OSError as exc:
            raise NewConnectionError(self, f"cannot connect to {self.host}: {exc}") from exc  # type: ignore[arg-type]


class _PublicHTTPConnection(_PublicAddressMixin, HTTPConnection):
    pass


class _PublicHTTPSConnection(_PublicAddressMixin, HTTPSConnection):
    pass


class _PublicHTTPPool(HTTPConnectionPool):
    ConnectionCls = _PublicHTTPConnection


class _PublicHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _PublicHTTPSConnection


class _PublicAddressAdapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _PublicHTTPPool,
            "https": _PublicHTTPSPool,
        }


def _check_endpoint(endpoint: str) -> str:
    """Validate with urllib3's parser (the one that sends); return the URL rebuilt from
    the parsed parts, which is what is stored and sent to."""
    if not _ENDPOINT_CHARS.fullmatch(endpoint):
        raise ValueError(
            "subscription endpoint must be printable ASCII without spaces or backslashes"
        )
    try:
        parts = parse_url(endpoint)
        other = urlsplit(endpoint)
        other_port = other.port
    except (LocationParseError, ValueError) as exc:
        raise ValueError(f"subscription endpoint is not a valid URL: {exc}") from None
    host = parts.host or ""
    if not host:
        raise ValueError("subscription endpoint has no host")
    if parts.auth is not None or other.username is not None or other.password is not None:
        raise ValueError("subscription endpoint must not carry credentials")
    if not _HOST.fullmatch(host) or host != (other.hostname or "") or parts.port != other_port:
        # Two parsers reading two hosts is how an allow-list is fooled.
        raise ValueError("subscription endpoint host must be a plain name (a-z, 0-9, '.', '-')")
    loopback = _is_loopback(host) and _loopback_allowed()
    if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
        raise ValueError("subscription endpoint must use https")
    if parts.port is not None and parts.port != 443 and not loopback:
        raise ValueError("subscription endpoint must use the default https port")
    if not _host_allowed(host, allowed_hosts()):
        raise ValueError(f"push service host {host!r} is not on the allow-list")
    if _is_ip(host) and not _address_allowed(host):
        raise ValueError(f"push service host {host!r} is not a public address")
    return Url(
        scheme=parts.scheme, host=host, port=parts.port, path=parts.path, query=parts.query
    ).url


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
