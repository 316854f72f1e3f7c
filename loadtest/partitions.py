"""Partition drill: PostgreSQL, Redis, the web and a worker on separate hosts, links cut.

Each of PostgreSQL, Redis, web (gunicorn) and worker (Celery) runs in its own network
namespace (loadtest/netns.py), one veth pair per pair of hosts that talk. The phones
(loadtest/locustfile.py), the SMTP stub and this process sit in the root namespace. Under
the phones' load, each of web-Redis, worker-Redis, worker-PostgreSQL and web-PostgreSQL is
cut for ``--outage`` seconds (the server's end of the veth taken down: packets vanish
silently) and healed; then web-PostgreSQL is made slow and lossy for ``--slow`` seconds
(200 ms ± 50 ms, 5 % loss) by a TCP proxy of ours on the database host, through which the
web always reaches PostgreSQL (this kernel has no netem; loadtest/netproxy.py).

During each cut a probe patient posts every 0.5 s and two sentinel patients post a severe
entry each (sent again until acknowledged, as a phone does); this process plays beat and
publishes the outbox sweep every ``SWEEP_EVERY`` seconds, over its own link to Redis.

Checks: every answer the phones and probes got is 200/201 or 503 with Retry-After (no 500,
no connection error); stored == acknowledged; every sentinel's alert email arrives exactly
once at the SMTP stub and pushed exactly once to the Web Push stub (loadtest/pushstub.py,
in the worker's namespace, decrypting each payload); no outbox row stays claimed longer
than NOTIFY_CLAIM_TIMEOUT_SECONDS plus a sweep; requests succeed again within 10 s of each
heal (reported per cut); every namespace and link is removed afterwards.

    .venv/bin/python -m loadtest.partitions [--outage 15] [--slow 20] [--users 20]

Needs root and ``ip netns``. Prints a JSON report; exits 1 if a check failed.
tests/ops/test_partitions.py runs a short one.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from loadtest.harness import (
    Phones,
    Sentinels,
    answer,
    post_entry,
    report_close,
    report_exit,
    service_setup,
    severe_entry,
    stored_phone_entries,
)
from loadtest.netns import Hosts
from loadtest.stack import Gunicorn, PrivatePostgres, RedisServer, WorkerProcess, service_env
from notify.vapid import generate_vapid_keys
from tests.notify.servers import SmtpServer

ROOT_NS = None
CUTS = [("web", "redis"), ("worker", "redis"), ("worker", "db"), ("web", "db")]
LINKS = [*CUTS, (ROOT_NS, "web"), (ROOT_NS, "db"), (ROOT_NS, "redis"), ("worker", ROOT_NS)]
PER_CUT = 2  # sentinels posting during each cut
CLAIM_TIMEOUT = 15  # NOTIFY_CLAIM_TIMEOUT_SECONDS for this drill
SWEEP_EVERY = 5.0
RECOVERY_GOAL = 10.0
SLOW = {"delay_ms": 200, "jitter_ms": 50, "loss": 0.05}
ALLOWED = {"200", "201", "503 Retry-After=5"}


def _ok(key: str) -> bool:
    """A status key from the phones: "log 201", "log 503+Retry-After", "log 0"..."""
    return key.split()[-1] in {"200", "201", "503+Retry-After"}


class Probe:
    """One patient posting every 0.5 s; answers and latencies per phase."""

    def __init__(self, url: str, token: str) -> None:
        self.url, self.token = url, token
        self.answers: dict[str, Counter[str]] = {}
        self.latency: dict[str, list[float]] = {}

    def run_until(self, phase: str, until: float) -> None:
        answers = self.answers.setdefault(phase, Counter())
        latency = self.latency.setdefault(phase, [])
        while time.monotonic() < until:
            started = time.monotonic()
            body = {**severe_entry(), "severity": 2}
            answers[answer(post_entry(self.url, self.token, body))] += 1
            latency.append(time.monotonic() - started)
            time.sleep(max(0.0, 0.5 - (time.monotonic() - started)))

    def recovery(self, phase: str, timeout: float = 60) -> float | None:
        """Seconds from now until a POST is acknowledged."""
        answers = self.answers.setdefault(phase, Counter())
        healed = time.monotonic()
        while time.monotonic() - healed < timeout:
            got = answer(post_entry(self.url, self.token, {**severe_entry(), "severity": 2}))
            answers[got] += 1
            if got == "201":
                return round(time.monotonic() - healed, 2)
            time.sleep(0.2)
        return None


def _wait_for_json(path: Path, timeout: float = 30) -> list:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{path} did not appear")
        time.sleep(0.1)
    return json.loads(path.read_text())


def _push_log(out: Path) -> dict:
    path = out / "deliveries.json"
    return json.loads(path.read_text()) if path.exists() else {"deliveries": [], "refused": []}


def _pushed(out: Path) -> Counter[str]:
    """Alert pushes the stub decrypted, per subscription id."""
    return Counter(
        d["subscription"]
        for d in _push_log(out)["deliveries"]
        if d["payload"]["data"].get("kind") == "alert"
    )


def _push_refused(out: Path) -> list[str]:
    return _push_log(out)["refused"]


def run(outage: float, slow: float, users: int, settle: float) -> dict:
    report: dict = {"outage_seconds": outage, "slow_seconds": slow, "users": users}
    checks: dict[str, bool] = {}
    out = Path(tempfile.mkdtemp(prefix="partitions-"))
    hosts = Hosts(["db", "redis", "web", "worker"], LINKS)
    control = out / "link.json"
    control.write_text("{}")
    pg = redis = smtp = push = web = worker = phones = proxy = None
    stop_sweeping = threading.Event()
    try:
        hosts.create()
        report["namespaces"] = sorted(hosts.ns.values())
        report["proxy"] = "loadtest/netproxy.py on the database host (no netem in this kernel)"
        a = hosts.addr
        pg = PrivatePostgres(
            prefix=hosts.prefix("db"),
            listen=",".join([a(ROOT_NS, "db"), a("worker", "db"), "127.0.0.1"]),
        )
        pg.init()
        pg.trust(f"10.{hosts.base}.0.0/16")
        time.sleep(0.5)  # the reload is asynchronous
        pg.createdb()
        redis = RedisServer(
            prefix=hosts.prefix("redis"),
            bind=" ".join([a(ROOT_NS, "redis"), a("web", "redis"), a("worker", "redis")]),
            host=a(ROOT_NS, "redis"),
        ).start()
        smtp = SmtpServer(host=a("worker", ROOT_NS)).start()
        vapid = generate_vapid_keys()
        push = subprocess.Popen(  # noqa: S603
            [
                *hosts.prefix("worker"),
                sys.executable,
                "-m",
                "loadtest.pushstub",
                "--subscriptions",
                str(PER_CUT * (len(CUTS) + 1)),
                "--key",
                vapid.public_key,
                "--out",
                str(out),
            ],
            cwd=Path(__file__).resolve().parent.parent,
        )
        subscriptions = _wait_for_json(out / "subscriptions.json")
        proxy_port = 6432
        proxy = subprocess.Popen(  # noqa: S603
            [
                *hosts.prefix("db"),
                sys.executable,
                "-m",
                "loadtest.netproxy",
                "--listen",
                f"{a('web', 'db')}:{proxy_port}",
                "--target",
                f"127.0.0.1:{pg.port}",
                "--control",
                str(control),
            ],
            cwd=Path(__file__).resolve().parent.parent,
        )
        common = {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": smtp.host,
            "EMAIL_PORT": str(smtp.port),
            "NOTIFY_CLAIM_TIMEOUT_SECONDS": str(CLAIM_TIMEOUT),
            "ALLOWED_HOSTS": a(ROOT_NS, "web"),
        }
        env = service_env(pg.url, redis.url, **common)  # this process: its own links
        service_setup(env)
        from django.db import close_old_connections, connection
        from django.utils import timezone

        from notify.models import Message
        from notify.tasks import sweep_outbox

        web_env = service_env(
            pg.url_at(a("web", "db"), proxy_port), redis.url_at(a("web", "redis")), **common
        )
        worker_env = service_env(
            pg.url_at(a("worker", "db")),
            redis.url_at(a("worker", "redis")),
            **common,
            DJANGO_SETTINGS_MODULE="loadtest.settings",
            WEBPUSH_VAPID_PRIVATE_KEY=vapid.private_key,
            WEBPUSH_ALLOWED_HOSTS="127.0.0.1",
        )
        web = Gunicorn(web_env, prefix=hosts.prefix("web"), host=a(ROOT_NS, "web")).start()
        worker = WorkerProcess(
            env=worker_env, concurrency=2, name="partition", prefix=hosts.prefix("worker")
        ).start()

        groups = [
            Sentinels.create(PER_CUT, subscriptions[i * PER_CUT : (i + 1) * PER_CUT])
            for i in range(len(CUTS) + 1)
        ]
        probe = Probe(web.url, Sentinels.create(1).tokens[0])
        # The phones run until the phases are over, however long recoveries take.
        phones = Phones(env, web.url, users, 3600, out, spawn_rate=2)  # see rolling.py
        load_started = time.monotonic()

        claims_seen: list[float] = []

        def sweep() -> None:  # beat's every-minute tick, more often
            while not stop_sweeping.wait(SWEEP_EVERY):
                try:
                    sweep_outbox.delay()
                    oldest = (
                        Message.objects.filter(status="sending")
                        .order_by("claimed_at")
                        .values_list("claimed_at", flat=True)
                        .first()
                    )
                    if oldest is not None:
                        claims_seen.append((timezone.now() - oldest).total_seconds())
                except (
                    Exception
                ) as exc:  # the drill's own links are never cut: a failure is a finding
                    claims_seen.append(-1)
                    print(f"sweep failed: {exc!r}", file=sys.stderr)
                finally:
                    close_old_connections()

        sweeper = threading.Thread(target=sweep, name="beat", daemon=True)
        sweeper.start()
        time.sleep(5)

        phases: dict[str, dict] = {}
        for (client, server), group in zip([*CUTS, ("web", "slow")], groups, strict=True):
            name = f"{client}-{server}"
            phase: dict = {"started_unix": time.time()}
            posters = [
                threading.Thread(target=group.post, args=(web.url, i), daemon=True)
                for i in range(PER_CUT)
            ]
            if server == "slow":
                control.write_text(json.dumps(SLOW))
                cut_at = time.monotonic()
                for poster in posters:
                    poster.start()
                probe.run_until(name, cut_at + slow)
                control.write_text("{}")
            else:
                hosts.cut(client, server)
                cut_at = time.monotonic()
                for poster in posters:
                    poster.start()
                probe.run_until(name, cut_at + outage)
                hosts.heal(client, server)
                phase["requests_ok_again_after_seconds"] = probe.recovery(name)
            healed = time.monotonic()
            for poster in posters:
                poster.join(timeout=90)
            # The alerts raised meanwhile, at the SMTP and push stubs.
            deadline = time.monotonic() + 60
            delivered = None
            while time.monotonic() < deadline:
                received = {m.rcpt_tos[0] for m in smtp.messages}
                if group.emails <= received and set(group.pushes) <= set(_pushed(out)):
                    delivered = round(time.monotonic() - healed, 2)
                    break
                time.sleep(0.2)
            latencies = sorted(probe.latency[name])
            phase.update(
                {
                    "probe_answers": dict(probe.answers[name]),
                    "probe_latency_p50_s": round(latencies[len(latencies) // 2], 3),
                    "probe_latency_max_s": round(latencies[-1], 3),
                    "sentinel_answers": dict(group.answers),
                    "alerts_delivered_after_heal_seconds": delivered,
                }
            )
            phases[name] = phase
            time.sleep(max(0.0, cut_at + outage + settle - time.monotonic()))
            phase["ended_unix"] = time.time()
        report["phases"] = phases

        time.sleep(settle)
        phones.stop()
        report["load_seconds"] = round(time.monotonic() - load_started)
        stop_sweeping.set()
        sweeper.join(timeout=30)
        close_old_connections()
        sweep_outbox.delay()
        deadline = time.monotonic() + 60
        sentinel_emails = set().union(*(g.emails for g in groups))
        alert_rows = Message.objects.filter(kind="alert", to_email__in=sentinel_emails)
        sentinel_push_rows = Message.objects.filter(
            kind="alert", channel="webpush", patient__user__email__in=sentinel_emails
        )
        while time.monotonic() < deadline:
            if not (
                Message.objects.filter(channel="email").exclude(status="sent").exists()
                or sentinel_push_rows.exclude(status="sent").exists()
            ):
                break
            time.sleep(0.5)
        time.sleep(1)  # the stub writes what it received every 0.2 s
        pushed = _pushed(out)
        push_ids = set().union(*(g.pushes for g in groups))

        summary = phones.summary()
        for phase in phases.values():  # each phase runs until the next one starts
            phase["phone_failures"] = dict(
                Counter(
                    f"{kind} {code}"
                    for at, kind, code in summary["failed"]
                    if phase["started_unix"] <= at < phase["ended_unix"]
                )
            )
        report["phone_failures_outside_phases"] = len(
            [
                at
                for at, _kind, _code in summary["failed"]
                if not any(p["started_unix"] <= at < p["ended_unix"] for p in phases.values())
            ]
        )
        stored = stored_phone_entries()
        rows = dict(Message.objects.filter(channel="email").values_list("pk", "status"))
        at_stub = Counter(
            str(m.message["Message-ID"]).strip("<>").split("@")[0] for m in smtp.messages
        )
        bad_phone = {k: v for k, v in summary["statuses"].items() if not _ok(k)}
        bad_probe = {
            f"{phase} {k}": v
            for phase, answers in probe.answers.items()
            for k, v in answers.items()
            if k not in ALLOWED
        }
        bad_sentinel = {k: v for g in groups for k, v in g.answers.items() if k not in ALLOWED}
        report.update(
            {
                "statuses": summary["statuses"],
                "requests": sum(summary["statuses"].values()),
                "acknowledged": len(summary["acked"]),
                "stored": len(stored),
                "unexpected_phone_answers": bad_phone,
                "unexpected_probe_answers": bad_probe,
                "unexpected_sentinel_answers": bad_sentinel,
                "sentinel_alert_rows": alert_rows.count(),
                "email_rows_by_status": dict(Counter(rows.values())),
                "emails_twice": sorted(k for k, n in at_stub.items() if n > 1),
                "sentinel_push_rows_by_status": dict(
                    Counter(sentinel_push_rows.values_list("status", flat=True))
                ),
                "alert_pushes_at_stub": sum(pushed.values()),
                "push_refused_by_stub": _push_refused(out),
                "longest_claim_seen_seconds": round(max(claims_seen, default=0), 1),
            }
        )
        checks["only 200/201 or 503 with Retry-After (phones)"] = not bad_phone
        checks["only 200/201 or 503 with Retry-After (probes, sentinels)"] = not (
            bad_probe or bad_sentinel
        )
        checks["no 500 in the web log"] = "Internal Server Error" not in web.log.read_text(
            errors="replace"
        )
        checks["stored entries == acknowledged entries"] = stored == set(summary["acked"])
        checks["no entry acknowledged twice"] = len(summary["acked"]) == len(set(summary["acked"]))
        checks["every phone's queue drained"] = not summary["unflushed"]
        checks["every sentinel's alert has one email row"] = alert_rows.count() == len(
            sentinel_emails
        )
        checks["every alert raised during a cut delivered"] = all(
            p["alerts_delivered_after_heal_seconds"] is not None for p in phases.values()
        )
        checks["every email row sent, each exactly once at the stub"] = (
            set(rows.values()) <= {"sent"}
            and all(at_stub[str(pk)] == 1 for pk in rows)
            and set(at_stub) <= {str(pk) for pk in rows}
        )
        checks["every sentinel's alert pushed exactly once at the push stub"] = (
            sentinel_push_rows.count() == len(push_ids)
            and set(sentinel_push_rows.values_list("status", flat=True)) <= {"sent"}
            and {k: pushed.get(k, 0) for k in push_ids} == dict.fromkeys(push_ids, 1)
            and set(pushed) <= push_ids
            and not _push_refused(out)
        )
        checks["no row claimed past the claim timeout and a sweep"] = (
            -1 not in claims_seen
            and max(claims_seen, default=0) <= CLAIM_TIMEOUT + 2 * SWEEP_EVERY
            and not Message.objects.filter(status="sending").exists()
        )
        checks[f"requests succeed again within {RECOVERY_GOAL:g} s of each heal"] = all(
            p.get("requests_ok_again_after_seconds") is not None
            and p["requests_ok_again_after_seconds"] <= RECOVERY_GOAL
            for name, p in phases.items()
            if not name.endswith("slow")
        )
        checks["the web stayed up through the slow link (some 201s)"] = (
            probe.answers["web-slow"]["201"] > 0
        )
        connection.close()
    finally:
        stop_sweeping.set()
        if phones is not None:
            phones.kill()
        for part in (worker, web):
            if part is not None:
                part.stop()
        if proxy is not None:
            proxy.kill()
            proxy.wait(timeout=10)
        if smtp is not None:
            smtp.stop()
        if push is not None:
            push.terminate()
            push.wait(timeout=10)
        if redis is not None:
            redis.cleanup()
        if pg is not None:
            pg.cleanup()
        left = hosts.remove()
    report["left_over_after_cleanup"] = left
    checks["every namespace and link removed"] = not left
    return report_close(report, checks, out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--outage", type=float, default=15)
    parser.add_argument("--slow", type=float, default=20)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--settle", type=float, default=20, help="seconds between phases")
    args = parser.parse_args()
    report = run(args.outage, args.slow, args.users, args.settle)
    return report_exit(report)


if __name__ == "__main__":
    sys.exit(main())
