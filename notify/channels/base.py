"""The interface every delivery channel implements, and the one error type they raise.

A channel turns an ``Envelope`` (what to say, channel-neutral) and an address (where, in
the channel's own shape) into one delivery attempt. It never retries: the caller records
the attempt and decides, from ``TransportError.permanent``, whether to try again later.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

URGENCIES = ("very-low", "low", "normal", "high")


class TransportError(Exception):
    """A delivery attempt failed.

    ``permanent``: sending this same message to this same address again will fail the same
    way (a refused recipient, a malformed request, a device that is gone), so the caller must
    not retry it. Anything else (timeouts, refused connections, rate limits, 5xx, and our own
    credentials being rejected, which an operator can fix) is transient and worth retrying
    with backoff.

    ``gone``: the address no longer exists (push service 404/410, FCM UNREGISTERED, APNs
    Unregistered/BadDeviceToken); implies ``permanent``. The caller deactivates the device.

    ``retry_after``: seconds the provider asked us to wait (HTTP Retry-After), if it said;
    a floor for the caller's backoff.
    """

    def __init__(
        self,
        message: str,
        *,
        permanent: bool = False,
        gone: bool = False,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent or gone
        self.gone = gone
        self.retry_after = retry_after

    def __repr__(self) -> str:
        return f"TransportError({self.message!r}, permanent={self.permanent}, gone={self.gone})"


@dataclass(frozen=True, slots=True)
class Envelope:
    """What to say, channel-neutral. Whoever builds it keeps health detail to the minimum:
    lock screens and mail previews are read by people other than the patient."""

    subject: str  # email subject / push title
    text: str  # plain-text body (email text part, push body)
    html: str | None = None  # email only: an HTML alternative to ``text``
    url: str | None = None  # deep link the app opens
    # Collapse key / Web Push Topic / APNs collapse id: a newer message with the same tag
    # replaces an older one not yet shown (so a timer push does not stack up).
    tag: str | None = None
    urgency: str = "normal"  # RFC 8030 Urgency: very-low | low | normal | high
    ttl_seconds: int = 24 * 3600  # how long a push service may hold it for an offline device
    data: Mapping[str, str] = field(default_factory=dict)  # small extra keys for the app
    # Stable per outbox row: a copy re-sent after a crash carries the same Message-ID, so
    # mail clients that drop duplicates show it once.
    idempotency_key: str | None = None

    def __post_init__(self) -> None:
        if self.urgency not in URGENCIES:
            raise ValueError(f"urgency must be one of {URGENCIES}, not {self.urgency!r}")
        if self.ttl_seconds < 0:
            raise ValueError("ttl_seconds must not be negative")
        for key, value in self.data.items():
            # FCM data values must be strings; holding every channel to that keeps the
            # app's parsing the same whichever way the message arrived.
            if not isinstance(key, str) or not isinstance(value, str):
                raise ValueError("data keys and values must be strings")


@runtime_checkable
class Channel(Protocol):
    name: str

    def send(self, envelope: Envelope, address: Mapping[str, Any]) -> str | None:
        """Deliver once. Returns the provider's message id, if it gives one.

        Raises ``TransportError``; ``django.core.exceptions.ImproperlyConfigured`` if the
        channel's settings are missing (a deployment error, not a delivery failure).
        """
        ...


def address_field(address: Mapping[str, Any], key: str) -> str:
    """The one string an address must carry; a malformed stored address never gets better."""
    value = address.get(key)
    if not isinstance(value, str) or not value:
        raise TransportError(f"address has no {key!r}", permanent=True)
    return value
