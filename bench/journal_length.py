"""POST /api/v1/logs/ latency for a patient with two years of daily entries vs one with 10.

A write re-reads only the episode it touches (triage.state), so the length of the journal
behind it should not show in its latency. Two shapes of a two-year journal (730 entries, one
site, daily), each measured against a 10-entry journal in the same run, requests alternating
between the two patients on one keep-alive connection each (drift hits both):

- ``episodic``: flares of 2-5 weeks with pain-free months between them, as a person's
  journal would read; the current flare began 10 days ago;
- ``continuous``: pain every day for two years, one episode with its alert open from day one
  (the worst case: the touched episode is the whole journal).

Each round takes fresh patients so that the short journal stays short.

    .venv/bin/python bench/journal_length.py [--rounds 8] [--posts 40]
"""

from __future__ import annotations

import http.client
import json
import os
import random
import signal
import time
import uuid
from datetime import UTC, datetime, timedelta

from _setup import main, record
from post_throughput import OURS, free_port, quantile, start_server

PLACE = ("ankle_outer", "left")


def _flaring(day: int) -> bool:
    """Days ago -> in a flare: the last 10 days, then 3 weeks in every 10."""
    return day < 10 or (day // 10) % 10 == 3 or (day // 10) % 10 == 4


def patient_with(days: int, shape: str) -> str:
    """A patient with one entry a day for ``days`` days; their token."""
    from django.db import transaction

    from accounts.services import auth_token_issue
    from journal.models import PainLog
    from tests.factories import PatientFactory
    from triage.services import patient_reassess

    patient = PatientFactory()
    now = datetime.now(UTC)
    rows = []
    for day in range(days):
        painful = shape == "continuous" or _flaring(day)
        rows.append(
            PainLog(
                patient=patient,
                recorded_at=now - timedelta(days=day, hours=2),
                site=PLACE[0],
                side=PLACE[1],
                severity=3 + day % 3 if painful else 0,
                swelling="mild" if painful else "none",
                gone=not painful,
            )
        )
    PainLog.objects.bulk_create(rows)
    with transaction.atomic():  # the alerts a journal this long has open
        patient_reassess(patient=patient, now=now)
    return auth_token_issue(user=patient.user)[0]


def post(conn: http.client.HTTPConnection, token: str, rng: random.Random) -> float:
    body = {
        "id": str(uuid.uuid4()),
        "recorded_at": (datetime.now(UTC) - timedelta(minutes=rng.randint(0, 90))).isoformat(),
        "site": PLACE[0],
        "side": PLACE[1],
        "severity": rng.randint(2, 5),
        "swelling": "mild",
    }
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    started = time.perf_counter()
    conn.request("POST", OURS, json.dumps(body), headers)
    response = conn.getresponse()
    response.read()
    if response.status != 201:
        raise RuntimeError(f"POST answered {response.status}")
    return time.perf_counter() - started


def measure(port: int, shape: str, rounds: int, posts: int) -> None:
    rng = random.Random(shape)
    short: list[float] = []
    long: list[float] = []
    conns = [http.client.HTTPConnection("127.0.0.1", port, timeout=30) for _ in range(2)]
    for index in range(rounds + 1):  # round 0 warms the server up and is not counted
        tokens = (patient_with(10, shape), patient_with(730, shape))
        for _ in range(posts):
            a = post(conns[0], tokens[0], rng)
            b = post(conns[1], tokens[1], rng)
            if index:
                short.append(a)
                long.append(b)
    for conn in conns:
        conn.close()
    for name, q in (("p50", 0.5), ("p99", 0.99)):
        s, lg = quantile(short, q) * 1000, quantile(long, q) * 1000
        print(
            f"POST /logs/ {name}, {shape}: 730 entries {lg:.1f} ms, 10 entries {s:.1f} ms, "
            f"ratio {lg / s:.2f} (goal <= 1.15; n={len(long)})"
        )
        record(
            f"POST /logs/ latency {name}, 730 vs 10 entries ({shape})",
            f"{lg:.1f} ms",
            f"{s:.1f} ms (10 entries)",
            f"{lg / s:.2f}x",
        )


def run(rounds: int, posts: int) -> None:
    port = free_port()
    server = start_server(port, 1, 1)  # one request at a time: latency, not throughput
    try:
        for shape in ("episodic", "continuous"):
            measure(port, shape, rounds, posts)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main(run, rounds=8, posts=40)
