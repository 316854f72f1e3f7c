"""gunicorn's threaded worker, telling the app how long each request waited for a thread.

A gthread worker accepts every connection and queues its requests for the thread pool
without bound. When PostgreSQL turns slow (a long link, a lossy network), requests take
seconds each, the queue grows faster than the threads drain it, and a phone's request can
wait past its own timeout before Django sees it: it is never answered. With the wait in the
environ, ``config.middleware.QueueShedMiddleware`` answers a request that has waited too
long with 503 + Retry-After at once, without touching the database, so the queue drains
and the phone retries later (it keeps the entry under the same id).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from gunicorn.workers.gthread import ThreadWorker

QUEUE_WAIT_KEY = "footjournal.queue_wait_seconds"

_current = threading.local()


class QueueTimedThreadWorker(ThreadWorker):
    """ThreadWorker that stamps each queued request and passes its wait to the app."""

    def enqueue_req(self, conn: Any) -> None:
        conn.footjournal_queued_at = time.monotonic()
        super().enqueue_req(conn)

    def handle(self, conn: Any) -> Any:
        # The wait ends when a thread picks the request up; reading it is the app's time.
        _current.waited = time.monotonic() - conn.footjournal_queued_at
        return super().handle(conn)

    def load_wsgi(self) -> None:
        super().load_wsgi()
        app = self.wsgi

        def timed(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            environ[QUEUE_WAIT_KEY] = getattr(_current, "waited", 0.0)
            return app(environ, start_response)

        self.wsgi = timed
