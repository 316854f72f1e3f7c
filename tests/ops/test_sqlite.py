"""`make run` runs on SQLite: patients writing at the same moment must all be answered."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_concurrent_writers_on_sqlite_all_succeed(tmp_path):
    patients, rounds = 4, 8
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    result = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-m",
            "tests.ops.sqlite_writers",
            str(tmp_path / "db.sqlite3"),
            str(patients),
            str(rounds),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome == {"statuses": {"201": patients * rounds}, "stored": patients * rounds}
    journal_mode = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-c",
            "import sqlite3,sys; print(sqlite3.connect(sys.argv[1])"
            ".execute('pragma journal_mode').fetchone()[0])",
            str(tmp_path / "db.sqlite3"),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert journal_mode == "wal"
