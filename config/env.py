"""The one place that reads the process environment.

Every reader raises ``ImproperlyConfigured`` naming the variable, so a typo in
a deployment stops start-up instead of silently falling back to a default.
"""

from __future__ import annotations

import os
import re
from urllib.parse import urlparse

import environ
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    return None if value is None else value.strip()


def env_str(name: str, default: str) -> str:
    value = _raw(name)
    return default if value is None or value == "" else value


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean; use true or false.")


def env_int(name: str, default: int, *, minimum: int = 0, maximum: int = 65535) -> int:
    value = _raw(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer.") from None
    if not minimum <= number <= maximum:
        raise ImproperlyConfigured(f"{name}={number} is outside {minimum}..{maximum}.")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None or value == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_list_matching(name: str, pattern: str, example: str) -> list[str]:
    """A comma-separated list whose every item matches ``pattern`` (full match); empty if
    unset. A malformed item stops start-up naming the variable and an example."""
    items = env_list(name, [])
    for item in items:
        if not re.fullmatch(pattern, item):
            raise ImproperlyConfigured(f"{name}: {item!r} is not like {example}.")
    return items


def env_database(name: str, default: str) -> dict:
    value = env_str(name, default)
    try:
        config = environ.Env.db_url_config(value)
    except (ImproperlyConfigured, KeyError, ValueError) as exc:
        raise ImproperlyConfigured(f"{name}={value!r} is not a database URL: {exc}") from None
    if config.get("ENGINE") not in {
        "django.db.backends.postgresql",
        "django.db.backends.sqlite3",
    }:
        raise ImproperlyConfigured(
            f"{name}={value!r}: only postgres:// and sqlite:// URLs are supported."
        )
    return config


def env_redis_url(name: str) -> str | None:
    value = _raw(name)
    if value is None or value == "":
        return None
    parsed = urlparse(value)
    if parsed.scheme not in {"redis", "rediss"} or not parsed.hostname:
        raise ImproperlyConfigured(f"{name}={value!r} is not a Redis URL (redis://host:port/db).")
    return value


def env_url(name: str, default: str) -> str:
    """An absolute http(s) URL without a trailing slash (links are built as base + path)."""
    value = env_str(name, default)
    parsed = urlparse(value)
    if parsed.scheme not in {"http", "https"} or not parsed.hostname:
        raise ImproperlyConfigured(f"{name}={value!r} is not an http(s) URL like https://host.")
    if parsed.query or parsed.fragment:
        raise ImproperlyConfigured(f"{name}={value!r} must not have a query or fragment.")
    return value.rstrip("/")


def env_email_url(name: str) -> dict[str, object]:
    """``smtp+tls://user:password@host:587`` (or ``smtp+ssl://``, ``smtp://``) as Django's
    EMAIL_* settings; empty if unset. Individual EMAIL_* variables override its parts."""
    value = _raw(name)
    if value is None or value == "":
        return {}
    if urlparse(value).scheme not in {"smtp", "smtp+tls", "smtp+ssl", "smtps"}:
        raise ImproperlyConfigured(
            f"{name}: use smtp://, smtp+tls:// or smtp+ssl:// (user:password@host:port)."
        )
    try:
        config = environ.Env.email_url_config(value)
    except (ImproperlyConfigured, KeyError, ValueError) as exc:
        raise ImproperlyConfigured(f"{name} is not an email URL: {exc}") from None
    return {key: item for key, item in config.items() if item not in (None, "")}
