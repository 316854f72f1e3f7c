"""Single-entry POST /api/v1/logs/ through gunicorn, N concurrent clients, vs the minimal view.

Ours: the real endpoint (validation, patient lock, insert, triage re-assessment, alert rows)
for patients with 60 days of two-site history. Baseline: the smallest authenticated DRF
view that creates one entry (bench/minimal_urls.py), same server, same clients, same run.
Each client is one patient on one keep-alive connection, posting back to back; each view has
its own patients. Rounds alternate ours/baseline so drift on a shared machine hits both.

    .venv/bin/python bench/post_throughput.py [--clients 8] [--seconds 10] [--rounds 3]
        [--workers 2] [--threads 4]
"""

from __future__ import annotations

import http.client
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

from _setup import ROOT, main, record

OURS = "/api/v1/logs/"
MINIMAL = "/bench/minimal-log/"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def seed(clients: int, days: int) -> list[str]:
    from journal.models import PainLog
    from journal.services import auth_token_issue
    from tests.factories import PatientFactory

    tokens = []
    now = datetime.now(UTC)
    for _ in range(clients):
        patient = PatientFactory()
        PainLog.objects.bulk_create(
            PainLog(
                patient=patient,
                recorded_at=now - timedelta(days=day, hours=hour + 1),
                site=site,
                side=side,
                severity=(day + hour) % 6,
                swelling="mild",
            )
            for day in range(days)
            for hour, (site, side) in enumerate([("ankle_outer", "left"), ("achilles", "right")])
        )
        tokens.append(auth_token_issue(user=patient.user)[0])
    return tokens


def start_server(port: int, workers: int, threads: int) -> subprocess.Popen[bytes]:
    from django.db import connection

    settings = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "minimal_settings",
        "DATABASE_URL": f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}"
        f"/{settings['NAME']}",
        "WEB_CONCURRENCY": str(workers),
        "WEB_THREADS": str(threads),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_MAX_REQUESTS": "0",
        "LOG_LEVEL": "INFO",  # as in production: one JSON access line per request
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "config/gunicorn.py",
            "--pythonpath",
            "bench",
            "config.wsgi",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/health/live/")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def load(port: int, path: str, tokens: list[str], seconds: float) -> tuple[int, list[float]]:
    """Every client posts back to back for ``seconds``; returns (requests, latencies)."""
    latencies: list[float] = []
    errors: list[str] = []
    stop_at = time.monotonic() + seconds
    lock = threading.Lock()

    def client(token: str) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        mine = []
        rng = random.Random(token)
        while time.monotonic() < stop_at:
            body = {
                "id": str(uuid.uuid4()),
                "recorded_at": (
                    datetime.now(UTC) - timedelta(minutes=rng.randint(0, 5000))
                ).isoformat(),
                "site": rng.choice(["ankle_outer", "achilles", "arch"]),
                "side": rng.choice(["left", "right"]),
                "severity": rng.randint(1, 5),
                "swelling": "mild",
            }
            started = time.perf_counter()
            conn.request("POST", path, json.dumps(body), headers)
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - started)
            if response.status != 201:
                errors.append(f"{response.status}")
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(t,)) for t in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(f"{path}: {len(errors)} non-201 answers, e.g. {errors[:5]}")
    return len(latencies), latencies


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run(clients: int, seconds: int, rounds: int, workers: int, threads: int, days: int) -> None:
    # Each view posts for patients of its own (same history): the minimal view's entries
    # used to land in the same journals, so the faster it ran the longer the history our
    # endpoint re-assessed (about 1,300 extra entries a patient by the last round).
    tokens = {OURS: seed(clients, days), MINIMAL: seed(clients, days)}
    port = free_port()
    server = start_server(port, workers, threads)
    try:
        load(port, OURS, tokens[OURS], 2)  # warm-up: imports, connections, first requests
        load(port, MINIMAL, tokens[MINIMAL], 2)
        rates: dict[str, list[float]] = {OURS: [], MINIMAL: []}
        samples: dict[str, list[float]] = {OURS: [], MINIMAL: []}
        for _ in range(rounds):
            for path in (OURS, MINIMAL):
                count, latencies = load(port, path, tokens[path], seconds)
                rates[path].append(count / seconds)
                samples[path].extend(latencies)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    setup = f"{clients} clients, gunicorn {workers}x{threads} gthread, {days} days of history"
    ours, base = statistics.median(rates[OURS]), statistics.median(rates[MINIMAL])
    print(
        f"POST /logs/ ({setup}): ours {ours:.0f}/s, minimal view {base:.0f}/s, "
        f"ratio {ours / base:.2f} (goal >= 0.5); medians of {rounds} rounds of {seconds} s"
    )
    record(
        "single-entry POST /logs/ throughput",
        f"{ours:.0f}/s",
        f"{base:.0f}/s (minimal view)",
        f"{ours / base:.2f}",
        setup,
    )
    for label, q in (("p50", 0.5), ("p99", 0.99)):
        o, b = quantile(samples[OURS], q) * 1000, quantile(samples[MINIMAL], q) * 1000
        print(f"  {label}: ours {o:.0f} ms, minimal view {b:.0f} ms")
        record(f"POST /logs/ latency {label}", f"{o:.0f} ms", f"{b:.0f} ms", f"{o / b:.2f}x")


if __name__ == "__main__":
    main(run, clients=8, seconds=10, rounds=3, workers=2, threads=4, days=60)
