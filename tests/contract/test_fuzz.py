"""Schemathesis against a live server: every operation, every check, zero failures.

The server is pytest-django's live_server (a real threaded HTTP server on a free port, on
the test database); schemathesis runs as its CLI does in any CI, with the settings in
schemathesis.toml (fixed seed, examples per operation, stateful phase, the few disabled
checks and why) and hooks.py (a real patient's token on every request).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
ST = Path(sys.executable).with_name("st")

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def run_schemathesis(base_url: str, report_dir: Path, *extra: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "CONTRACT_BASE_URL": base_url,
        "SCHEMATHESIS_HOOKS": "tests.contract.hooks",
        "PYTHONPATH": str(ROOT),
        "NO_COLOR": "1",
    }
    return subprocess.run(  # noqa: S603 - our own CLI with fixed arguments
        [
            str(ST),
            "--config-file",
            str(HERE / "schemathesis.toml"),
            "run",
            f"{base_url}/api/schema/?format=json",
            "--url",
            base_url,
            "--report",
            "junit",
            "--report-dir",
            str(report_dir),
            *extra,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def test_schemathesis_finds_no_failure_on_any_operation(live_server, tmp_path):
    from django.db import connection

    if connection.vendor != "postgresql":
        # Seen on SQLite: the run stalls with requests waiting on the test database (the live
        # server's threads share Django's in-memory test database). The contract does not
        # depend on the database; CI runs this on PostgreSQL, as production does.
        pytest.skip("the fuzz run needs PostgreSQL")
    result = run_schemathesis(live_server.url, tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-20000:]
    # Every operation in the schema was selected and exercised, endpoints added later included.
    selected = re.search(r"Selected: (\d+)/(\d+)", output)
    tested = re.search(r"Tested: (\d+)", output)
    assert selected and tested, output[-5000:]
    assert selected[1] == selected[2] == tested[1], output[-5000:]
    assert re.search(r"(\d+) generated, \1 passed", output), output[-5000:]
