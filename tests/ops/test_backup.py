"""The backup-and-restore drill in its short form (loadtest/backup.py; `make drills` runs it
at full length): a base backup, WAL archive and logical dump taken under load, restored to
a moment T on a fresh server, and the app run against it. Private servers only."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.integration
def test_short_backup_restores_to_the_moment_and_sends_pending_alerts_once():
    result = subprocess.run(
        [sys.executable, "-m", "loadtest.backup", "--seconds", "20", "--users", "4"],
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
    # Entries on both sides of T, and alerts both sent and pending at T.
    assert report["pitr"]["acknowledged_before_T"] > 0 and report["pitr"]["made_after_T"] > 0
    assert report["pitr"]["missing"] == report["pitr"]["made_after_T_present"] == 0
    assert report["pitr"]["email_rows_sent_at_T"] > 0
    assert report["restored_app"]["emails_at_stub"] == report["pitr"]["email_rows_pending_at_T"]
