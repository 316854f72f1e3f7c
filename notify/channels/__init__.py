"""The registry of delivery channels: the one place a channel name maps to its code."""

from __future__ import annotations

from notify.channels.base import Channel, Envelope, TransportError
from notify.channels.email import EmailChannel
from notify.channels.mobile import ApnsChannel, FcmChannel
from notify.channels.webpush import WebPushChannel

CHANNELS: dict[str, Channel] = {
    channel.name: channel
    for channel in (EmailChannel(), WebPushChannel(), FcmChannel(), ApnsChannel())
}


def get_channel(name: str) -> Channel:
    try:
        return CHANNELS[name]
    except KeyError:
        raise ValueError(f"unknown channel {name!r}; known: {', '.join(CHANNELS)}") from None


__all__ = ["CHANNELS", "Channel", "Envelope", "TransportError", "get_channel"]
