"""Rolling-restart drill: a release restarts every process while phones are posting.

On private servers (loadtest/stack.py), simulated phones (loadtest/locustfile.py) log, sync
and read for ``--seconds`` while ``--sentinels`` patients each post one severe entry, spread
over the run, whose alert is emailed to an SMTP stub that takes ``--smtp-delay`` seconds to
accept each message (so deliveries are under way when the worker is stopped). Meanwhile:

1. every gunicorn worker is restarted (SIGHUP to the master);
2. the master is replaced: USR2 starts a new master on the same listening socket, and once
   its workers are ready the old master gets SIGTERM (Gunicorn.replace_master says why not
   a second master with ``reuse_port``);
3. the Celery worker gets SIGTERM while the SMTP stub holds one of its sends, as a
   supervisor stops it for a release (main process only), and a new worker is started.

Checks: no failed request from the phones' side, counted raw (a connection error is a
failure even though the phone sends the entry again later); stored == acknowledged; every
email outbox row sent, each exactly once at the SMTP stub, none left claimed.

    .venv/bin/python -m loadtest.rolling [--seconds 90] [--users 20] [--sentinels 30]

Prints a JSON report; exits 1 if a check failed. tests/ops/test_rolling.py runs a short one.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from loadtest.harness import (
    Phones,
    Sentinels,
    report_close,
    report_exit,
    service_setup,
    stored_phone_entries,
)
from loadtest.stack import Gunicorn, PrivatePostgres, RedisServer, WorkerProcess, service_env
from tests.notify.servers import SmtpServer

OK = {"200", "201"}
AT_WORKER_STOP = 3  # sentinels posting just before the Celery worker gets SIGTERM


def _message_id(mail) -> str:
    return str(mail.message["Message-ID"]).strip("<>").split("@")[0]


def run(seconds: int, users: int, sentinel_count: int, smtp_delay: float) -> dict:
    report: dict = {"seconds": seconds, "users": users, "sentinels": sentinel_count}
    checks: dict[str, bool] = {}
    out = Path(tempfile.mkdtemp(prefix="rolling-"))
    pg, redis, smtp = PrivatePostgres(), RedisServer(), SmtpServer()
    web = worker = phones = None
    try:
        pg.init()
        pg.createdb()
        redis.start()
        smtp.start()
        smtp.data_delay = smtp_delay
        env = service_env(
            pg.url,
            redis.url,
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(smtp.port),
        )
        service_setup(env)
        from django.db import close_old_connections

        from notify.models import Message
        from notify.tasks import sweep_outbox

        sentinels = Sentinels.create(sentinel_count)
        web = Gunicorn(env, workers=2, threads=4).start()
        worker = WorkerProcess(env=env, concurrency=2, name="rolling").start()
        started = time.monotonic()
        # Two phones a second: each registers first (a password hash: 0.27 s of CPU here),
        # and twenty at once on two shared cores outlast the phones' 15 s timeout before
        # anything is restarted.
        phones = Phones(env, web.url, users, seconds, out, spawn_rate=2)

        # The sentinels' severe entries, one every so often from 10% to 80% of the run; the
        # last few are kept for the moment the Celery worker is stopped.
        spread = sentinel_count - AT_WORKER_STOP
        spacing = seconds * 0.7 / spread

        def post_sentinels() -> None:
            for index in range(spread):
                time.sleep(max(0.0, started + seconds * 0.1 + index * spacing - time.monotonic()))
                sentinels.post(web.url, index)

        poster = threading.Thread(target=post_sentinels, name="sentinels", daemon=True)
        poster.start()

        # 1. Every web worker restarted.
        time.sleep(max(0.0, started + seconds * 0.2 - time.monotonic()))
        report["sighup"] = web.reload_workers()
        # 2. The master replaced.
        time.sleep(max(0.0, started + seconds * 0.4 - time.monotonic()))
        report["master_replaced"] = web.replace_master()
        # 3. The Celery worker stopped while the SMTP stub holds one of its sends.
        time.sleep(max(0.0, started + seconds * 0.6 - time.monotonic()))
        for index in range(spread, sentinel_count):
            sentinels.post(web.url, index)
        deadline = time.monotonic() + 30
        while smtp.in_data == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        in_data = smtp.in_data
        received_before = len(smtp.messages)
        stop_started = time.monotonic()
        exit_code = worker.terminate()
        report["celery_sigterm"] = {
            "sends_under_way": in_data,
            "received_before": received_before,
            "received_by_exit": len(smtp.messages),
            "exit_code": exit_code,
            "shutdown_seconds": round(time.monotonic() - stop_started, 2),
        }
        checks["the Celery worker was stopped mid-delivery"] = in_data > 0
        checks["the stopped worker finished its sends and exited 0"] = (
            exit_code == 0 and len(smtp.messages) >= received_before + in_data
        )
        worker.start()  # as the supervisor would, with the release's code

        phones.wait(timeout=seconds + 200)
        poster.join(timeout=120)
        report["locust_exit"] = phones.process.returncode

        # Everything published is delivered by now or waits for the sweep (beat's tick).
        close_old_connections()
        sweep_outbox.delay()
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if not Message.objects.filter(channel="email").exclude(status="sent").exists():
                break
            time.sleep(0.5)
        rows = dict(Message.objects.filter(channel="email").values_list("pk", "status"))
        at_stub = Counter(_message_id(mail) for mail in smtp.messages)
        sentinel_alerts = Message.objects.filter(
            kind="alert", channel="email", to_email__in=sentinels.emails
        ).count()

        summary = phones.summary()
        failed = {
            key: count for key, count in summary["statuses"].items() if key.split()[-1] not in OK
        }
        sentinel_failed = {k: v for k, v in sentinels.answers.items() if k not in OK}
        stored = stored_phone_entries()
        report.update(
            {
                "statuses": summary["statuses"],
                "requests": sum(summary["statuses"].values()),
                "failed_requests": failed,
                "sentinel_answers": dict(sentinels.answers),
                "acknowledged": len(summary["acked"]),
                "stored": len(stored),
                "email_rows": len(rows),
                "email_rows_by_status": dict(Counter(rows.values())),
                "sentinel_alerts": sentinel_alerts,
                "emails_at_stub": sum(at_stub.values()),
                "emails_twice": sorted(k for k, n in at_stub.items() if n > 1),
                "emails_lost": sorted(str(pk) for pk in rows if str(pk) not in at_stub),
            }
        )
        checks["no failed request (connection errors included)"] = not failed
        checks["every sentinel entry accepted at the first try"] = not sentinel_failed
        checks["some load ran"] = report["requests"] > users * 5
        checks["stored entries == acknowledged entries"] = stored == set(summary["acked"])
        checks["no entry acknowledged twice"] = len(summary["acked"]) == len(set(summary["acked"]))
        checks["every phone's queue drained"] = not summary["unflushed"]
        checks["every sentinel's alert has its email row"] = sentinel_alerts == sentinel_count
        checks["every email row sent"] = set(rows.values()) == {"sent"}
        checks["no email lost"] = not report["emails_lost"]
        checks["no email sent twice"] = not report["emails_twice"]
        checks["no email at the stub without its row"] = set(at_stub) <= {str(pk) for pk in rows}
        checks["no 500 in the web log"] = "Internal Server Error" not in web.log.read_text(
            errors="replace"
        )
    finally:
        if phones is not None:
            phones.kill()
        for part in (worker, web):
            if part is not None:
                part.stop()
        smtp.stop()
        redis.cleanup()
        pg.cleanup()
    return report_close(report, checks, out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=90)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--sentinels", type=int, default=30, help=f"> {AT_WORKER_STOP}")
    parser.add_argument("--smtp-delay", type=float, default=1.0)
    args = parser.parse_args()
    report = run(args.seconds, args.users, args.sentinels, args.smtp_delay)
    return report_exit(report)


if __name__ == "__main__":
    sys.exit(main())
