"""The rolling-restart drill in its short form (loadtest/rolling.py; `make drills` runs it
at full length): phones posting while every web worker restarts, the gunicorn master is
replaced and the Celery worker is stopped mid-delivery. Private servers only."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.integration
def test_short_rolling_restart_fails_no_request_and_sends_each_email_once():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "loadtest.rolling",
            "--seconds",
            "24",
            "--users",
            "4",
            "--sentinels",
            "8",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    stdout = result.stdout
    assert "{" in stdout, result.stderr[-3000:]
    report = json.loads(stdout[stdout.index("{") :])
    failed = [name for name, ok in report["checks"].items() if not ok]
    assert failed == [], json.dumps(report, indent=1)
    assert result.returncode == 0
    assert report["failed_requests"] == {}
    assert report["sighup"]["new"] and not set(report["sighup"]["new"]) & set(
        report["sighup"]["old"]
    )
    assert report["master_replaced"]["new_master"] != report["master_replaced"]["old_master"]
    assert report["celery_sigterm"]["sends_under_way"] >= 1
    assert report["emails_twice"] == [] and report["emails_lost"] == []
