"""Backup-and-restore drill: a base backup and WAL archive restored to a moment T, and a
nightly logical dump restored, both taken under load (the runbook: docs/operations.md).

On private servers (loadtest/stack.py) with WAL archiving on (``archive_command`` copying
each segment into a drill-owned directory), simulated phones post for ``--seconds``.
Meanwhile the drill takes a base backup (``pg_basebackup``) and a logical dump
(``pg_dump -Fc``), then:

- sentinel patients A post severe entries and their alert emails go out (sent before T);
- the Celery worker stops; sentinels B post (their alerts wait in the outbox at T);
- T is noted; sentinels C post after it; the worker comes back and the load goes on.

Then the base backup is restored to T on a fresh server (``recovery.signal``,
``restore_command``, ``recovery_target_time``) and checked: every entry acknowledged before
T is there, none made after T; every alert has its outbox rows and back. The app
runs against it (web, a worker, the outbox sweep, a fresh SMTP stub): the emails pending
at T (B) go out exactly once and nothing sent before T is sent again. The dump is restored
with ``pg_restore`` into a fresh database and checked the same way against its start.

    .venv/bin/python -m loadtest.backup [--seconds 90] [--users 20]

Prints a JSON report with the durations and sizes; exits 1 if a check failed.
tests/ops/test_backup.py runs a short one.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import requests

from loadtest.harness import (
    Phones,
    Sentinels,
    report_close,
    report_exit,
    service_setup,
    stored_phone_entries,
)
from loadtest.stack import (
    ROOT,
    Gunicorn,
    PrivatePostgres,
    RedisServer,
    WorkerProcess,
    service_env,
)
from tests.notify.servers import SmtpServer

GROUP = 3  # sentinels in each of A, B and C


def _timed(function, *args) -> float:
    started = time.monotonic()
    function(*args)
    return round(time.monotonic() - started, 2)


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _sql(port: int, query: str, dbname: str = "drill") -> list[tuple]:
    with psycopg.connect(
        host="127.0.0.1", port=port, user="postgres", dbname=dbname, autocommit=True
    ) as conn:
        return conn.execute(query).fetchall()


def _email_env(pg: PrivatePostgres, redis: RedisServer, smtp: SmtpServer, **extra: str) -> dict:
    return service_env(
        pg.url,
        redis.url,
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp.port),
        **extra,
    )


def _archive_through_now(pg: PrivatePostgres, timeout: float = 60) -> str:
    """Close the current WAL segment and wait until the archiver has copied it."""
    segment = _sql(pg.port, "SELECT pg_walfile_name(pg_switch_wal())")[0][0]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        archived = _sql(pg.port, "SELECT last_archived_wal FROM pg_stat_archiver")[0][0]
        if archived and archived >= segment:
            return segment
        time.sleep(0.2)
    raise RuntimeError(f"WAL segment {segment} not archived")


def _made_times(out: Path) -> dict[str, float]:
    made = {}
    for line in (out / "made.txt").read_text().splitlines():
        entry_id, at = line.split()
        made[entry_id] = float(at)
    return made


def _restored_state(port: int, dbname: str) -> dict:
    """What a restored database holds, read with plain SQL (Django points elsewhere)."""
    entries = {
        str(row[0])
        for row in _sql(
            port,
            "SELECT l.id FROM journal_painlog l JOIN accounts_user u ON u.id = l.patient_id"
            " WHERE u.email LIKE '%@load.test'",
            dbname,
        )
    }
    messages = {
        str(pk): (status, kind, to_email, subject_ref)
        for pk, status, kind, to_email, subject_ref in _sql(
            port,
            "SELECT id, status, kind, to_email, subject_ref FROM notify_message"
            " WHERE channel = 'email'",
            dbname,
        )
    }
    alerts = dict(
        _sql(
            port,
            "SELECT a.notice_ref, u.email FROM triage_alert a"
            " JOIN accounts_user u ON u.id = a.patient_id",
            dbname,
        )
    )
    return {"entries": entries, "messages": messages, "alerts": alerts}


def _consistency(state: dict, emails: dict[str, set[str]]) -> dict[str, bool]:
    """Alerts and their outbox rows are written in one transaction: a restore to any
    moment has both or neither."""
    alert_messages = {m[3] for m in state["messages"].values() if m[1] == "alert"}
    sentinel_rows = Counter(
        group
        for m in state["messages"].values()
        if m[1] == "alert"
        for group, members in emails.items()
        if m[2] in members
    )
    sentinels = set().union(*emails.values())
    emailed_alerts = {ref for ref, email in state["alerts"].items() if email in sentinels}
    return {
        "every sentinel's alert has its outbox row": emailed_alerts <= alert_messages,
        "every alert message has its alert": alert_messages <= set(state["alerts"]),
        "sentinels A and B have their alert rows, C none": (
            sentinel_rows["A"] == GROUP and sentinel_rows["B"] == GROUP and not sentinel_rows["C"]
        ),
    }


def run(seconds: int, users: int) -> dict:
    report: dict = {"seconds": seconds, "users": users}
    checks: dict[str, bool] = {}
    out = Path(tempfile.mkdtemp(prefix="backup-"))
    pg, redis, smtp = PrivatePostgres(), RedisServer(), SmtpServer()
    restored, redis2, smtp2 = PrivatePostgres(), RedisServer(), SmtpServer()
    web = worker = phones = web2 = worker2 = None
    try:
        pg.init()
        pg.stop("fast")
        archive = pg.owned_dir("wal-archive")
        backup = pg.owned_dir("base")
        dump = pg.owned_dir("dump") / "drill.dump"
        # The WAL archive: each completed segment copied by the server, never overwritten.
        pg.configure(
            archive_mode="on",
            archive_command=f"test ! -f {archive}/%f && cp %p {archive}/%f",
            wal_level="replica",
        )
        pg.start()
        pg.createdb()
        redis.start()
        smtp.start()
        env = _email_env(pg, redis, smtp)
        service_setup(env)
        from django.db import close_old_connections, connection

        from notify.models import Message

        groups = {name: Sentinels.create(GROUP) for name in "ABC"}
        emails = {name: group.emails for name, group in groups.items()}
        web = Gunicorn(env, workers=2, threads=4).start()
        worker = WorkerProcess(env=env, concurrency=2, name="backup").start()
        started = time.monotonic()
        phones = Phones(env, web.url, users, seconds, out, spawn_rate=2)  # see rolling.py

        # The base backup, under load; streamed WAL makes it usable by itself.
        time.sleep(max(0.0, started + seconds * 0.15 - time.monotonic()))
        report["base_backup_seconds"] = _timed(
            pg.run_as_owner,
            pg.tool("pg_basebackup"),
            "-h",
            "127.0.0.1",
            "-p",
            str(pg.port),
            "-U",
            "postgres",
            "-D",
            str(backup),
            "-Ft",
            "-z",
            "-X",
            "stream",
            "-c",
            "fast",
        )
        report["base_backup_bytes"] = _size(backup)

        # The nightly logical dump, under load: one consistent snapshot from its start.
        dump_started = time.time()
        acked_before_dump = set((out / "acked.txt").read_text().split())
        report["dump_seconds"] = _timed(
            pg.run_as_owner,
            pg.tool("pg_dump"),
            "-h",
            "127.0.0.1",
            "-p",
            str(pg.port),
            "-U",
            "postgres",
            "-Fc",
            "-f",
            str(dump),
            "drill",
        )
        dump_finished = time.time()
        report["dump_bytes"] = dump.stat().st_size

        # A: alerts sent before T, which falls near the middle of the load.
        time.sleep(max(0.0, started + seconds * 0.4 - time.monotonic()))
        for index in range(GROUP):
            groups["A"].post(web.url, index)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if Message.objects.filter(to_email__in=emails["A"], status="sent").count() == GROUP:
                break
            time.sleep(0.2)
        # B: alerts waiting in the outbox at T (no worker to send them).
        worker.terminate()
        for index in range(GROUP):
            groups["B"].post(web.url, index)
        acked_before_t = set((out / "acked.txt").read_text().split()) | set(
            groups["A"].acked + groups["B"].acked
        )
        time.sleep(1)
        target = datetime.now(UTC)
        target_unix = time.time()
        time.sleep(1)
        # C: after T.
        for index in range(GROUP):
            groups["C"].post(web.url, index)
        worker.start()
        close_old_connections()
        connection.close()

        phones.wait(timeout=seconds + 200)
        report["locust_exit"] = phones.process.returncode
        summary = phones.summary()
        report["statuses"] = summary["statuses"]
        report["acknowledged"] = len(summary["acked"])
        checks["stored entries == acknowledged entries (live)"] = stored_phone_entries() == set(
            summary["acked"]
        )
        report["wal_segment_archived_last"] = _archive_through_now(pg)
        report["wal_archive_bytes"] = _size(archive)
        report["target_time"] = target.isoformat()
        made = _made_times(out)
        for part in (worker, web):
            part.stop()
        worker = web = None
        connection.close()

        # --- Point-in-time recovery to T on a fresh server --------------------------------
        restore_started = time.monotonic()
        restored.from_base_backup(
            backup,
            restore_command=f"cp {archive}/%f %p",
            recovery_target_time=target.isoformat(),
            recovery_target_action="promote",
            archive_mode="off",  # this server must not write into the original's archive
        )
        restored.start()
        deadline = time.monotonic() + 120
        while _sql(restored.port, "SELECT pg_is_in_recovery()")[0][0]:
            if time.monotonic() > deadline:
                raise RuntimeError("restored server still in recovery")
            time.sleep(0.2)
        report["pitr_restore_seconds"] = round(time.monotonic() - restore_started, 2)
        state = _restored_state(restored.port, "drill")
        made_after_t = {i for i, at in made.items() if at > target_unix}
        acked_phones_before_t = acked_before_t & set(made)
        report["pitr"] = {
            "acknowledged_before_T": len(acked_phones_before_t),
            "restored_phone_entries": len(state["entries"]),
            "missing": len(acked_phones_before_t - state["entries"]),
            "made_after_T_present": len(made_after_t & state["entries"]),
            "made_after_T": len(made_after_t),
        }
        checks["PITR: every entry acknowledged before T is restored"] = (
            acked_phones_before_t <= state["entries"]
        )
        checks["PITR: no entry made after T is restored"] = not made_after_t & state["entries"]
        checks["PITR: some entries were made after T"] = bool(made_after_t)
        checks.update({f"PITR: {k}": v for k, v in _consistency(state, emails).items()})
        pending_at_t = {pk for pk, m in state["messages"].items() if m[0] in {"pending", "sending"}}
        sent_at_t = {pk for pk, m in state["messages"].items() if m[0] == "sent"}
        b_rows = {pk for pk, m in state["messages"].items() if m[2] in emails["B"]}
        report["pitr"]["email_rows_sent_at_T"] = len(sent_at_t)
        report["pitr"]["email_rows_pending_at_T"] = len(pending_at_t)
        checks["PITR: B's alert emails were pending at T"] = b_rows <= pending_at_t

        # --- The app on the restored database ----------------------------------------------
        redis2.start()
        smtp2.start()
        # A row claimed at T was claimed by a worker of the old server: presume it abandoned
        # soon, as after a crash (the runbook says to shorten the timeout after a restore).
        env2 = _email_env(restored, redis2, smtp2, NOTIFY_CLAIM_TIMEOUT_SECONDS="5")
        web2 = Gunicorn(env2, workers=1, threads=4).start()
        worker2 = WorkerProcess(env=env2, concurrency=2, name="restored").start()
        ready = requests.get(f"{web2.url}/health/ready/", timeout=10).status_code
        late = Sentinels(tokens=groups["A"].tokens, emails=groups["A"].emails)
        late.post(web2.url, 0)  # a patient whose token predates T writes again
        report["restored_app"] = {"ready": ready, "post": dict(late.answers)}
        checks["restored app: ready and accepts an entry"] = ready == 200 and late.acked != []
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            subprocess.run(  # beat's every-minute tick, as a one-off
                [sys.executable, "-m", "celery", "-A", "config", "call", "notify.sweep_outbox"],
                cwd=ROOT,
                env=env2,
                check=True,
                capture_output=True,
            )
            left = _sql(
                restored.port,
                "SELECT count(*) FROM notify_message WHERE channel = 'email'"
                " AND status IN ('pending', 'sending')",
            )[0][0]
            if left == 0:
                break
            time.sleep(3)
        at_stub = Counter(
            str(m.message["Message-ID"]).strip("<>").split("@")[0] for m in smtp2.messages
        )
        report["restored_app"]["emails_at_stub"] = sum(at_stub.values())
        report["restored_app"]["emails_twice"] = sorted(k for k, n in at_stub.items() if n > 1)
        checks["restored app: every email pending at T sent once"] = pending_at_t <= set(
            at_stub
        ) and all(at_stub[pk] == 1 for pk in pending_at_t)
        checks["restored app: nothing sent before T is sent again"] = not sent_at_t & set(at_stub)
        checks["restored app: no email sent twice"] = not report["restored_app"]["emails_twice"]

        # --- The logical dump into a fresh database --------------------------------------
        restored.run_as_owner(
            restored.tool("createdb"), "-h", "127.0.0.1", "-p", str(restored.port),
            "-U", "postgres", "fromdump",
        )  # fmt: skip
        report["dump_restore_seconds"] = _timed(
            restored.run_as_owner,
            restored.tool("pg_restore"),
            "-h",
            "127.0.0.1",
            "-p",
            str(restored.port),
            "-U",
            "postgres",
            "-d",
            "fromdump",
            "--no-owner",
            "--exit-on-error",
            str(dump),
        )
        dumped = _restored_state(restored.port, "fromdump")["entries"]
        made_after_dump = {i for i, at in made.items() if at > dump_finished}
        acked_before = acked_before_dump & set(made)
        report["dump"] = {
            "acknowledged_before_dump": len(acked_before),
            "restored_phone_entries": len(dumped),
            "missing": len(acked_before - dumped),
            "made_after_dump_present": len(made_after_dump & dumped),
        }
        checks["dump: every entry acknowledged before it started is restored"] = (
            acked_before <= dumped
        )
        checks["dump: no entry made after it finished is restored"] = not made_after_dump & dumped
        migrations = subprocess.run(
            [sys.executable, "manage.py", "migrate", "--check", "--noinput"],
            cwd=ROOT,
            env={**env2, "DATABASE_URL": restored.url.rsplit("/", 1)[0] + "/fromdump"},
            capture_output=True,
            check=False,
        )
        checks["dump: the restored schema is complete (migrate --check)"] = (
            migrations.returncode == 0
        )
        report["dump_started"] = datetime.fromtimestamp(dump_started, UTC).isoformat()
    finally:
        if phones is not None:
            phones.kill()
        for part in (worker, web, worker2, web2):
            if part is not None:
                part.stop()
        for stub in (smtp, smtp2):
            stub.stop()
        for server in (redis, redis2, pg, restored):
            server.cleanup()
    return report_close(report, checks, out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=90)
    parser.add_argument("--users", type=int, default=20)
    args = parser.parse_args()
    report = run(args.seconds, args.users)
    return report_exit(report)


if __name__ == "__main__":
    sys.exit(main())
