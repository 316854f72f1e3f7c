"""Single-entry POST /api/v1/logs/ through gunicorn, N concurrent clients, vs the minimal view.

Ours: the real endpoint (validation, patient lock, insert, triage re-assessment, alert rows)
for patients with 60 days of two-site history. Baseline: the smallest authenticated DRF
view that creates one entry (bench/minimal_urls.py), same server, same clients, same run.
Each client posts back to back on one keep-alive connection for ``--patients`` patients of
its own, in turn (25: each journal gains a few entries a bench, as a person's would); each
view has its own patients. Rounds alternate ours/baseline so drift on a shared machine hits
both. With ``--stress 1`` (the default) it then measures the old shape too, one patient per
client: each journal grows by hundreds of entries in the bench's three and a half days, so
every write re-assesses and cites ever more. Goal (issue 17): ratio >= 0.6 in both.

    .venv/bin/python bench/post_throughput.py [--clients 8] [--seconds 10] [--rounds 3]
        [--workers 2] [--threads 4] [--patients 25] [--stress 1]
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


def seed(clients: int, days: int, ids: list[int] | None = None) -> list[str]:
    """``clients`` patients with ``days`` of two-site history; their tokens (ids appended
    to ``ids``)."""
    from accounts.services import auth_token_issue
    from journal.models import PainLog
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
        if ids is not None:
            ids.append(patient.pk)
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


def load(port: int, path: str, tokens: list[list[str]], seconds: float) -> tuple[int, list[float]]:
    """Every client (one list of patients' tokens each, taken in turn on one keep-alive
    connection) posts back to back for ``seconds``; returns (requests, latencies)."""
    latencies: list[float] = []
    errors: list[str] = []
    stop_at = time.monotonic() + seconds
    lock = threading.Lock()

    def client(mine_tokens: list[str]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        rotation = [
            {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            for token in mine_tokens
        ]
        mine = []
        rng = random.Random(mine_tokens[0])
        turn = 0
        while time.monotonic() < stop_at:
            headers = rotation[turn % len(rotation)]
            turn += 1
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


def run(
    clients: int,
    seconds: int,
    rounds: int,
    workers: int,
    threads: int,
    days: int,
    patients: int,
    stress: int,
) -> None:
    port = free_port()
    server = start_server(port, workers, threads)
    try:
        measure(port, clients, patients, seconds, rounds, days, f"gunicorn {workers}x{threads}")
        if stress:
            # The old shape: one patient per client, who gains hundreds of entries in the
            # bench's three and a half days (a phone stuck in a retry loop, not a person).
            measure(port, clients, 1, seconds, rounds, days, f"gunicorn {workers}x{threads}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def measure(
    port: int, clients: int, patients: int, seconds: int, rounds: int, days: int, server: str
) -> None:
    from django.db.models import Count

    from journal.models import PainLog

    # Each view posts for patients of its own (same history): the minimal view's entries
    # used to land in the same journals, so the faster it ran the longer the history our
    # endpoint re-assessed (about 1,300 extra entries a patient by the last round).
    ours_patients: list[int] = []
    tokens = {
        OURS: [seed(patients, days, ours_patients) for _ in range(clients)],
        MINIMAL: [seed(patients, days) for _ in range(clients)],
    }
    load(port, OURS, tokens[OURS], 2)  # warm-up: imports, connections, first requests
    load(port, MINIMAL, tokens[MINIMAL], 2)
    rates: dict[str, list[float]] = {OURS: [], MINIMAL: []}
    samples: dict[str, list[float]] = {OURS: [], MINIMAL: []}
    for _ in range(rounds):
        for path in (OURS, MINIMAL):
            count, latencies = load(port, path, tokens[path], seconds)
            rates[path].append(count / seconds)
            samples[path].extend(latencies)
    # How long our patients' journals grew: the history each write re-assessed.
    lengths = (
        PainLog.objects.filter(patient_id__in=ours_patients)
        .values("patient_id")
        .annotate(n=Count("id"))
        .values_list("n", flat=True)
    )
    longest = max(lengths)
    setup = (
        f"{clients} clients x {patients} patient(s), {server} gthread, {days} days of history"
        f" (longest journal at the end: {longest} entries)"
    )
    ours, base = statistics.median(rates[OURS]), statistics.median(rates[MINIMAL])
    goal = "goal >= 0.6"  # issue 17, both shapes
    print(
        f"POST /logs/ ({setup}): ours {ours:.0f}/s, minimal view {base:.0f}/s, "
        f"ratio {ours / base:.2f} ({goal}); medians of {rounds} rounds of {seconds} s; "
        f"rounds ours/minimal: "
        + " ".join(f"{o / b:.2f}" for o, b in zip(rates[OURS], rates[MINIMAL], strict=True))
    )
    label = "" if patients > 1 else ", one patient per client"
    record(
        f"single-entry POST /logs/ throughput{label}",
        f"{ours:.0f}/s",
        f"{base:.0f}/s (minimal view)",
        f"{ours / base:.2f}",
        setup,
    )
    for name, q in (("p50", 0.5), ("p99", 0.99)):
        o, b = quantile(samples[OURS], q) * 1000, quantile(samples[MINIMAL], q) * 1000
        print(f"  {name}: ours {o:.0f} ms, minimal view {b:.0f} ms")
        record(f"POST /logs/ latency {name}{label}", f"{o:.0f} ms", f"{b:.0f} ms", f"{o / b:.2f}x")


if __name__ == "__main__":
    main(
        run,
        clients=8,
        seconds=10,
        rounds=3,
        workers=2,
        threads=4,
        days=60,
        patients=25,
        stress=1,
    )
