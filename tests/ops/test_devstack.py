"""`make run`'s supervisor: every way of stopping it stops the API, worker and beat too."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# The real supervisor with its three commands swapped for long sleeps we can find again.
SCRIPT = """
import sys
from config import devstack
marker = sys.argv[1]
devstack.COMMANDS = {name: ["sleep", marker] for name in ("api", "worker", "beat")}
sys.exit(devstack.main())
"""


def _sleepers(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                argv = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if argv[:2] == [b"sleep", marker.encode()]:
                found.append(int(entry.name))
    return found


@pytest.mark.parametrize("signum", [signal.SIGHUP, signal.SIGINT, signal.SIGTERM])
def test_closing_the_terminal_stops_every_child(signum):
    marker = f"{3000 + os.getpid() % 1000}.{signum}"
    supervisor = subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", SCRIPT, marker],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert "Ctrl-C stops" in supervisor.stdout.readline()
        deadline = time.monotonic() + 10  # a child may still be between fork and exec
        while len(_sleepers(marker)) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(_sleepers(marker)) == 3
        supervisor.send_signal(signum)
        supervisor.wait(timeout=30)
        deadline = time.monotonic() + 10
        while _sleepers(marker) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _sleepers(marker) == []
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
        for pid in _sleepers(marker):
            os.kill(pid, signal.SIGKILL)
