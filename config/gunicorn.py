"""gunicorn settings for the web process: ``gunicorn -c config/gunicorn.py config.wsgi``.

Threaded workers (gthread): a request mostly waits on PostgreSQL, so threads give
concurrency at little memory; each thread keeps one persistent database connection
(``DB_CONN_MAX_AGE``), so PostgreSQL sees WEB_CONCURRENCY x WEB_THREADS connections per host.
"""

from __future__ import annotations

import multiprocessing
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from config.env import env_int, env_str

bind = env_str("GUNICORN_BIND", "0.0.0.0:8000")  # behind the proxy / load balancer
workers = env_int("WEB_CONCURRENCY", max(2, multiprocessing.cpu_count()), minimum=1, maximum=256)
threads = env_int("WEB_THREADS", 4, minimum=1, maximum=256)
# gthread, plus the time each request waited for a thread (config/gunicorn_worker.py).
worker_class = "config.gunicorn_worker.QueueTimedThreadWorker"
# Phones reuse connections; the proxy in front usually does too.
keepalive = env_int("GUNICORN_KEEPALIVE", 5, minimum=0, maximum=3600)
timeout = env_int("GUNICORN_TIMEOUT", 30, minimum=1, maximum=3600)
graceful_timeout = 20
# Recycle workers now and then so slow leaks cannot accumulate; jitter avoids all at once.
max_requests = env_int("GUNICORN_MAX_REQUESTS", 10000, minimum=0, maximum=10_000_000)
max_requests_jitter = max_requests // 10
# Django writes one JSON access line per request (config/observability.py) with its id.
accesslog = None
errorlog = "-"


def post_worker_init(worker: object) -> None:
    """Load every view now and move what loading made out of the garbage collector's sight.

    A Django worker holds a few hundred thousand long-lived objects (modules, URL patterns,
    serializers); each full collection walked all of them, several milliseconds that a
    request paid at random. Frozen objects are never scanned; what requests allocate still is.
    """
    import gc

    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports every view module and its serializers
    gc.collect()
    gc.freeze()
    # A rolling restart waits for this line before stopping the old master (loadtest/rolling.py).
    worker.log.info("Worker %s ready", worker.pid)  # type: ignore[attr-defined]
