"""Load test with fault drills, on private servers (loadtest/stack.py).

Simulated phones (loadtest/locustfile.py) log, sync and read triage for ``--seconds``.
Meanwhile:
1. PostgreSQL stops (``--pg-mode fast``: a restart; ``immediate``: a crash) for
   ``--outage`` seconds. While it is down the API must answer 503 with Retry-After (never
   500); once it is back the API must recover by itself (no web restart).
2. Redis stops for ``--outage`` seconds. Entries must still be accepted, and the alerts they
   raise must be emailed once Redis is back (the outbox sweep re-sends).
Afterwards: the entries stored for the phones are exactly the ones they were told were
stored (none lost, none twice), and every phone's queue drained.

    .venv/bin/python -m loadtest.drills [--seconds 120] [--users 30] [--outage 15]

Prints a JSON report; exits 1 if any check failed. `make drills` runs the full length; the
test suite runs a short one (tests/ops/test_drills.py).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

from loadtest.harness import report_close, report_exit, service_setup
from loadtest.stack import ROOT, Gunicorn, PrivatePostgres, RedisServer, WorkerProcess, service_env
from tests.notify.servers import SmtpServer

SENTINELS = 3  # patients who raise an alert while Redis is down


def _entry(severity: int = 3) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "recorded_at": (datetime.now(UTC) - timedelta(minutes=2)).isoformat(),
        "site": "ankle_outer",
        "side": "right",
        "severity": severity,
    }


def _post(url: str, token: str, body: dict) -> requests.Response | None:
    try:
        return requests.post(
            f"{url}/api/v1/logs/",
            json=body,
            headers={"Authorization": f"Bearer {token}"},
            timeout=15,
        )
    except requests.RequestException:
        return None


def run(seconds: int, users: int, outage: float, pg_mode: str) -> dict:
    report: dict = {"seconds": seconds, "users": users, "outage_seconds": outage}
    checks: dict[str, bool] = {}
    out = Path(tempfile.mkdtemp(prefix="loadtest-"))
    pg, redis, smtp = PrivatePostgres(), RedisServer(), SmtpServer()
    web = worker = locust = None
    try:
        pg.init()
        pg.createdb()
        redis.start()
        smtp.start()
        env = service_env(
            pg.url,
            redis.url,
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(smtp.port),
        )
        # This process reads and writes the drill's database directly for set-up and checks.
        service_setup(env)
        from django.db import close_old_connections, connection

        from accounts.services import auth_token_issue
        from journal.models import PainLog
        from notify.models import Message
        from notify.tasks import sweep_outbox
        from tests.factories import PatientFactory

        sentinels = [PatientFactory(alert_channels=["email"]) for _ in range(SENTINELS)]
        tokens = [auth_token_issue(user=p.user)[0] for p in sentinels]
        connection.close()

        web = Gunicorn(env).start()
        worker = WorkerProcess(env=env, name="drill").start()
        locust_log = (out / "locust.log").open("wb")
        started = time.monotonic()
        locust = subprocess.Popen(  # noqa: S603
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
                str(users),
                "-t",
                f"{seconds}s",
                "--stop-timeout",
                "90",
                "--host",
                web.url,
                "--only-summary",
            ],
            cwd=ROOT,
            env={**env, "LOADTEST_OUT": str(out)},
            stdout=locust_log,
            stderr=subprocess.STDOUT,
        )

        # 1. PostgreSQL down during the load.
        time.sleep(max(1.0, seconds * 0.2))
        pg.stop(pg_mode)
        probes: list[str] = []
        until = time.monotonic() + outage
        while time.monotonic() < until:
            response = _post(web.url, tokens[0], _entry())
            probes.append(
                "no answer"
                if response is None
                else f"{response.status_code} Retry-After={response.headers.get('Retry-After')}"
            )
            time.sleep(0.25)
        pg.start()
        back = time.monotonic()
        recovered = None
        while time.monotonic() - back < 60:
            response = _post(web.url, tokens[0], _entry())
            if response is not None and response.status_code == 201:
                recovered = round(time.monotonic() - back, 2)
                break
            time.sleep(0.25)
        report["pg_outage_answers"] = {p: probes.count(p) for p in sorted(set(probes))}
        report["pg_recovered_after_seconds"] = recovered
        checks["503 with Retry-After while PostgreSQL is down"] = bool(probes) and all(
            p == "503 Retry-After=5" for p in probes
        )
        checks["API recovers by itself after PostgreSQL is back"] = recovered is not None

        # 2. Redis down during the load: entries accepted, alerts sent once it is back.
        time.sleep(max(0.0, started + seconds * 0.55 - time.monotonic()))
        connected = worker.broker_connections()
        redis.stop()
        accepted = [_post(web.url, token, _entry(severity=9)) for token in tokens]
        report["redis_outage_severe_entries"] = [
            r.status_code if r is not None else "no answer" for r in accepted
        ]
        checks["entries accepted while Redis is down"] = all(
            r is not None and r.status_code == 201 for r in accepted
        )
        # Login throttling counts in the Redis cache: it must say "try again", not fail.
        login = requests.post(
            f"{web.url}/api/v1/auth/login/",
            json={"email": "nobody@load.test", "password": "wrong-password"},
            timeout=15,
        )
        report["login_while_redis_down"] = login.status_code
        checks["login answers 503 + Retry-After while Redis is down"] = (
            login.status_code == 503 and login.headers.get("Retry-After") == "5"
        )
        time.sleep(outage)
        redis.start()
        # In production a supervisor restarts a worker that exits (README, "Processes"), and
        # celery 5.7.0's can: when the broker drops while the worker holds a task waiting to
        # be retried, kombu closes a channel whose transport it has already let go of
        # (AttributeError in restore_unacked). Do what the supervisor would, and say so.
        report["worker_restarts"] = int(worker.reconnected_or_restarted(connected, timeout=60))

        locust.wait(timeout=seconds + 200)
        report["locust_exit"] = locust.returncode
        close_old_connections()
        connection.close()
        sweep_outbox.delay()  # beat's every-minute tick
        deadline = time.monotonic() + 60
        emails = {p.user.email for p in sentinels}
        while time.monotonic() < deadline:
            alerted = {
                m.to_email
                for m in Message.objects.filter(kind="alert", to_email__in=emails, status="sent")
            }
            if alerted == emails:
                break
            time.sleep(0.5)
        report["alerts_sent_after_redis_back"] = len(alerted)
        checks["alerts raised while Redis was down are sent once it is back"] = alerted == emails

        # 3. Stored == acknowledged, none twice.
        summary = json.loads((out / "statuses.json").read_text())
        acked = (out / "acked.txt").read_text().split()
        stored = {
            str(pk)
            for pk in PainLog.objects.filter(
                patient__user__email__endswith="@load.test"
            ).values_list("pk", flat=True)
        }
        report["statuses"] = summary["statuses"]
        report["acknowledged"] = len(acked)
        report["stored"] = len(stored)
        report["unflushed"] = len(summary["unflushed"])
        report["rejected"] = len(summary["rejected"])
        checks["every phone's queue drained"] = not summary["unflushed"]
        checks["no entry rejected as invalid"] = not summary["rejected"]
        checks["no entry acknowledged twice"] = len(acked) == len(set(acked))
        checks["stored entries == acknowledged entries"] = stored == set(acked)
        checks["no 500 answers"] = not any(
            key.split()[-1].startswith("5") and "Retry-After" not in key
            for key in summary["statuses"]
        ) and "Internal Server Error" not in web.log.read_text(errors="replace")
        checks["some entries were written"] = len(acked) > 0
    finally:
        if locust is not None and locust.poll() is None:
            locust.kill()
        for part in (worker, web):
            if part is not None:
                part.stop()
        smtp.stop()
        redis.cleanup()
        pg.cleanup()
    return report_close(report, checks, out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--users", type=int, default=30)
    parser.add_argument("--outage", type=float, default=15)
    parser.add_argument("--pg-mode", choices=["fast", "immediate"], default="immediate")
    args = parser.parse_args()
    report = run(args.seconds, args.users, args.outage, args.pg_mode)
    return report_exit(report)


if __name__ == "__main__":
    sys.exit(main())
