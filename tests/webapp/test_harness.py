"""The browser harness itself: what the journey tests rely on must really hold.

Served by a plain HTTP server from a temporary directory, so these run without the app.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from selenium.common.exceptions import WebDriverException

from tests.browser import (
    Browser,
    accessible_names,
    axe_violations,
    by_label,
    by_role,
    offline,
    page_can_fetch,
    wait,
)

pytestmark = pytest.mark.integration

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Harness</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>Harness</h1>
<form><label for="where">Where does it hurt?</label><input id="where" type="text">
<label><input type="checkbox" id="swollen"> Is it swollen?</label>
<input id="pain" type="range" min="0" max="10" aria-label="How bad is the pain">
<button type="button" id="save">Save entry</button></form>
<a href="/other.html">Other page</a>
%s
</main><script src="/page.js"></script></body></html>
"""
# The service worker fetches on the page's behalf when asked, so the test can tell whether
# its own requests obey the switch, not only the page's.
SERVICE_WORKER = """
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (e) => e.waitUntil(self.clients.claim()));
self.addEventListener('message', (event) => {
  fetch('/ping.txt?sw=' + Math.random(), {cache: 'no-store'})
    .then(() => event.source.postMessage('ok'), () => event.source.postMessage('failed'));
});
"""
PAGE_JS = """
navigator.serviceWorker.register('/sw.js').then(() => navigator.serviceWorker.ready)
  .then(() => { document.body.dataset.sw = 'ready'; });
window.askWorker = (done) => {
  navigator.serviceWorker.addEventListener('message', (e) => done(e.data), {once: true});
  navigator.serviceWorker.controller.postMessage('fetch');
};
"""


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root: Path = tmp_path_factory.mktemp("site")
    (root / "index.html").write_text(PAGE % "")
    (root / "bad.html").write_text(PAGE % '<input id="nameless" type="text">')
    (root / "sw.js").write_text(SERVICE_WORKER)
    (root / "page.js").write_text(PAGE_JS)
    (root / "ping.txt").write_text("pong")
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _worker_fetches(driver: Browser) -> str:
    return driver.execute_async_script("window.askWorker(arguments[0]);")


def test_offline_cuts_the_page_and_its_service_worker(site: str, phone: Browser) -> None:
    phone.get(f"{site}/index.html")
    wait(phone, lambda d: d.execute_script("return document.body.dataset.sw === 'ready'"))
    wait(phone, lambda d: d.execute_script("return !!navigator.serviceWorker.controller"))
    assert page_can_fetch(phone, f"{site}/ping.txt")
    assert _worker_fetches(phone) == "ok"

    offline(phone, True)
    assert not page_can_fetch(phone, f"{site}/ping.txt")
    assert _worker_fetches(phone) == "failed"

    offline(phone, False)
    assert page_can_fetch(phone, f"{site}/ping.txt")
    assert _worker_fetches(phone) == "ok"


def test_offline_holds_for_a_page_opened_while_offline(site: str, desktop: Browser) -> None:
    desktop.get(f"{site}/index.html")
    wait(desktop, lambda d: d.execute_script("return !!navigator.serviceWorker.controller"))
    offline(desktop, True)
    with pytest.raises(WebDriverException, match="ERR_INTERNET_DISCONNECTED"):
        desktop.get(f"{site}/index.html?again")  # the worker caches nothing: the load fails
    offline(desktop, False)
    desktop.get(f"{site}/index.html?again")
    assert "Harness" in desktop.title


def test_lookups_by_label_and_role(site: str, desktop: Browser) -> None:
    desktop.get(f"{site}/index.html")
    assert by_label(desktop, "Where does it hurt?").get_attribute("id") == "where"
    assert by_label(desktop, "Is it swollen?").get_attribute("id") == "swollen"
    assert by_label(desktop, "How bad is the pain").get_attribute("id") == "pain"
    assert by_role(desktop, "button", "Save entry").get_attribute("id") == "save"
    assert by_role(desktop, "link", "Other page").get_attribute("href").endswith("/other.html")
    assert by_role(desktop, "heading", "Harness").tag_name == "h1"
    assert "Save entry" in accessible_names(desktop, "button")
    with pytest.raises(AssertionError, match="no button named 'Delete'"):
        by_role(desktop, "button", "Delete", seconds=1)


def test_phone_is_a_phone(site: str, phone: Browser) -> None:
    phone.get(f"{site}/index.html")
    width, touch = phone.execute_script(
        "return [window.innerWidth, matchMedia('(pointer: coarse)').matches]"
    )
    assert (width, touch) == (390, True)


def test_axe_passes_a_clean_page_and_names_each_violation(site: str, desktop: Browser) -> None:
    desktop.get(f"{site}/index.html")
    assert axe_violations(desktop) == []
    desktop.axe()
    desktop.get(f"{site}/bad.html")
    with pytest.raises(AssertionError, match=r"label \(critical\)"):
        desktop.axe()
