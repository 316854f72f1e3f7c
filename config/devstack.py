"""`make run`'s foreground process: API, Celery worker and beat, stopped together by Ctrl-C.

Closing the terminal (SIGHUP) and ``kill`` (SIGTERM) stop them the same way: the children
run in their own session, so nothing else would stop them, and the next `make run` would find
the port taken.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

# The local demo, not a deployment: its children (runserver, worker, beat) inherit this.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.development")

HOST = os.environ.get("HOST", "127.0.0.1")
PORT = os.environ.get("PORT", "8000")

COMMANDS = {
    "api": [sys.executable, "manage.py", "runserver", f"{HOST}:{PORT}", "--noreload"],
    "worker": [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "--loglevel",
        "INFO",
        "--concurrency",
        "2",
        "--pool",
        "prefork",
    ],
    "beat": [sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel", "INFO"],
}


def main() -> int:
    children: dict[str, subprocess.Popen[bytes]] = {}
    stopping = False

    def stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, stop)
    # Logs read by eye in the terminal, unless the caller chose otherwise.
    env = {**os.environ, "LOG_FORMAT": os.environ.get("LOG_FORMAT", "plain")}
    for name, command in COMMANDS.items():
        # Own process group: Ctrl-C reaches only us, and we stop the children in order.
        children[name] = subprocess.Popen(command, start_new_session=True, env=env)  # noqa: S603
    print(
        f"API on http://{HOST}:{PORT}/ (admin /admin/, docs /api/docs/). Ctrl-C stops.", flush=True
    )
    exit_code = 0
    while not stopping:
        for name, child in children.items():
            if child.poll() is not None:
                print(f"{name} exited with {child.returncode}; stopping the rest.", file=sys.stderr)
                stopping, exit_code = True, 1
        time.sleep(0.5)
    for child in children.values():
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 15
    for child in children.values():
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
