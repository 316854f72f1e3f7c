"""Account writes: sign-in limits, tokens, email verification, passwords, erasure."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache

from accounts.models import normalize_email

# --- failed sign-ins, per account ----------------------------------------------------------
# The per-client throttle (ScopedRateThrottle "auth") stops one address guessing quickly; this
# stops many addresses (a botnet, or a client forging X-Forwarded-For where it is trusted)
# guessing one account's password. Counted in the cache (Redis in production), so every
# process shares it; the window starts at the first failure.


def _failures_key(email: str) -> str:
    digest = hashlib.sha256(normalize_email(email).encode()).hexdigest()[:32]
    return f"login-failures:{digest}"


def login_locked_for(*, email: str) -> int | None:
    """Seconds until this account may try again, or None if it may try now."""
    if (cache.get(_failures_key(email)) or 0) < settings.LOGIN_FAILURE_LIMIT:
        return None
    # An upper bound: Django's cache API cannot say how much of the window is left.
    return settings.LOGIN_FAILURE_WINDOW_SECONDS


def login_failure_record(*, email: str) -> None:
    key = _failures_key(email)
    cache.add(key, 0, timeout=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=settings.LOGIN_FAILURE_WINDOW_SECONDS)


def login_failures_clear(*, email: str) -> None:
    cache.delete(_failures_key(email))
