"""Request ids and structured (JSON) logs.

Every request gets an id (the caller's ``X-Request-ID`` when it is a short token, otherwise a
new one); it is echoed in the response and stamped on every log line written while the
request runs, so one request's lines can be found across web and database errors.

Access lines carry method, route path, status, duration and the user's id, never a query
string or body: those can hold pain entries, which are health data. Health probes are not
logged at all; a load balancer polls them every few seconds.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime

from celery._state import get_current_task
from django.http import HttpRequest, HttpResponse

from config.gunicorn_worker import QUEUE_WAIT_KEY

request_id: ContextVar[str] = ContextVar("request_id", default="-")

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_QUIET_PREFIXES = ("/health/",)
access_log = logging.getLogger("footjournal.access")


class RequestIdFilter(logging.Filter):
    """Adds ``record.request_id`` for the formatters (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id, extras; in a
    Celery task also its name and id."""

    EXTRAS = ("method", "path", "status", "duration_ms", "user_id")

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", request_id.get()),
        }
        for name in self.EXTRAS:
            if hasattr(record, name):
                line[name] = getattr(record, name)
        task = get_current_task()
        if task is not None and task.request.id:
            line["task"], line["task_id"] = task.name, task.request.id
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


class RequestIdMiddleware:
    """Outermost middleware: sets the request id, writes one access line per request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        token = request_id.set(rid)
        request.request_id = rid  # type: ignore[attr-defined]
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = rid
            if not request.path.startswith(_QUIET_PREFIXES):
                user = getattr(request, "user", None)
                access_log.info(
                    "%s %s %s",
                    request.method,
                    request.path,
                    response.status_code,
                    extra={
                        "method": request.method,
                        "path": request.path,
                        "status": response.status_code,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                        # Time spent waiting for a web thread (gunicorn only; 0 elsewhere).
                        "queue_ms": round(request.META.get(QUEUE_WAIT_KEY, 0.0) * 1000, 1),
                        "user_id": getattr(user, "pk", None),
                    },
                )
            return response
        finally:
            request_id.reset(token)
