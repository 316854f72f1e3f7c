"""Where a sign-in lands when its ``next=`` is missing or refused (``LOGIN_REDIRECT_URL``).

Django's default, ``/accounts/profile/``, does not exist here; and one fixed page cannot suit
both admin sites, since each refuses the other's people."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse


def after_sign_in(request: HttpRequest) -> HttpResponseRedirect:
    user = request.user
    if user.is_authenticated and (user.is_superuser or user.is_clinician):
        return HttpResponseRedirect(reverse("clinic:index"))
    if user.is_authenticated and user.is_staff:
        return HttpResponseRedirect(reverse("admin:index"))
    return HttpResponseRedirect(reverse("home"))
