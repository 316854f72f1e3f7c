"""A database or Redis that is down or restarting, or a request queued too long behind slow
ones, is a 503 with Retry-After, never a 500 or no answer."""

from __future__ import annotations

import logging
from collections.abc import Callable

import redis.exceptions
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse

from config.gunicorn_worker import QUEUE_WAIT_KEY

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


def _unavailable() -> JsonResponse:
    response = JsonResponse(
        {"detail": "The service is briefly unavailable. Please try again shortly."},
        status=503,
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class QueueShedMiddleware:
    """Answers 503 + ``Retry-After`` at once to a request that waited longer than
    ``WEB_MAX_QUEUE_SECONDS`` for a thread (config/gunicorn_worker.py measures the wait).

    Such a request was queued behind slow ones (a slow or lossy database link); serving it
    would keep it waiting longer still and its phone may already have given up. Shedding it
    costs no query, so the queue drains; the phone keeps the entry and retries. Liveness is
    never shed: an overloaded process is alive, and restarting it would lose the queue.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.limit = settings.WEB_MAX_QUEUE_SECONDS

    def __call__(self, request: HttpRequest) -> HttpResponse:
        waited = request.META.get(QUEUE_WAIT_KEY, 0.0)
        if self.limit and waited > self.limit and request.path != "/health/live/":
            log.warning("request shed after %.1f s in the queue", waited)
            return _unavailable()
        return self.get_response(request)


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
        return _unavailable()
