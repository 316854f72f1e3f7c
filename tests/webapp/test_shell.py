"""The app's shell, served for every page under /app/: headers (a strict CSP), the service
worker and manifest, icons, the first-load budget; and in Chromium, every /app/ link the
service sends a patient opens a working page (axe-core clean, nothing refused by the CSP),
by keyboard, at 200 % text."""

from __future__ import annotations

import gzip
import json
import re
import shutil
import struct

import pytest
from django.contrib.staticfiles import finders
from selenium.webdriver.common.keys import Keys

from journal.models import PainLog
from notify import content
from tests.browser import Browser, by_role, make_browser, screenshot, sign_in, wait
from tests.webapp.journey import heading, on_page
from triage.domain import Level
from webapp import views as views_module
from webapp.views import CONTENT_SECURITY_POLICY, shell_assets, static_files

PAGES = [
    "/app/",
    "/app/log",
    "/app/log?site=heel_bottom&side=right",
    "/app/entries",
    "/app/treatments",
    "/app/trends",
    "/app/alerts",
    "/app/questionnaires",
    "/app/insights",
    "/app/settings",
    "/app/signin",
    "/app/register",
    "/app/verify-email?token=abc",
    "/app/reset-password?token=abc",
]
# First load of the app shell, JS + CSS, compressed (issue 19).
FIRST_LOAD_BUDGET = 150 * 1024


def links_the_service_sends(base: str) -> list[str]:
    """Every link notify.content puts in a patient's email or push, on this server."""
    messages = [
        content.patient_alert(levels=[Level.CONSULT_24H], base_url=base, reference="r1"),
        content.daily_reminder(base_url=base, local_day="2026-12-07"),
        content.weekly_questionnaire_reminder(base_url=base, local_day="2026-12-06"),
        content.site_check_reminder(
            base_url=base, local_day="2026-12-07", places=[("heel_bottom", "right")]
        ),
        content.treatment_timer(kind="ice", minutes=15, base_url=base, treatment_id="t1"),
        content.email_verification(base_url=base, token="abc"),
        content.password_reset(base_url=base, token="abc"),
    ]
    return [message.url.removeprefix(base) for message in messages]


def test_every_link_the_service_sends_is_a_page_of_the_app():
    sent = links_the_service_sends("https://app.example")
    assert set(sent) <= {path.replace("token=abc", "token=abc") for path in PAGES}
    assert len(sent) == 7


