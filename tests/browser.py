"""Headless Chromium for the browser tests, shared by the patient's app and the workspace.

Tests find things as a screen reader does (`by_label`, `by_role` ask Chromium's own
accessibility tree for the computed role and name), run axe-core on every page they visit
(`driver.axe()`), and switch the network off for the page *and* its service worker
(`offline`). Nothing is downloaded at test time: axe-core comes from the pinned
`selenium-axe-python` wheel, Chromium and chromedriver from Debian.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.request import Request, urlopen

import pytest
import selenium_axe_python
import websocket
from django.conf import settings
from selenium import webdriver
from selenium.common.exceptions import JavascriptException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

ARTIFACTS = Path(settings.BASE_DIR) / "var" / "test-artifacts"
AXE_SCRIPT = Path(selenium_axe_python.__file__).parent / "axe-core" / "axe.min.js"
WAIT_SECONDS = 30  # generous: CI shares 2 cores with the live server and the worker

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
)
PHONE = {"width": 390, "height": 844, "pixelRatio": 2, "touch": True}
PHONE_USER_AGENT = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/156.0.0.0 Mobile Safari/537.36"
)
DESKTOP = (1280, 900)


def chromium_paths() -> tuple[str, str] | None:
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    return (binary, driver) if binary and driver else None


def require_chromium() -> tuple[str, str]:
    """Debian's chromium and chromedriver; in CI their absence is a failure, not a skip."""
    found = chromium_paths()
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium and chromium-driver must be installed in CI (.ci/run does it)")
        pytest.skip("Debian chromium + chromium-driver are not installed")
    return found


class Browser(webdriver.Chrome):
    """A Chrome driver with the checks every browser test runs on each page it visits."""

    kind: str = "desktop"
    _devtools: DevTools | None = None

    def axe(self, *, context: Any = None, page: str | None = None) -> None:
        """Fail on any axe-core violation, listed readably."""
        assert_accessible(self, context=context, page=page)

    def screenshot(self, name: str) -> Path:
        return screenshot(self, name)

    def quit(self) -> None:
        if self._devtools is not None:
            self._devtools.close()
        super().quit()


