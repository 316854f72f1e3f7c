"""A request that waited too long for a web thread is answered 503 + Retry-After at once,
in the production gunicorn (config/gunicorn_worker.py + config/middleware.py)."""

from __future__ import annotations

import http.client
import os
import socket
import threading
import time

import pytest

from loadtest.stack import Gunicorn, service_env


def _get(port: int, path: str) -> tuple[int, dict[str, str], float]:
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status, dict(response.getheaders()), time.monotonic() - started


@pytest.fixture
def one_thread_web(tmp_path):
    env = service_env(
        f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        WEB_MAX_QUEUE_SECONDS="1",
        GUNICORN_MAX_REQUESTS="0",
    )
    web = Gunicorn(env, workers=1, threads=1).start()
    try:
        yield web
    finally:
        web.stop()


@pytest.mark.integration
def test_a_request_queued_behind_a_slow_one_is_shed_and_liveness_is_not(one_thread_web):
    port = one_thread_web.port
    # A client that sends half its headers, then pauses, holds the worker's only thread.
    slow = socket.create_connection(("127.0.0.1", port))
    slow.sendall(b"GET /api/v1/logs/ HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    time.sleep(0.5)  # the thread has picked it up and is reading its headers
    results: dict[str, tuple[int, dict[str, str], float]] = {}
    queued = [
        threading.Thread(target=lambda p=p: results.__setitem__(p, _get(port, p)))
        for p in ("/api/v1/logs/", "/health/live/")
    ]
    for thread in queued:
        thread.start()
    time.sleep(2.5)  # both wait in the queue past WEB_MAX_QUEUE_SECONDS
    slow.sendall(b"Connection: close\r\n\r\n")
    first = slow.recv(4096).decode("latin-1")
    slow.close()
    for thread in queued:
        thread.join(timeout=30)

    assert first.startswith("HTTP/1.1 401"), first  # the slow one itself is served
    status, headers, _ = results["/api/v1/logs/"]
    assert status == 503
    assert headers["Retry-After"] == "5"
    assert results["/health/live/"][0] == 200
    # Once the queue is short again, requests are served as usual.
    assert _get(port, "/api/v1/logs/")[0] == 401
