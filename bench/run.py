"""`make bench`: every benchmark in bench/, each on a fresh database, one dated row set in
RESULTS.md.

A benchmark is any ``bench/*.py`` (not starting with ``_``) with a ``__main__`` entry point;
it measures itself and a baseline in the same run and reports through ``_setup.report`` or
``_setup.record``. Scripts run one after another (each in its own process, so one's memory
and connections do not weigh on the next).

    .venv/bin/python bench/run.py [--only ingest,reminders] [--no-write]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "RESULTS.md"


def discover(only: set[str] | None) -> list[Path]:
    scripts = []
    for path in sorted(BENCH.glob("*.py")):
        if path.name.startswith("_") or path.name == "run.py":
            continue
        if 'if __name__ == "__main__":' not in path.read_text():
            continue
        if only is None or path.stem in only:
            scripts.append(path)
    return scripts


def machine() -> str:
    cores = os.cpu_count() or 0
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{cores} cores, {memory:.1f} GiB RAM, Python {platform.python_version()}"


def database_version() -> str:
    code = (  # the server, not the (not yet created) benchmark database
        # From the repository root: run inside bench/, `import clinic` found bench/clinic.py.
        "import sys; sys.path.append('bench')\n"
        "import _setup; from django.db import connection\n"
        "with connection._nodb_cursor() as c:\n"
        "    c.execute('show server_version'); print(c.fetchone()[0].split()[0])"
    )
    try:
        out = subprocess.run(  # noqa: S603
            [sys.executable, "-c", code],
            cwd=BENCH.parent,
            capture_output=True,
            text=True,
            check=True,
        )
        return f"PostgreSQL {out.stdout.strip()}"
    except subprocess.CalledProcessError:
        return "PostgreSQL ?"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", help="comma-separated script names (without .py)")
    parser.add_argument("--no-write", action="store_true", help="print, do not touch RESULTS.md")
    args = parser.parse_args()
    only = set(args.only.split(",")) if args.only else None
    rows: list[dict[str, str]] = []
    failed = []
    for script in discover(only):
        with tempfile.NamedTemporaryFile("r", suffix=".jsonl") as sink:
            print(f"== {script.name}", flush=True)
            started = time.monotonic()
            result = subprocess.run(  # noqa: S603
                [sys.executable, str(script)],
                cwd=BENCH.parent,
                env={**os.environ, "BENCH_RESULTS_FILE": sink.name},
                check=False,
            )
            print(f"   ({time.monotonic() - started:.0f} s)", flush=True)
            if result.returncode != 0:
                failed.append(script.name)
            for line in sink.read().splitlines():
                rows.append({"script": script.stem, **json.loads(line)})
    table = [
        "| benchmark | figure | ours (median) | baseline (same run) | ratio |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        figure = row["name"] + (f" ({row['note']})" if row["note"] else "")
        table.append(
            f"| {row['script']} | {figure} | {row['ours']} | {row['baseline']} | {row['ratio']} |"
        )
    print("\n".join(table))
    if not args.no_write and rows:
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        section = f"\n## {stamp}, `make bench`: {machine()}, {database_version()}\n\n"
        with RESULTS.open("a") as out:
            out.write(section + "\n".join(table) + "\n")
        print(f"appended to {RESULTS.relative_to(BENCH.parent)}")
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
