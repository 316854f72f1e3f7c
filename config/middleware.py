"""A database or Redis that is down or restarting is a 503 with Retry-After, never a 500."""

from __future__ import annotations

import logging
from collections.abc import Callable

import redis.exceptions
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5

# Redis serves the cache (login/register throttles); journal writes never wait on it (the
# outbox keeps messages until the broker is back), so only cache users can meet these.
UNAVAILABLE = (
    OperationalError,
    InterfaceError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
)


class DatabaseUnavailableMiddleware:
    """Turns a lost or refused database (or Redis) connection in a view into 503 +
    ``Retry-After``.

    The phone keeps the entry and sends it again later under the same id. Usually nothing
    was stored; if the connection broke just after the commit, the retry finds the entry
    (sync answers "unchanged"), so it is stored once either way. Django reconnects on the
    next request by itself (``CONN_HEALTH_CHECKS``): no restart of the web process is needed.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if not isinstance(exc, UNAVAILABLE):
            return None
        log.warning("dependency unavailable: %s", type(exc.__cause__ or exc).__name__)
        response = JsonResponse(
            {"detail": "The service is briefly unavailable. Please try again shortly."},
            status=503,
        )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
