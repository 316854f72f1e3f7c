"""Private servers for the load test and fault drills: PostgreSQL, Redis, gunicorn.

Never the shared PostgreSQL/Redis: a drill stops and restarts its own, on free ports, in
temporary directories. PostgreSQL refuses to run as root, so when we are root it runs as
the ``postgres`` OS user (``runuser``).
"""

from __future__ import annotations

import contextlib
import glob
import http.client
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.notify.processes import RedisServer, WorkerProcess
from tests.notify.servers import free_port

ROOT = Path(__file__).resolve().parent.parent
__all__ = [
    "Gunicorn",
    "PrivatePostgres",
    "RedisServer",
    "WorkerProcess",
    "children_of",
    "free_port",
]


class PrivatePostgres:
    """initdb into a temporary directory; start, stop (as a crash or a clean shutdown)."""

    def __init__(self, *, prefix: tuple[str, ...] = (), listen: str = "127.0.0.1") -> None:
        """``prefix`` runs the server elsewhere (``ip netns exec NS``) listening on
        ``listen`` (comma-separated addresses; this process reaches it at the first)."""
        self.prefix, self.listen = prefix, listen
        self.host = listen.split(",")[0]
        versions = sorted(
            glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[4])
        )
        if not versions:
            raise RuntimeError("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin")
        self.bin = Path(versions[-1])
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="pg-drill-"))
        self.data = self.dir / "data"
        self.log = self.dir / "server.log"
        self._as_postgres = os.geteuid() == 0

    @property
    def url(self) -> str:
        return self.url_at(self.host)

    def url_at(self, host: str, port: int | None = None) -> str:
        return f"postgres://postgres@{host}:{port or self.port}/drill"

    def _run(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        command = [*self.prefix, *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)  # noqa: S603

    def run_as_owner(self, *command: str, timeout: float = 600) -> None:
        """Any command as the server's OS user (files it writes stay readable to the server)."""
        if self._as_postgres:
            command = ("runuser", "-u", "postgres", "--", *command)
        try:
            subprocess.run(command, check=True, capture_output=True, timeout=timeout)  # noqa: S603
        except subprocess.CalledProcessError as exc:
            raise RuntimeError(f"{command}: {exc.stderr.decode(errors='replace')}") from exc

    def tool(self, name: str) -> str:
        return str(self.bin / name)

    def owned_dir(self, name: str) -> Path:
        """A directory inside this server's temporary directory, owned by its OS user."""
        path = self.dir / name
        path.mkdir()
        if self._as_postgres:
            shutil.chown(path, "postgres", "postgres")
        return path

    def configure(self, **settings: str) -> None:
        """Append settings to postgresql.conf (the last occurrence wins); before start()."""
        lines = "".join(f"{key} = '{value}'\n" for key, value in settings.items())
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(lines)

    def from_base_backup(self, backup: Path, **settings: str) -> PrivatePostgres:
        """A data directory made from a ``pg_basebackup -Ft -z -X stream`` backup, with
        recovery.signal and ``settings`` (restore_command, recovery_target_time...)."""
        self.data.mkdir(mode=0o700)
        if self._as_postgres:
            shutil.chown(self.dir, "postgres", "postgres")
            shutil.chown(self.data, "postgres", "postgres")
        self.run_as_owner("tar", "-xzf", str(backup / "base.tar.gz"), "-C", str(self.data))
        wal = self.data / "pg_wal"
        self.run_as_owner("tar", "-xzf", str(backup / "pg_wal.tar.gz"), "-C", str(wal))
        self.configure(**settings)
        self.run_as_owner("touch", str(self.data / "recovery.signal"))
        return self

    def init(self) -> PrivatePostgres:
        if self._as_postgres:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync")
        return self.start()

    def start(self) -> PrivatePostgres:
        options = (
            f"-p {self.port} -c listen_addresses={self.listen}"
            f" -c unix_socket_directories={self.dir}"
            " -c fsync=off -c max_connections=200"
        )
        try:
            self._run(
                "pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start"
            )
        except subprocess.CalledProcessError as exc:
            log = self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""
            raise RuntimeError(f"PostgreSQL did not start:\n{log}") from exc
        return self

    def stop(self, mode: str = "fast") -> None:
        """``fast``: a clean restart; ``immediate``: as if the server crashed."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def trust(self, network: str) -> None:
        """Let clients from ``network`` in without a password (initdb trusts loopback only);
        the server re-reads pg_hba.conf shortly after (the reload signal is asynchronous)."""
        with (self.data / "pg_hba.conf").open("a") as hba:
            hba.write(f"host all all {network} trust\n")
        self._run("pg_ctl", "-D", str(self.data), "reload")

    def createdb(self) -> None:
        self._run("createdb", "-h", self.host, "-p", str(self.port), "-U", "postgres", "drill")

    def cleanup(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


def service_env(database_url: str, redis_url: str, **extra: str) -> dict[str, str]:
    """The environment of every process of the drill's service (web, worker, migrate)."""
    return {
        **os.environ,
        # Production settings, as deployed; plain HTTP on loopback instead of behind TLS.
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "AUTH_THROTTLE_RATE": "100000/min",
        "LOG_LEVEL": "WARNING",
        **extra,
    }


class Gunicorn:
    """The production web command (config/gunicorn.py) on a free port."""

    def __init__(
        self,
        env: dict[str, str],
        workers: int = 2,
        threads: int = 4,
        *,
        prefix: tuple[str, ...] = (),
        host: str = "127.0.0.1",
    ) -> None:
        """``prefix`` runs it elsewhere (``ip netns exec NS``), reached at ``host``."""
        self.port = free_port()
        self.prefix, self.host = prefix, host
        self.env = {
            **env,
            "GUNICORN_BIND": f"{'0.0.0.0' if prefix else host}:{self.port}",  # noqa: S104
            "WEB_CONCURRENCY": str(workers),
            "WEB_THREADS": str(threads),
        }
        self.log = Path(tempfile.mkstemp(prefix="gunicorn-drill-", suffix=".log")[1])
        self.process: subprocess.Popen[bytes] | None = None
        self._master_pid: int | None = None
        self._pgid = 0
        self.graceful_timeout = 20  # config/gunicorn.py

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> Gunicorn:
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(  # noqa: S603
                # The console script, as deployed: USR2 re-executes the command line, and
                # "python -m gunicorn" would come back as ".../gunicorn/__main__.py", with
                # gunicorn's own package first on sys.path (its "http" hides the stdlib's).
                [*self.prefix, gunicorn, "-c", "config/gunicorn.py", "config.wsgi"],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._master_pid = self._pgid = self.process.pid
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection(self.host, self.port, timeout=2)
                conn.request("GET", "/health/live/")
                if conn.getresponse().status == 200:
                    return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not start:\n{self.log.read_text()[-2000:]}")

    @property
    def master_pid(self) -> int:
        """The serving master: the one started, or the one that replaced it (USR2)."""
        if self._master_pid is None:
            raise RuntimeError("gunicorn is not running")
        return self._master_pid

    def workers(self, master: int | None = None) -> set[int]:
        return children_of(self.master_pid if master is None else master)

    def reload_workers(self, timeout: float = 60) -> dict:
        """SIGHUP: the master starts a new set of workers and stops the old ones gracefully."""
        old = self.workers()
        count = len(old)
        started = time.monotonic()
        os.kill(self.master_pid, signal.SIGHUP)
        while time.monotonic() - started < timeout:
            now = self.workers()
            if len(now) == count and not now & old:
                self._wait_booted(self.master_pid, count, started + timeout - time.monotonic())
                return {"old": sorted(old), "new": sorted(now), "seconds": _since(started)}
            time.sleep(0.1)
        raise RuntimeError(f"workers not replaced after SIGHUP:\n{self.log.read_text()[-2000:]}")

    def replace_master(self, timeout: float = 60) -> dict:
        """A new master on the same listening socket, then SIGTERM to the old one.

        USR2 makes the master fork and exec a new master that inherits the listening socket
        itself (its file descriptor), not a second socket on the same port: there is one
        accept queue throughout, so a connection the kernel has queued is served by whichever
        master's workers accept it. (Two masters with ``reuse_port`` would each have their
        own queue, and connections queued on the old one when it closes are reset.) The old
        master's SIGTERM stops its workers gracefully; WINCH is ignored unless daemonized.
        """
        old_master, old_workers = self.master_pid, self.workers()
        count = len(old_workers)
        started = time.monotonic()
        os.kill(old_master, signal.SIGUSR2)
        new_master = None
        while time.monotonic() - started < timeout:
            spawned = children_of(old_master) - old_workers
            if new_master is None and spawned:
                new_master = spawned.pop()
            if new_master is not None and len(children_of(new_master)) == count:
                break
            time.sleep(0.1)
        else:
            raise RuntimeError(f"no new master after USR2:\n{self.log.read_text()[-2000:]}")
        # The new workers accept once they have loaded the app; until then the old ones do.
        self._wait_booted(new_master, count, timeout=started + timeout - time.monotonic())
        booted = _since(started)
        os.kill(old_master, signal.SIGTERM)
        if self.process is not None:
            self.process.wait(timeout=self.graceful_timeout + 10)
        self._master_pid = new_master
        return {
            "old_master": old_master,
            "new_master": new_master,
            "new_ready_seconds": booted,
            "old_gone_seconds": _since(started),
        }

    def _wait_booted(self, master: int, count: int, timeout: float) -> None:
        """Until ``count`` workers of ``master`` have logged that they are booted."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pids = children_of(master)
            log = self.log.read_text(errors="replace")
            if len(pids) == count and all(f"Worker {pid} ready" in log for pid in pids):
                return
            time.sleep(0.1)
        raise RuntimeError(f"new workers did not boot:\n{self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        if self._master_pid is None:
            return
        # The process group outlives the first master when a new one replaced it.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self._pgid, signal.SIGTERM)
        deadline = time.monotonic() + 30
        while _group_alive(self._pgid) and time.monotonic() < deadline:
            if self.process is not None:
                self.process.poll()  # reap the first master
            time.sleep(0.1)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self._pgid, signal.SIGKILL)
        if self.process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=10)
        self.process = None
        self._master_pid = None


def _since(started: float) -> float:
    return round(time.monotonic() - started, 2)


def children_of(pid: int) -> set[int]:
    """Live (not zombie) child processes of ``pid``, from /proc."""
    found = set()
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            text = Path(stat).read_text()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses.
        state, ppid = text[text.rindex(")") + 2 :].split()[:2]
        if int(ppid) == pid and state != "Z":
            found.add(int(stat.split("/")[2]))
    return found


def _group_alive(pgid: int) -> bool:
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            text = Path(stat).read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2 :].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False
