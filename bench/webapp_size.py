"""The patient's web app: how many bytes of JS and CSS a phone downloads to show its first page.

What is weighed: the stylesheets the shell links and every ES module reachable from
``webapp/js/main.js`` by an ``import`` (``webapp.views.shell_assets``, which parses them, the
same list the shell is built from), each compressed on its own as an HTTP response is: gzip
(level 9) and, where the ``brotli`` module is installed, brotli (quality 11). The budget
(issue 19) is 150 KB compressed; the service worker and what it caches in the background
after the first page are listed apart, not counted in it.

    .venv/bin/python bench/webapp_size.py          # or: make bench BENCH_ONLY=webapp_size

No database: this reads files only.
"""

from __future__ import annotations

import gzip
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUDGET_BYTES = 150 * 1024

try:
    import brotli
except ImportError:  # optional: gzip alone is still a fair figure
    brotli = None


@dataclass(frozen=True)
class Weight:
    path: str
    raw: int
    gzip: int
    brotli: int | None


def weigh(path: Path, name: str) -> Weight:
    data = path.read_bytes()
    return Weight(
        path=name,
        raw=len(data),
        gzip=len(gzip.compress(data, compresslevel=9, mtime=0)),
        brotli=len(brotli.compress(data, quality=11)) if brotli else None,
    )


def first_load() -> list[Weight]:
    """Each JS and CSS file of the app shell's first load, weighed."""
    from webapp.views import STATIC_DIR, shell_assets

    return [weigh(STATIC_DIR.parent / name, name) for name in shell_assets()]


def total(weights: list[Weight], field: str) -> int:
    return sum(getattr(weight, field) or 0 for weight in weights)


def _kb(size: int) -> str:
    return f"{size / 1024:.1f} KB"


def main() -> None:
    from _setup import record  # Django settings; this benchmark creates no database

    from webapp.views import SERVICE_WORKER, STATIC_DIR, shell_assets, static_files

    weights = first_load()
    print(f"{'file':48} {'raw':>10} {'gzip':>10} {'brotli':>10}")
    for weight in weights:
        compressed = _kb(weight.brotli) if weight.brotli is not None else "-"
        print(f"{weight.path:48} {_kb(weight.raw):>10} {_kb(weight.gzip):>10} {compressed:>10}")
    raw, gzipped = total(weights, "raw"), total(weights, "gzip")
    print(f"{'first load: ' + str(len(weights)) + ' files':48} {_kb(raw):>10} {_kb(gzipped):>10}")
    record(
        f"first load JS+CSS, gzip -9 ({len(weights)} files)",
        _kb(gzipped),
        f"{_kb(BUDGET_BYTES)} budget",
        f"{gzipped / BUDGET_BYTES:.2f}x",
        note=f"{_kb(raw)} uncompressed",
    )
    if brotli is not None:
        brotlied = total(weights, "brotli")
        print(f"brotli -q 11: {_kb(brotlied)}")
        record(
            "first load JS+CSS, brotli q11",
            _kb(brotlied),
            f"{_kb(BUDGET_BYTES)} budget",
            f"{brotlied / BUDGET_BYTES:.2f}x",
        )
    else:
        print("brotli: not installed, gzip only")
    # After the first page, apart from the budget: the worker and what it caches for offline.
    worker = weigh(SERVICE_WORKER, "sw.js")
    later = [
        weigh(STATIC_DIR.parent / name, name)
        for name in static_files()
        if name not in set(shell_assets())
    ]
    print(
        f"then in the background: the service worker {_kb(worker.gzip)} gzip, and "
        f"{len(later)} more files it caches for offline use, {_kb(total(later, 'gzip'))} gzip "
        "(icons and images are already compressed)"
    )
    if gzipped > BUDGET_BYTES:
        print(f"over budget: {_kb(gzipped)} > {_kb(BUDGET_BYTES)}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
