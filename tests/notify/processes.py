"""Real processes for the integration tests: a private Redis and Celery workers.

A private Redis (not the shared one on 6379) so a test can stop and restart the broker
without disturbing anything else.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis

from tests.notify.servers import free_port

ROOT = Path(__file__).resolve().parents[2]


class RedisServer:
    """``prefix`` runs it elsewhere (``ip netns exec NS``), listening on ``bind`` (addresses
    separated by spaces) and reached by this process at ``host``."""

    def __init__(
        self, *, prefix: tuple[str, ...] = (), bind: str = "127.0.0.1", host: str = "127.0.0.1"
    ) -> None:
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="redis-test-")
        self.process: subprocess.Popen[bytes] | None = None
        self.prefix, self.bind, self.host = prefix, bind, host

    @property
    def url(self) -> str:
        return self.url_at(self.host)

    def url_at(self, host: str) -> str:
        return f"redis://{host}:{self.port}/0"

    def start(self) -> RedisServer:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.process = subprocess.Popen(  # noqa: S603
            [
                *self.prefix,
                binary,
                "--port",
                str(self.port),
                "--bind",
                *self.bind.split(),
                # Reachable only inside a drill's namespaces when bound elsewhere than loopback.
                "--protected-mode",
                "no" if self.prefix else "yes",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                self.dir,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if client.ping():
                    return self
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=10)
        self.process = None

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class WorkerProcess:
    """``celery worker`` in its own process, on the test database and the given broker."""

    def __init__(
        self,
        *,
        env: dict[str, str],
        concurrency: int = 1,
        name: str = "w",
        prefix: tuple[str, ...] = (),
    ) -> None:
        self.env = env
        self.prefix = prefix  # e.g. ("ip", "netns", "exec", NS): a drill's separate host
        self.concurrency = concurrency
        self.name = name
        self.log = Path(tempfile.mkstemp(prefix=f"worker-{name}-", suffix=".log")[1])
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> WorkerProcess:
        command = [
            *self.prefix,
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool",
            "prefork",
            "--concurrency",
            str(self.concurrency),
            "--hostname",
            f"{self.name}-{os.getpid()}@%h",
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(  # noqa: S603
                command,
                cwd=ROOT,
                env={**os.environ, **self.env},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.wait_for_log("ready", timeout=30)
        return self

    def wait_for_log(self, text: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.log.read_text(errors="replace"):
                return
            if self.process is not None and self.process.poll() is not None:
                break
            time.sleep(0.1)
        raise AssertionError(f"worker never logged {text!r}:\n{self.log.read_text()[-3000:]}")

    def broker_connections(self) -> int:
        """How many times the worker has connected to the broker so far (its log says)."""
        return self.log.read_text(errors="replace").count("Connected to redis")

    def reconnected_or_restarted(self, connected: int, timeout: float) -> bool:
        """Wait until the worker has connected to the broker again (more than ``connected``
        times), or start it again if it exited, as a supervisor would. True if restarted."""
        deadline = time.monotonic() + timeout
        while self.broker_connections() <= connected:
            if self.process is None or self.process.poll() is not None:
                self.start()  # waits for "ready", connected to the broker
                return True
            if time.monotonic() > deadline:
                raise AssertionError(f"worker neither reconnected nor exited:\n{self.tail()}")
            time.sleep(0.1)
        return False

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]

    def kill(self) -> None:
        """SIGKILL the whole process group: main process and pool children, no cleanup."""
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
            self.process = None

    def terminate(self, timeout: float = 60) -> int:
        """SIGTERM to the main process only, as systemd (``KillMode=mixed``) and Kubernetes
        send it: a warm shutdown that finishes the tasks under way. (The pool's children
        reset SIGTERM to its default, so a SIGTERM to the whole group kills them mid-task.)
        Returns the exit status."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=timeout)
        self.process = None
        return code

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None
