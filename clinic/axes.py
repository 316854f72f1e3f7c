"""django-axes' own "admin only" check knows a single admin site (reverse("admin:index"));
we have two, so lockout applies to the login of each and to nothing else (the API login has
its own throttles)."""

from __future__ import annotations

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

ADMIN_SITES = ("clinic", "admin")


class AdminSitesHandler(AxesDatabaseHandler):
    def user_login_failed(
        self, sender: object, credentials: dict, request: HttpRequest | None = None, **kwargs: Any
    ) -> None:
        # AXES_ONLY_ADMIN_SITE only stops the check; failures elsewhere would still be counted
        # and answered with axes' lockout page. The API login counts its own
        # (LOGIN_FAILURE_LIMIT) and answers in JSON.
        if request is not None and not self.is_admin_request(request):
            return
        super().user_login_failed(sender, credentials, request, **kwargs)

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
    """The address lockouts and the access log record: the one DRF's throttles use too
    (NUM_PROXIES), so X-Forwarded-For counts only when a proxy we were told about adds to it
    and a client cannot pick its own address to dodge the per-address lockout."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    proxies = getattr(settings, "NUM_PROXIES", 0) or 0
    addresses = [part.strip() for part in forwarded.split(",") if part.strip()]
    if proxies and addresses:
        return addresses[-min(proxies, len(addresses))]
    return request.META.get("REMOTE_ADDR") or None