@pytest.mark.parametrize("path", PAGES)
def test_every_page_is_the_shell_under_a_strict_policy(client, path):
    answer = client.get(path)
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/html")
    assert answer["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert answer["Cache-Control"] == "no-cache"
    html = answer.content.decode()
    # No inline script or style: every <script> has a src, no style attribute or element.
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert " style=" not in html and "<style" not in html
    assert '<script type="module" src="/static/webapp/js/main.js">' in html
    assert '<link rel="manifest" href="/app/manifest.webmanifest">' in html


def test_the_policy_allows_nothing_from_elsewhere():
    policy = dict(part.strip().split(" ", 1) for part in CONTENT_SECURITY_POLICY.split(";"))
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["connect-src"] == "'self'" and policy["default-src"] == "'self'"
    assert policy["object-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    assert "unsafe" not in CONTENT_SECURITY_POLICY


def test_a_missing_file_or_an_api_path_is_not_the_shell(client):
    assert client.get("/app/missing.js").status_code == 404
    api = client.get("/api/v1/nothing-here/")
    assert api.status_code == 404 and api["Content-Type"] == "application/json"


def test_the_service_worker_is_served_from_the_app_scope(client):
    answer = client.get("/app/sw.js")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/javascript")
    assert answer["Cache-Control"] == "no-cache"
    assert answer["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    source = answer.content.decode()
    precache = json.loads(re.search(r"const PRECACHE = (\[.*?\]);", source).group(1))
    assert precache[:3] == ["/app/", "/app/manifest.webmanifest", "/favicon.ico"]
    assert len(precache) == len(static_files()) + 3
    for url in precache[3:]:
        assert finders.find(url.removeprefix("/static/")), url
    assert "/static/webapp/js/core/sync.js" in source  # the outbox sender it imports


def test_the_worker_changes_when_any_file_of_the_app_does(client, settings, tmp_path, monkeypatch):
    from webapp import views

    settings.DEBUG = True
    copy = tmp_path / "webapp"
    shutil.copytree(views.STATIC_DIR, copy)
    monkeypatch.setattr(views, "STATIC_DIR", copy)
    before = re.search(r'VERSION = "(\w+)"', client.get("/app/sw.js").content.decode()).group(1)
    (copy / "js" / "core" / "dom.js").write_text("// changed\n", encoding="utf-8")
    after = client.get("/app/sw.js").content.decode()
    assert f'VERSION = "{before}"' not in after
    (copy / "icons" / "new.png").write_bytes(b"png")
    assert "/static/webapp/icons/new.png" in client.get("/app/sw.js").content.decode()


def test_no_script_of_the_app_writes_html():
    """Server and patient strings reach the page as text: no module parses HTML."""
    writers = re.compile(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|DOMParser|eval\(")
    sources = [path for path in static_files() if path.endswith(".js")]
    assert "webapp/js/core/dom.js" in sources
    found = [
        path
        for path in sources
        if writers.search((views_module.STATIC_DIR.parent / path).read_text(encoding="utf-8"))
    ]
    assert found == []


def _png_size(path: str) -> tuple[int, int]:
    with open(finders.find(path), "rb") as png:
        header = png.read(24)
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])


def test_the_manifest_makes_the_app_installable(client):
    answer = client.get("/app/manifest.webmanifest")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/manifest+json"
    manifest = answer.json()
    assert manifest["start_url"] == "/app/" and manifest["scope"] == "/app/"
    assert manifest["display"] == "standalone"
    assert manifest["name"] and manifest["short_name"] and manifest["theme_color"]
    pngs = {
        (icon["sizes"], icon["purpose"]): icon["src"]
        for icon in manifest["icons"]
        if icon["type"] == "image/png"
    }
    for (sizes, _purpose), src in pngs.items():
        width, height = _png_size(src.removeprefix("/static/"))
        assert f"{width}x{height}" == sizes
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= set(pngs)
    assert any(icon["type"] == "image/svg+xml" for icon in manifest["icons"])


def test_every_page_has_a_favicon(client):
    answer = client.get("/favicon.ico")
    assert answer.status_code == 200 and answer["Content-Type"] == "image/png"
    assert b"".join(answer.streaming_content)[:4] == b"\x89PNG"


def test_first_load_is_within_budget():
    """Every module reached from main.js (and the stylesheets), gzip-compressed."""
    assets = shell_assets()
    assert "webapp/js/main.js" in assets and "webapp/css/app.css" in assets
    assert "webapp/js/views/log.js" in assets  # loaded at start by routes.js
    total = 0
    for path in assets:
        found = finders.find(path)
        assert found, path
        with open(found, "rb") as file:
            total += len(gzip.compress(file.read(), compresslevel=9))
    assert total <= FIRST_LOAD_BUDGET, f"{total} bytes compressed"


# -- in Chromium ------------------------------------------------------------------------------


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_every_link_the_service_sends_opens_a_working_page(
    live_server, browser: Browser, patient_account
):
    base = live_server.url
    sign_in(browser, base, patient_account)
    for path in sorted(set(links_the_service_sends(base)) | set(PAGES)):
        browser.get(base + path)
        wait(browser, lambda d: heading(d) not in (None, "Foot & Ankle Pain Journal"))
        title = heading(browser)
        assert title not in ("Page not found", "Sorry, there is a problem with the service"), path
        on_page(browser, title)
        page_title = browser.title.removesuffix(" \N{EN DASH} Foot & Ankle Pain Journal")
        assert page_title and page_title != browser.title, browser.title
        if path == "/app/":
            screenshot(browser, f"patient-start-{browser.kind}")
    # The site check link asks about that place, with one-tap answers.
    browser.get(f"{base}/app/log?site=heel_bottom&side=right")
    by_role(browser, "button", "Gone")
    by_role(browser, "link", "Still there")
    assert PainLog.objects.count() == 0
    # A page that does not exist is still a page of the app, saying so.
    browser.get(f"{base}/app/no-such-page")
    on_page(browser, "Page not found")


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_keyboard_alone(live_server, desktop: Browser, patient_account):
    base = live_server.url
    sign_in(desktop, base, patient_account)
    desktop.get(f"{base}/app/")
    on_page(desktop, "Your foot and ankle journal")
    # The first Tab reaches the skip link; it moves the focus to the page's heading.
    desktop.find_element("tag name", "body").send_keys(Keys.TAB)
    active = desktop.switch_to.active_element
    assert active.text == "Skip to main content"
    active.send_keys(Keys.ENTER)
    assert desktop.execute_script("return document.activeElement.matches('main h1')")
    # Tab on reaches the page's controls in order, each with a visible focus style; Enter on
    # a link opens its page with the focus on the new heading.
    seen = []
    for _ in range(6):
        desktop.switch_to.active_element.send_keys(Keys.TAB)
        seen.append(
            desktop.execute_script(
                "const e = document.activeElement;"
                "return [e.textContent.trim(), getComputedStyle(e).outlineStyle];"
            )
        )
    names = [name for name, _ in seen]
    assert names[:2] == ["Send a new link", "Log how your foot or ankle feels"], names
    assert all(style != "none" for _, style in seen), seen
    while desktop.switch_to.active_element.text != "Ice or heat":
        desktop.switch_to.active_element.send_keys(Keys.SHIFT, Keys.TAB)
    desktop.switch_to.active_element.send_keys(Keys.ENTER)
    wait(desktop, lambda d: heading(d) != "Your foot and ankle journal")
    assert desktop.execute_script("return document.activeElement.matches('main h1')")
    assert desktop.current_url.endswith("/app/treatments")


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_text_at_200_percent_needs_no_sideways_scrolling(live_server, patient_account):
    """Text at 200 % in a 640 px window (200 % zoom of a 1280 px screen, as WCAG 1.4.4 is
    usually checked): nothing is cut off or needs scrolling sideways."""
    base = live_server.url
    narrow = make_browser("desktop", window=(640, 900))
    try:
        sign_in(narrow, base, patient_account)
        for path in ("/app/", "/app/settings", "/app/log", "/app/signout"):
            narrow.get(base + path)
            wait(narrow, lambda d: heading(d) not in (None, "Foot & Ankle Pain Journal"))
            narrow.execute_script("document.documentElement.style.fontSize = '200%'")
            overflow = narrow.execute_script(
                "const root = document.documentElement;return root.scrollWidth - root.clientWidth;"
            )
            assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 200 % text"
            name = path.strip("/").replace("/", "-")
            screenshot(narrow, f"patient-text-200-{name}")
    finally:
        narrow.quit()


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_motion_follows_the_reduced_motion_setting(live_server, desktop: Browser):
    desktop.execute_cdp_cmd(
        "Emulation.setEmulatedMedia",
        {"features": [{"name": "prefers-reduced-motion", "value": "reduce"}]},
    )
    desktop.get(f"{live_server.url}/app/signin")
    on_page(desktop, "Sign in")
    duration = desktop.execute_script(
        "const b = document.querySelector('button');"
        "b.style.transition = 'color 2s'; return getComputedStyle(b).transitionDuration;"
    )
    assert duration in ("1e-05s", "0.00001s", "0s")
