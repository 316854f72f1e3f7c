"""Invite-code guesses, bounded three ways. One bound alone is multiplied by whatever it does
not count: per account (the ``auth`` scope) by fresh accounts, per address by a botnet; the
global bound caps the whole service's guess rate whatever the attacker holds."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from notify.operators import operators_alert


class _InviteCodeThrottle(SimpleRateThrottle):
    def get_rate(self) -> str:
        return getattr(settings, self.rate_setting)

    rate_setting = ""


class InviteCodeAddressThrottle(_InviteCodeThrottle):
    """Per client address (``NUM_PROXIES`` decides which hop is the client, so a forged
    X-Forwarded-For does not start a new count)."""

    scope = "invite_code_address"
    rate_setting = "INVITE_CODE_ADDRESS_RATE"

    def get_cache_key(self, request: Request, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class InviteCodeGlobalThrottle(_InviteCodeThrottle):
    scope = "invite_code_global"
    rate_setting = "INVITE_CODE_GLOBAL_RATE"

    def get_cache_key(self, request: Request, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": "all"}

    def throttle_failure(self) -> bool:
        operators_alert(
            key="invite-code-burst",
            subject="Invite-code guessing burst",
            body=(
                f"More than {self.num_requests} invite-code attempts in {self.duration} s across "
                "the service; further attempts get 429 until the window passes. Look for many "
                "fresh accounts or addresses in the access log."
            ),
        )
        return False
