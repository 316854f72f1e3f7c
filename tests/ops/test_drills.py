"""The fault drills in their short form: phones under load while PostgreSQL and Redis fail.

`make drills` runs the same drill at full length (loadtest/drills.py). Everything runs on
private servers started for the drill; the shared PostgreSQL and Redis are never touched.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.integration
def test_short_drill_database_restart_and_broker_outage_under_load():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "loadtest.drills",
            "--seconds",
            "12",
            "--users",
            "4",
            "--outage",
            "2",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    stdout = result.stdout
    assert "{" in stdout, result.stderr[-3000:]
    report = json.loads(stdout[stdout.index("{") :])
    failed = [name for name, ok in report["checks"].items() if not ok]
    assert failed == [], json.dumps(report, indent=1)
    assert result.returncode == 0
    # While the database was down every probe got 503 + Retry-After, and some load ran.
    assert report["pg_outage_answers"]
    assert set(report["pg_outage_answers"]) == {"503 Retry-After=5"}
    assert report["acknowledged"] == report["stored"] > 0
