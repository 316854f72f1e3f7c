"""django-axes' own "admin only" check knows a single admin site (reverse("admin:index"));
we have two, so lockout applies to the login of each and to nothing else (the API login has
its own throttles)."""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

ADMIN_SITES = ("clinic", "admin")


class AdminSitesHandler(AxesDatabaseHandler):
    def is_admin_request(self, request: HttpRequest) -> bool:
        path = getattr(request, "path", "") or ""
        for name in ADMIN_SITES:
            try:
                if path.startswith(reverse(f"{name}:index")):
                    return True
            except NoReverseMatch:
                continue
        return False


def lockout_username(request: HttpRequest, credentials: dict | None) -> str | None:
    """The admin form's "username" is an email: count "Doctor@x" and "doctor@x" as one
    account, as the login itself does."""
    from accounts.models import normalize_email

    raw = (credentials or {}).get("username") or request.POST.get("username")
    return normalize_email(raw) if raw else None


def client_ip(request: HttpRequest) -> str | None:
    """The address lockouts and the access log record. REMOTE_ADDR: behind a reverse proxy,
    this is where a trusted X-Forwarded-For reading belongs (never the raw header, which a
    client can set to dodge the per-address lockout)."""
    return request.META.get("REMOTE_ADDR") or None
