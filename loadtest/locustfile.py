"""Simulated phones: register, log pain, sync offline batches, read triage and the journal.

A phone behaves as the app does: every entry gets its id on the phone; an entry counts as
acknowledged only when the server said so (201 for a POST, "created"/"unchanged" in a sync
result). Anything else (503 while the database restarts, a dropped connection) leaves the
entry queued, and the next sync sends it again under the same id, which is harmless.
At the end each phone flushes its queue.

Written for the drills (loadtest/drills.py) but usable alone:

    LOADTEST_OUT=/tmp/lt .venv/bin/locust -f loadtest/locustfile.py --headless -u 20 -r 20 \\
        -t 60s --host http://127.0.0.1:8000

Creating LOADTEST_OUT/stop ends the run early, as ``-t`` would. LOADTEST_OUT (a directory)
receives acked.txt (one id per acknowledged entry, as
acknowledged), made.txt (each entry's id and the Unix time the phone made it, before it was
first sent: the backup drill tells entries made after its restore point by it), failed.txt
(the Unix time, kind and status of each failed request: no answer, or 4xx/5xx other
than 503) and statuses.json (answers per request kind and status; 503s with
Retry-After counted apart).
"""

from __future__ import annotations

import json
import os
import random
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from locust import HttpUser, between, events, task

OUT = Path(os.environ.get("LOADTEST_OUT", "."))
OUT.mkdir(parents=True, exist_ok=True)
_acked = (OUT / "acked.txt").open("a", buffering=1)
_made = (OUT / "made.txt").open("a", buffering=1)
_failed = (OUT / "failed.txt").open("a", buffering=1)
statuses: Counter[str] = Counter()
unflushed: list[str] = []
rejected: list[str] = []  # entries the server refused as invalid: a bug in this file


def _entry() -> dict:
    entry_id = str(uuid.uuid4())
    _made.write(f"{entry_id} {time.time():.6f}\n")
    return {
        "id": entry_id,
        "recorded_at": (datetime.now(UTC) - timedelta(minutes=random.randint(0, 3000))).isoformat(),
        "site": random.choice(["ankle_outer", "achilles", "arch", "heel_bottom"]),
        "side": random.choice(["left", "right"]),
        "severity": random.choice([1, 2, 3, 4, 5, 6, 8]),
        "swelling": random.choice(["none", "mild"]),
    }


class Phone(HttpUser):
    wait_time = between(0.05, 0.3)

    def on_start(self) -> None:
        self.queue: dict[str, dict] = {}
        self.token = ""
        while not self.token:
            email = f"phone-{uuid.uuid4().hex[:12]}@load.test"
            response = self._call(
                "POST",
                "/api/v1/auth/register/",
                "register",
                json={"email": email, "password": f"Load-{uuid.uuid4().hex}", "timezone": "UTC"},
            )
            if response is not None and response.status_code == 201:
                self.token = response.json()["token"]
            else:
                time.sleep(1)
        self.client.headers["Authorization"] = f"Bearer {self.token}"

    def _call(self, method: str, path: str, name: str, **kwargs):
        with self.client.request(
            method, path, name=name, catch_response=True, timeout=15, **kwargs
        ) as response:
            code = response.status_code
            if code == 503 and response.headers.get("Retry-After"):
                statuses[f"{name} 503+Retry-After"] += 1
            else:
                statuses[f"{name} {code}"] += 1
            if code == 0:
                response.failure("no answer")
                # Why (timeout, reset, refused): the cause of a lost answer is the finding.
                why = type(response.error).__name__ if response.error else "-"
                _failed.write(f"{time.time():.3f} {name} {code} {why}\n")
            elif code == 503:
                response.success()  # expected during the drills: the phone retries later
            elif code >= 400:
                response.failure(f"{code}")
                _failed.write(f"{time.time():.3f} {name} {code}\n")
            return response

    def _ack(self, ids: list[str]) -> None:
        for entry_id in ids:
            self.queue.pop(entry_id, None)
            _acked.write(entry_id + "\n")

    @task(6)
    def log_pain(self) -> None:
        entry = _entry()
        self.queue[entry["id"]] = entry
        response = self._call("POST", "/api/v1/logs/", "log", json=entry)
        if response.status_code == 201:
            self._ack([entry["id"]])

    @task(2)
    def sync(self) -> None:
        for _ in range(random.randint(1, 4)):  # made offline
            entry = _entry()
            self.queue[entry["id"]] = entry
        self._flush()

    def _flush(self) -> bool:
        batch = list(self.queue.values())[:100]
        response = self._call("POST", "/api/v1/logs/sync/", "sync", json={"logs": batch})
        if response.status_code != 200:
            return False
        results = response.json()["results"]
        self._ack([r["id"] for r in results if r["status"] in {"created", "unchanged"}])
        for result in results:
            if result["status"] == "invalid":
                rejected.append(result["id"])
                self.queue.pop(result["id"], None)
        return True

    @task(3)
    def read_triage(self) -> None:
        self._call("GET", "/api/v1/triage/", "triage")

    @task(1)
    def read_journal(self) -> None:
        self._call("GET", "/api/v1/logs/?page_size=20", "list")

    def on_stop(self) -> None:
        deadline = time.monotonic() + 60
        while self.queue and time.monotonic() < deadline:
            if not self._flush():
                time.sleep(1)
        unflushed.extend(self.queue)


@events.test_start.add_listener
def _stop_when_told(environment, **_kwargs) -> None:
    """LOADTEST_OUT/stop appearing ends the run as ``-t`` does: every phone stops (and
    flushes its queue in on_stop). A drill whose phases take as long as they take uses it."""
    import gevent

    def watch() -> None:
        while not (OUT / "stop").exists():
            gevent.sleep(0.5)
        environment.runner.quit()

    gevent.spawn(watch)


@events.quitting.add_listener
def _write_summary(environment, **_kwargs) -> None:
    _acked.flush()
    _made.flush()
    summary = {"statuses": dict(statuses), "unflushed": unflushed, "rejected": rejected}
    (OUT / "statuses.json").write_text(json.dumps(summary, indent=1, sort_keys=True))