def make_browser(kind: str = "desktop", *, window: tuple[int, int] | None = None) -> Browser:
    """Headless Chromium: `phone` is 390x844 with touch and a phone's user agent (mobile
    emulation, so media queries, `pointer: coarse` and the viewport meta behave as on a
    phone); `desktop` is a 1280x900 window."""
    binary, driver_path = require_chromium()
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in FLAGS:
        options.add_argument(flag)
    if kind == "phone":
        options.add_experimental_option(
            "mobileEmulation", {"deviceMetrics": PHONE, "userAgent": PHONE_USER_AGENT}
        )
        options.add_argument(f"--window-size={PHONE['width']},{PHONE['height']}")
    else:
        width, height = window or DESKTOP
        options.add_argument(f"--window-size={width},{height}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = Browser(service=Service(executable_path=driver_path), options=options)
    driver.kind = kind
    driver.implicitly_wait(0)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return driver


def wait(driver: webdriver.Chrome, condition: Any, seconds: float = WAIT_SECONDS) -> Any:
    return WebDriverWait(driver, seconds).until(condition)


def screenshot(driver: webdriver.Chrome, name: str) -> Path:
    """Save `var/test-artifacts/<name>.png` (the README copies the patient-*.png ones)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / (name if name.endswith(".png") else f"{name}.png")
    driver.save_screenshot(str(path))
    return path


# -- axe-core --------------------------------------------------------------------------------


def axe_violations(driver: webdriver.Chrome, *, context: Any = None) -> list[dict]:
    """Run every axe-core rule (WCAG 2.0-2.2 A/AA and best practices) on the page as it is."""
    if not driver.execute_script("return typeof window.axe === 'object'"):
        # Injected through WebDriver, which CSP does not govern; the page's own policy
        # still holds for everything the page loads.
        driver.execute_script(AXE_SCRIPT.read_text(encoding="utf-8"))
    result = driver.execute_async_script(
        "const [context, done] = arguments;"
        "axe.run(context || document, {resultTypes: ['violations']})"
        ".then(r => done({violations: r.violations}), e => done({error: String(e)}));",
        context,
    )
    if "error" in result:
        raise AssertionError(f"axe-core failed to run: {result['error']}")
    return result["violations"]


def axe_report(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"{violation['id']} ({violation['impact']}): {violation['help']} "
            f"[{len(violation['nodes'])} node(s)] {violation['helpUrl']}"
        )
        for node in violation["nodes"][:5]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {node['html'][:160]}")
    return "\n".join(lines)


def assert_accessible(
    driver: webdriver.Chrome, *, context: Any = None, page: str | None = None
) -> None:
    violations = axe_violations(driver, context=context)
    where = page or driver.current_url
    assert not violations, f"axe-core found violations on {where}:\n{axe_report(violations)}"


# -- the console ------------------------------------------------------------------------------


def csp_violations(driver: webdriver.Chrome) -> list[str]:
    """Content-Security-Policy refusals logged since the last read of the console."""
    return [
        entry["message"]
        for entry in driver.get_log("browser")
        if "Content Security Policy" in entry["message"] or "Refused to" in entry["message"]
    ]


# -- finding things by their accessible name --------------------------------------------------

# Roles a <label> can name: what `by_label` looks for first.
_LABELLABLE = {
    "textbox",
    "searchbox",
    "combobox",
    "listbox",
    "checkbox",
    "radio",
    "switch",
    "slider",
    "spinbutton",
    "button",
    "menuitemcheckbox",
    "menuitemradio",
}
_TEXT_ROLES = {"StaticText", "InlineTextBox", "LabelText", "none", "generic"}


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _ax_find(driver: webdriver.Chrome, name: str, role: str | None) -> WebElement | None:
    root = driver.execute_cdp_cmd("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
    query: dict[str, Any] = {"nodeId": root, "accessibleName": _normal(name)}
    if role:
        query["role"] = role
    nodes = driver.execute_cdp_cmd("Accessibility.queryAXTree", query)["nodes"]
    candidates = [
        node
        for node in nodes
        if not node.get("ignored") and node.get("backendDOMNodeId") is not None
    ]
    if role is None:
        controls = [n for n in candidates if n.get("role", {}).get("value") in _LABELLABLE]
        candidates = controls or [
            n for n in candidates if n.get("role", {}).get("value") not in _TEXT_ROLES
        ]
    for node in candidates:
        marker = uuid.uuid4().hex
        try:
            remote = driver.execute_cdp_cmd(
                "DOM.resolveNode", {"backendNodeId": node["backendDOMNodeId"]}
            )["object"]
            driver.execute_cdp_cmd(
                "Runtime.callFunctionOn",
                {
                    "objectId": remote["objectId"],
                    "functionDeclaration": (
                        "function (m) { const e = this.nodeType === 1 ? this : this.parentElement;"
                        " e.setAttribute('data-ax-found', m); }"
                    ),
                    "arguments": [{"value": marker}],
                },
            )
        except WebDriverException:
            continue  # the node went away between the query and now: try the next one
        element = driver.execute_script(
            "const e = document.querySelector(`[data-ax-found='${arguments[0]}']`);"
            "if (e) e.removeAttribute('data-ax-found'); return e;",
            marker,
        )
        if element is not None:
            return element
    return None


def by_role(
    driver: webdriver.Chrome, role: str, name: str, *, seconds: float = WAIT_SECONDS
) -> WebElement:
    """The element Chromium exposes to assistive technology with this role and name
    (`button`, `link`, `heading`, `textbox`, `checkbox`, `radio`, `combobox` for a select,
    `slider`, `alert`, `status`, `img`, ...), waiting for it to appear."""
    try:
        return wait(driver, lambda d: _ax_find(d, name, role), seconds)
    except Exception as exc:
        raise AssertionError(f"no {role} named {name!r} on {driver.current_url}") from exc


def by_label(driver: webdriver.Chrome, text: str, *, seconds: float = WAIT_SECONDS) -> WebElement:
    """The control whose accessible name is `text` (its <label>, aria-label or
    aria-labelledby, or a button's text), waiting for it to appear."""
    try:
        return wait(driver, lambda d: _ax_find(d, text, None), seconds)
    except Exception as exc:
        raise AssertionError(f"no control labelled {text!r} on {driver.current_url}") from exc


def accessible_names(driver: webdriver.Chrome, role: str) -> list[str]:
    """The names of every element with this role, in document order (for error messages
    and for asserting what a list shows)."""
    root = driver.execute_cdp_cmd("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
    nodes = driver.execute_cdp_cmd("Accessibility.queryAXTree", {"nodeId": root, "role": role})[
        "nodes"
    ]
    return [
        _normal(node.get("name", {}).get("value", "")) for node in nodes if not node.get("ignored")
    ]


# -- the network ------------------------------------------------------------------------------


class DevTools:
    """A second DevTools connection, at the browser level, that attaches to every page and
    worker (service workers included, also ones started later) and applies the network
    condition to each. Chromedriver's own CDP commands reach only the page, so a service
    worker would still fetch from the network with the page "offline"."""

    def __init__(self, driver: webdriver.Chrome) -> None:
        address = driver.capabilities["goog:chromeOptions"]["debuggerAddress"]
        with urlopen(f"http://{address}/json/version", timeout=10) as answer:
            url = json.load(answer)["webSocketDebuggerUrl"]
        self._ws = websocket.create_connection(url, timeout=10, suppress_origin=True)
        self._ws.settimeout(None)
        self._next_id = 0
        self._lock = threading.Lock()
        self._replies: dict[int, dict] = {}
        self._arrived = threading.Condition()
        self._sessions: set[str] = set()
        self.offline = False
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.send(
            "Target.setAutoAttach",
            {
                "autoAttach": True,
                "waitForDebuggerOnStart": True,  # a worker starting while offline is held
                "flatten": True,  # until its condition is set, so its first fetch obeys
                "filter": [
                    {"type": "browser", "exclude": True},
                    {"type": "tab", "exclude": True},
                    {},  # everything else: pages, iframes, workers, service workers
                ],
            },
        )

    def _post(self, method: str, params: dict, session: str | None) -> int:
        with self._lock:
            self._next_id += 1
            message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
            if session:
                message["sessionId"] = session
            self._ws.send(json.dumps(message))
            return self._next_id

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        ident = self._post(method, params or {}, session)
        with self._arrived:
            if not self._arrived.wait_for(lambda: ident in self._replies, timeout=10):
                raise TimeoutError(f"DevTools did not answer {method}")
            reply = self._replies.pop(ident)
        if "error" in reply:
            raise RuntimeError(f"DevTools {method}: {reply['error']}")
        return reply.get("result", {})

    def _read(self) -> None:
        while True:
            try:
                message = json.loads(self._ws.recv())
            except Exception:  # the connection closed with the browser
                return
            if "id" in message:
                with self._arrived:
                    self._replies[message["id"]] = message
                    self._arrived.notify_all()
            elif message.get("method") == "Target.attachedToTarget":
                # Not from this thread's own send(): its reply would wait on this loop.
                threading.Thread(
                    target=self._attached, args=(message["params"],), daemon=True
                ).start()
            elif message.get("method") == "Target.detachedFromTarget":
                self._sessions.discard(message["params"].get("sessionId"))

    def _attached(self, params: dict) -> None:
        session = params["sessionId"]
        try:
            self._sessions.add(session)
            # Workers it starts (a page's service worker) are attached the same way.
            self._post(
                "Target.setAutoAttach",
                {"autoAttach": True, "waitForDebuggerOnStart": True, "flatten": True},
                session,
            )
            self._condition(session)
        finally:
            if params.get("waitingForDebugger"):
                self._post("Runtime.runIfWaitingForDebugger", {}, session)

    def _condition(self, session: str) -> None:
        self._post("Network.enable", {}, session)
        self._post(
            "Network.emulateNetworkConditions",
            {
                "offline": self.offline,
                "latency": 0,
                "downloadThroughput": -1,
                "uploadThroughput": -1,
            },
            session,
        )

    def set_offline(self, offline: bool) -> None:
        self.offline = offline
        for session in list(self._sessions):
            try:
                self._condition(session)
            except Exception:  # noqa: S112 - that target has just gone away
                continue
        # The replies are awaited through a round trip behind them on the same socket.
        self.send("Target.getTargets")

    def close(self) -> None:
        with contextlib.suppress(Exception):  # closing a dead socket
            self._ws.close()


def offline(driver: Browser, on: bool = True) -> None:
    """Switch the network off (or back on) for the page and every worker, service worker
    included, as DevTools' "Offline" does."""
    if driver._devtools is None:
        driver._devtools = DevTools(driver)
    driver._devtools.set_offline(on)
    # The page's own session too, through chromedriver, so its next fetch is covered even
    # before the browser-level attach has been processed.
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd(
        "Network.emulateNetworkConditions",
        {"offline": on, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )


def page_can_fetch(driver: webdriver.Chrome, url: str) -> bool:
    """Whether a fetch from the page reaches `url` (bypassing the HTTP cache)."""
    return driver.execute_async_script(
        "const [url, done] = arguments;"
        "fetch(url, {cache: 'no-store'}).then(() => done(true), () => done(false));",
        url,
    )


# -- patients ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PatientAccount:
    email: str
    password: str
    token: str
    timezone: str


def api_call(base: str, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
    """A call to the live server's public API, as a phone sends it."""
    request = Request(  # noqa: S310 - the test's own live server
        f"{base}/api/v1/{path}",
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={
            "Content-Type": "application/json",
            "Accept": "application/json",
            **({"Authorization": f"Bearer {token}"} if token else {}),
        },
    )
    with urlopen(request, timeout=30) as answer:  # noqa: S310
        raw = answer.read()
    return json.loads(raw) if raw else None


def sign_up_patient(
    live_server: Any,
    *,
    email: str | None = None,
    password: str = "a long test passphrase 19",  # noqa: S107 - a test account
    timezone: str = "Europe/London",
) -> PatientAccount:
    """Register a patient through the real API of the live server."""
    base = live_server if isinstance(live_server, str) else live_server.url
    email = email or f"patient-{uuid.uuid4().hex[:10]}@example.com"
    answer = api_call(
        base,
        "POST",
        "auth/register/",
        {"email": email, "password": password, "timezone": timezone},
    )
    return PatientAccount(email=email, password=password, token=answer["token"], timezone=timezone)


def sign_in(driver: webdriver.Chrome, base: str, account: PatientAccount) -> None:
    """Sign in through the app's own sign-in page, as the patient does, and wait until the
    app has left it."""
    driver.get(f"{base}/app/signin")
    email = wait(driver, lambda d: d.find_element("css selector", "input[type=email]"))
    email.send_keys(account.email)
    driver.find_element("css selector", "input[type=password]").send_keys(account.password)
    driver.find_element("css selector", "form button[type=submit]").click()
    wait(driver, lambda d: "/app/signin" not in d.current_url)


def page_ready(driver: webdriver.Chrome) -> bool:
    """The app has rendered a page: its <h1> exists (every view renders one)."""
    try:
        return bool(driver.execute_script("return document.querySelector('main h1') !== null"))
    except JavascriptException:
        return False
