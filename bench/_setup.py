"""Shared set-up: Django on a throwaway PostgreSQL database, created and migrated per run."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/footjournal_bench")
# A broker database of its own: alerts publish as they would in service; flushed at the end.
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/14")
# No access line per request in the figures' output (servers a bench starts set their own).
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402


def main(run: Callable[..., None], **defaults: int) -> None:
    """Parse ``--name N`` for each default, then run on a fresh database and drop it."""
    parser = argparse.ArgumentParser()
    for name, value in defaults.items():
        parser.add_argument(f"--{name}", type=int, default=value)
    args = parser.parse_args()
    database()
    try:
        run(**vars(args))
    finally:
        teardown()


def database() -> None:
    """A fresh test database (test_<name>), migrated; removed by ``teardown``."""
    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)


def teardown() -> None:
    import redis
    from django.conf import settings

    connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)
    redis.Redis.from_url(settings.REDIS_URL).flushdb()


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def report(name: str, ours: list[float], baseline: list[float], unit: str) -> None:
    """Durations in seconds; prints medians in ms and ours/baseline (lower is better)."""
    o, b = statistics.median(ours), statistics.median(baseline)
    print(
        f"{name}: ours median {o * 1000:.1f} ms, baseline median {b * 1000:.1f} ms "
        f"per {unit}; ratio {o / b:.1f}x (n={len(ours)})"
    )
    record(name, f"{o * 1000:.1f} ms", f"{b * 1000:.1f} ms", f"{o / b:.2f}x")


def record(name: str, ours: str, baseline: str, ratio: str, note: str = "") -> None:
    """One row for `make bench` (bench/run.py collects them into bench/RESULTS.md)."""
    path = os.environ.get("BENCH_RESULTS_FILE")
    if path:
        row = {"name": name, "ours": ours, "baseline": baseline, "ratio": ratio, "note": note}
        with open(path, "a") as out:
            out.write(json.dumps(row) + "\n")
