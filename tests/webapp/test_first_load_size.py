"""The app shell's first load stays within 150 KB of JS+CSS, compressed (issue 19), and the
benchmark weighs what a browser really loads."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings

from tests.browser import Browser, page_ready, wait
from webapp.views import shell_assets

BENCH = Path(settings.BASE_DIR) / "bench" / "webapp_size.py"


def _bench():
    spec = importlib.util.spec_from_file_location("webapp_size", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules["webapp_size"] = module  # its dataclass looks itself up there
    spec.loader.exec_module(module)
    return module


def test_first_load_is_within_budget_compressed():
    bench = _bench()
    weights = bench.first_load()
    gzipped = bench.total(weights, "gzip")
    listing = "\n".join(f"{w.path}: {w.gzip} B" for w in weights)
    assert gzipped <= bench.BUDGET_BYTES, f"{gzipped} B gzip > 150 KB:\n{listing}"
    assert {"webapp/js/main.js", "webapp/css/app.css"} <= {w.path for w in weights}


@pytest.mark.django_db
def test_the_weighed_files_are_the_ones_the_shell_links(client):
    html = client.get("/app/").content.decode()
    linked = re.findall(r'<link rel="stylesheet" href="/static/([^"]+)"', html)
    entry = re.findall(r'<script type="module" src="/static/([^"]+)"', html)
    assert linked and entry == ["webapp/js/main.js"]
    assert set(linked) | set(entry) <= set(shell_assets())


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_browser_loads_nothing_on_first_visit_that_the_benchmark_misses(
    live_server, desktop: Browser
):
    desktop.get(f"{live_server.url}/app/signin")
    wait(desktop, page_ready)
    loaded = desktop.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
    )
    paths = {urlparse(url).path for url in loaded}
    scripts_and_styles = {
        path.removeprefix("/static/")
        for path in paths
        if path.startswith("/static/") and path.endswith((".js", ".css"))
    }
    assert "webapp/js/main.js" in scripts_and_styles
    assert scripts_and_styles <= set(shell_assets())
