"""The partition drill in its short form (loadtest/partitions.py; `make drills` runs it at
full length): PostgreSQL, Redis, web and worker in separate network namespaces, each link
cut for 3 s under load, then web-PostgreSQL slow and lossy. Private servers only.

Network namespaces need root and iproute2: without them this skips, except in CI (``CI``
set), where it fails, as the browser tests do.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from loadtest.netns import available

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def namespaces():
    missing = available()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"network namespaces are required in CI: {missing}")
        pytest.skip(f"network namespaces unavailable: {missing}")


@pytest.mark.integration
def test_short_partitions_answer_503_at_worst_and_deliver_each_alert_once(namespaces):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "loadtest.partitions",
            "--outage",
            "3",
            "--slow",
            "5",
            "--users",
            "4",
            "--settle",
            "8",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=400,
        check=False,
    )
    stdout = result.stdout
    assert "{" in stdout, result.stderr[-3000:]
    report = json.loads(stdout[stdout.index("{") :])
    failed = [name for name, ok in report["checks"].items() if not ok]
    assert failed == [], json.dumps(report, indent=1)
    assert result.returncode == 0
    assert "every sentinel's alert pushed exactly once at the push stub" in report["checks"]
    assert set(report["phases"]) == {
        "web-redis",
        "worker-redis",
        "worker-db",
        "web-db",
        "web-slow",
    }
    # Cut off from its database the web answered 503 (not a hang, not a 500) and recovered.
    assert "503 Retry-After=5" in report["phases"]["web-db"]["probe_answers"]
    assert report["left_over_after_cleanup"] == []
