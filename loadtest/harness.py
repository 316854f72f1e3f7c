"""What the drills share: the service's database made ready, the phones, sentinel patients.

A drill process reads and writes its private database directly (set-up and checks), so
``service_setup`` migrates it and configures Django in this process on the drill's
environment; import models only after it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

from loadtest.stack import ROOT


def service_setup(env: dict[str, str]) -> None:
    """Migrate the drill's database and set Django up in this process on ``env``."""
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    os.environ.update(env)
    import django

    django.setup()


def report_close(report: dict, checks: dict[str, bool], out: Path) -> dict:
    """The report with its checks; ok only if it checked something and every check held."""
    report["checks"] = checks
    report["ok"] = bool(checks) and all(checks.values())
    report["output"] = str(out)
    return report


def report_exit(report: dict) -> int:
    """Print the report as JSON; the exit status `make drills` reads (1 when a check failed)."""
    print(json.dumps(report, indent=1))
    return 0 if report["ok"] else 1


def severe_entry() -> dict:
    """An entry that raises an alert (one email to a sentinel patient)."""
    return {
        "id": str(uuid.uuid4()),
        "recorded_at": (datetime.now(UTC) - timedelta(minutes=2)).isoformat(),
        "site": "ankle_outer",
        "side": "right",
        "severity": 9,
    }


def post_entry(url: str, token: str, body: dict, timeout: float = 15) -> requests.Response | str:
    """POST one entry with a fresh connection; the response, or the connection error's name."""
    try:
        return requests.post(
            f"{url}/api/v1/logs/",
            json=body,
            headers={"Authorization": f"Bearer {token}", "Connection": "close"},
            timeout=timeout,
        )
    except requests.RequestException as exc:
        return type(exc).__name__


def answer(response: requests.Response | str) -> str:
    if isinstance(response, str):
        return response
    retry = response.headers.get("Retry-After")
    return f"{response.status_code}" + (f" Retry-After={retry}" if retry else "")


@dataclass
class Sentinels:
    """Patients with email alerts whose one severe entry each raises one alert email."""

    tokens: list[str]
    emails: set[str]
    answers: Counter[str] = field(default_factory=Counter)
    acked: list[str] = field(default_factory=list)

    # Web Push subscription id -> sentinel index, when they also have a browser (pushstub).
    pushes: dict[str, int] = field(default_factory=dict)

    @classmethod
    def create(cls, count: int, subscriptions: Sequence[dict] = ()) -> Sentinels:
        """``subscriptions``: one Web Push subscription per sentinel (or none), which then
        gets its alerts by push as well as by email."""
        from django.db import connection

        from accounts.services import auth_token_issue
        from notify.models import Device
        from tests.factories import PatientFactory

        channels = ["push", "email"] if subscriptions else ["email"]
        patients = [PatientFactory(alert_channels=channels) for _ in range(count)]
        pushes = {}
        for index, (patient, sub) in enumerate(zip(patients, subscriptions, strict=False)):
            Device.objects.create(
                patient=patient, kind="webpush", address=sub["endpoint"], keys=sub["keys"]
            )
            pushes[sub["endpoint"].rsplit("/", 1)[1]] = index
        tokens = [auth_token_issue(user=p.user)[0] for p in patients]
        emails = {p.user.email for p in patients}
        connection.close()
        return cls(tokens=tokens, emails=emails, pushes=pushes)

    def post(self, url: str, index: int) -> str:
        """The severe entry of sentinel ``index``, sent until it is acknowledged; every
        answer is counted. As the app does, an entry without an answer is sent again by
        sync (idempotent by id: the first POST may have been stored before its answer was
        lost, and a second POST of that id would be refused)."""
        body = severe_entry()
        got = answer(post_entry(url, self.tokens[index], body))
        self.answers[got] += 1
        for _ in range(60):
            if got in {"200", "201"}:  # 200: sync said created or unchanged
                self.acked.append(body["id"])
                return got
            time.sleep(1)
            got = self._sync(url, self.tokens[index], body)
            self.answers[got] += 1
        return got

    @staticmethod
    def _sync(url: str, token: str, body: dict) -> str:
        try:
            response = requests.post(
                f"{url}/api/v1/logs/sync/",
                json={"logs": [body]},
                headers={"Authorization": f"Bearer {token}", "Connection": "close"},
                timeout=15,
            )
        except requests.RequestException as exc:
            return type(exc).__name__
        if response.status_code == 200:
            status = response.json()["results"][0]["status"]
            return "200" if status in {"created", "unchanged"} else f"sync {status}"
        return answer(response)


class Phones:
    """Simulated phones (loadtest/locustfile.py) for ``seconds``, writing into ``out``."""

    def __init__(
        self,
        env: dict[str, str],
        url: str,
        users: int,
        seconds: int,
        out: Path,
        spawn_rate: float | None = None,
    ):
        """``spawn_rate``: phones started per second (all at once by default)."""
        self.out = out
        self._log = (out / "locust.log").open("wb")
        self.process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "locust",
                "-f",
                "loadtest/locustfile.py",
                "--headless",
                "-u",
                str(users),
                "-r",
                str(spawn_rate or users),
                "-t",
                f"{seconds}s",
                "--stop-timeout",
                "90",
                "--host",
                url,
                "--only-summary",
            ],
            cwd=ROOT,
            env={**env, "LOADTEST_OUT": str(out)},
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def stop(self, timeout: float = 200) -> int:
        """End the run now, as its time limit would (each phone flushes its queue)."""
        (self.out / "stop").touch()
        return self.wait(timeout)

    def wait(self, timeout: float) -> int:
        return self.process.wait(timeout=timeout)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def summary(self) -> dict:
        """statuses (answers per request kind), acknowledged ids, unflushed, rejected."""
        summary = json.loads((self.out / "statuses.json").read_text())
        summary["acked"] = (self.out / "acked.txt").read_text().split()
        failed = self.out / "failed.txt"
        summary["failed"] = [  # (when, kind, status and, for no answer, why)
            (float(at), kind, " ".join(code))
            for at, kind, *code in (
                line.split()
                for line in (failed.read_text() if failed.exists() else "").splitlines()
            )
        ]
        return summary


def stored_phone_entries() -> set[str]:
    from journal.models import PainLog

    return {
        str(pk)
        for pk in PainLog.objects.filter(patient__user__email__endswith="@load.test").values_list(
            "pk", flat=True
        )
    }
