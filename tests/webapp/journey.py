"""Steps the CORE journey tests share: wait for a page by its heading, read IndexedDB, and
follow links out of real mail. (The harness itself is tests/browser.py.)"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from tests.accounts.mail import deliver_outbox
from tests.browser import Browser, accessible_names, csp_violations, wait


def heading(driver: Browser) -> str:
    return driver.execute_script(
        "const h = document.querySelector('main h1'); return h ? h.textContent.trim() : null;"
    )


def on_page(driver: Browser, title: str, *, seconds: float = 30) -> None:
    """Wait until the app shows the page whose <h1> is `title`, with the focus on it after
    a page change within the app (on the first page of a visit it stays at the start), then
    check it with axe-core and for CSP refusals."""
    try:
        wait(driver, lambda d: heading(d) == title, seconds)
    except Exception as exc:
        raise AssertionError(f"expected page {title!r}, have {heading(driver)!r}") from exc
    wait(
        driver,
        lambda d: d.execute_script(
            "const e = document.activeElement;"
            "return !!e && (e.matches('main h1') || e === document.body);"
        ),
    )
    driver.axe(page=title)
    assert csp_violations(driver) == []


def statuses(driver: Browser) -> list[str]:
    return accessible_names(driver, "status") + [
        t.strip()
        for t in driver.execute_script(
            "return [...document.querySelectorAll('[role=status], [role=alert], .notice')]"
            ".map(e => e.textContent)"
        )
    ]


def says(driver: Browser, text: str, *, seconds: float = 30) -> None:
    """Wait until the page's text (main and header) contains `text`."""
    try:
        wait(driver, lambda d: text in d.find_element("tag name", "body").text, seconds)
    except Exception as exc:
        body = driver.find_element("tag name", "body").text
        raise AssertionError(f"{text!r} not on the page:\n{body}") from exc


def idb(driver: Browser, store: str) -> list[Any]:
    """Everything in one object store of the app's IndexedDB (empty if there is none)."""
    return driver.execute_async_script(
        """
        const [store, done] = arguments;
        const request = indexedDB.open("foot-journal");
        request.onupgradeneeded = () => request.transaction.abort();
        request.onerror = () => done([]);
        request.onsuccess = () => {
          const db = request.result;
          if (!db.objectStoreNames.contains(store)) { db.close(); return done([]); }
          const all = db.transaction(store).objectStore(store).getAll();
          all.onsuccess = () => { db.close(); done(all.result); };
          all.onerror = () => { db.close(); done([]); };
        };
        """,
        store,
    )


def mailed_link(smtp_server: Any, count: int) -> str:
    """Deliver the outbox as the worker would and return the one link of mail number
    `count`, as a path with its query (the live server's port differs from APP_BASE_URL)."""
    deliver_outbox()
    mail = smtp_server.wait_for(count)[count - 1]
    text = mail.message.get_body(("plain",)).get_content()
    links = re.findall(r"https?://\S+", text)
    assert links, text
    url = urlsplit(links[0])
    return f"{url.path}?{url.query}"


def tap(element: Any) -> None:
    """Scroll the control to the middle of the screen, as a thumb does before tapping, so
    the fixed tab bar is not over it, then click it."""
    element.parent.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()
