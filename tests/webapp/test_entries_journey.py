"""The patient's entries in the web app: newest first, by site, a page at a time; change
and delete one; entries still on the device shown as such, a refused one with the server's
message. Chromium against the live server, axe-core on every page."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By

from journal.models import PainLog
from tests.browser import (
    Browser,
    accessible_names,
    api_call,
    by_label,
    by_role,
    offline,
    screenshot,
    sign_in,
    wait,
)
from tests.webapp.test_log_journey import assert_clean_console, open_page, press

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _sync(base: str, token: str, entries: list[dict]) -> None:
    logs = [{"id": str(uuid.uuid4()), **entry} for entry in entries]
    api_call(base, "POST", "logs/sync/", {"logs": logs}, token)


def _ago(**delta) -> str:
    return (timezone.now() - timedelta(**delta)).isoformat()


def _titles(driver: Browser) -> list[str]:
    return [
        name
        for name in accessible_names(driver, "heading")
        if name.startswith(("Arch of foot", "Big toe", "Calf"))
    ]


def test_entries_newest_first_filter_and_more(live_server, browser: Browser, patient_account):
    base, token = live_server.url, patient_account.token
    _sync(
        base,
        token,
        [
            {"recorded_at": _ago(hours=3), "site": "big_toe", "side": "left", "severity": 2},
            {"recorded_at": _ago(hours=2), "site": "arch", "side": "right", "severity": 5},
            {
                "recorded_at": _ago(hours=1),
                "site": "calf",
                "side": "left",
                "severity": 3,
                "swelling": "mild",
                "notes": "<b>after the run</b>",
            },
        ],
    )
    sign_in(browser, base, patient_account)
    open_page(browser, base, "/app/entries")
    by_role(browser, "heading", "Your entries")
    titles = _titles(browser)
    assert [title.split(" ", 2)[:2] for title in titles] == [
        ["Calf,", "Left"],
        ["Arch", "of"],
        ["Big", "toe,"],
    ]
    page = browser.find_element(By.TAG_NAME, "main").text
    assert "Pain 3 out of 10" in page and "Swelling: a little" in page
    # A note is text, never markup.
    assert "<b>after the run</b>" in page
    assert not browser.find_elements(By.CSS_SELECTOR, ".entry__notes b")
    browser.axe(page="entries")
    if browser.kind == "phone":
        screenshot(browser, "patient-entries")

    select = by_label(browser, "Show entries for")
    select.find_element(By.XPATH, ".//option[normalize-space()='Arch of foot']").click()
    press(by_role(browser, "button", "Show"))
    wait(browser, lambda d: "site=arch" in d.current_url)
    wait(browser, lambda d: len(_titles(d)) == 1)
    assert _titles(browser)[0].startswith("Arch of foot, Right")
    browser.axe(page="entries filtered")

    # A page at a time: 20, then the rest.
    _sync(
        base,
        token,
        [
            {"recorded_at": _ago(minutes=50 - i), "site": "arch", "side": "left", "severity": 1}
            for i in range(22)
        ],
    )
    open_page(browser, base, "/app/entries?site=arch")
    wait(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, ".entry-list > .entry")) == 20)
    assert "23 entries" in browser.find_element(By.TAG_NAME, "main").text
    press(by_role(browser, "button", "Show more entries"))
    wait(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, ".entry-list > .entry")) == 23)
    assert not browser.find_elements(By.XPATH, "//button[normalize-space()='Show more entries']")
    assert "null" not in browser.find_element(By.TAG_NAME, "main").text
    assert_clean_console(browser)


def test_change_and_delete_an_entry(live_server, phone: Browser, patient_account):
    base = live_server.url
    _sync(
        base,
        patient_account.token,
        [{"recorded_at": _ago(hours=1), "site": "arch", "side": "right", "severity": 6}],
    )
    entry = PainLog.objects.get(patient__user__email=patient_account.email)
    sign_in(phone, base, patient_account)
    open_page(phone, base, "/app/entries")
    press(by_role(phone, "link", "Change or delete"))
    wait(phone, lambda d: "/app/entry?id=" in d.current_url)
    wait(phone, lambda d: d.find_element(By.TAG_NAME, "h1").text.startswith("Change your entry"))
    assert phone.find_element(By.ID, "severity-6").is_selected()
    assert phone.find_element(By.ID, "where-site-arch").is_selected()
    phone.axe(page="change an entry")
    press(by_role(phone, "radio", "2"))
    press(by_label(phone, "Numbness, tingling or pins and needles"))
    press(by_role(phone, "button", "Save changes"))
    by_role(phone, "heading", "Your entry is saved")
    entry.refresh_from_db()
    assert (entry.severity, entry.numbness_or_tingling) == (2, True)

    open_page(phone, base, f"/app/entry?id={entry.id}")
    press(by_role(phone, "button", "Delete this entry"))
    dialog = by_role(
        phone, "alertdialog", "Are you sure you want to delete this entry? This cannot be undone."
    )
    phone.axe(page="confirm delete")
    press(dialog.find_element(By.XPATH, ".//button[normalize-space()='No, keep it']"))
    assert PainLog.objects.filter(pk=entry.pk).exists()
    press(by_role(phone, "button", "Delete this entry"))
    press(by_role(phone, "button", "Yes, delete it"))
    by_role(phone, "heading", "Your entries")
    assert "The entry was deleted." in phone.find_element(By.TAG_NAME, "main").text
    assert not PainLog.objects.filter(pk=entry.pk).exists()
    phone.axe(page="entries after delete")


def test_entries_on_the_device_are_shown_with_the_servers_answer(
    live_server, phone: Browser, patient_account
):
    sign_in(phone, live_server.url, patient_account)
    open_page(phone, live_server.url, "/app/entries")
    # An entry the server refuses (more than a year old): queued through the app's own
    # outbox, as the log form does offline. It must stay, with the server's message.
    outcome = phone.execute_async_script(
        "const done = arguments[0];"
        "const root = document.getElementById('app').dataset.staticRoot;"
        "import(root + 'js/core/outbox.js').then(o => o.queueLog({"
        "  id: crypto.randomUUID(), recorded_at: '2020-01-01T08:00:00Z',"
        "  site: 'arch', side: 'left', severity: 3}))"
        ".then(r => done(r.status), e => done(String(e)));"
    )
    assert outcome == "refused"

    def refused_card(driver) -> str:
        # Read afresh each time: the list is redrawn on every outbox change.
        cards = driver.find_elements(By.CSS_SELECTOR, ".entry--refused")
        try:
            return cards[0].text if cards else ""
        except StaleElementReferenceException:
            return ""

    wait(phone, lambda d: "Not sent: the service refused this entry" in refused_card(d))
    # The server's own message, after the question it is about.
    answer = api_call(
        live_server.url,
        "POST",
        "logs/sync/",
        {
            "logs": [
                {
                    "id": str(uuid.uuid4()),
                    "recorded_at": "2020-01-01T08:00:00Z",
                    "site": "arch",
                    "side": "left",
                    "severity": 3,
                }
            ]
        },
        patient_account.token,
    )
    message = answer["results"][0]["errors"]["recorded_at"][0]
    # The list may be mid-redraw (an outbox change) when read: wait for it, as above.
    wait(phone, lambda d: f"When: {message}" in refused_card(d))
    phone.axe(page="entries with a refused entry")
    assert PainLog.objects.count() == 0
    press(by_role(phone, "button", "Remove this copy from this device"))
    wait(phone, lambda d: not d.find_elements(By.CSS_SELECTOR, ".entry--refused"))


def test_an_entry_made_offline_waits_then_is_sent(live_server, phone: Browser, patient_account):
    sign_in(phone, live_server.url, patient_account)
    open_page(phone, live_server.url, "/app/log")
    offline(phone, True)
    try:
        press(by_label(phone, "Left"))
        press(by_role(phone, "radio", "Big toe"))
        press(by_role(phone, "button", "Continue"))
        press(by_role(phone, "radio", "4"))
        press(by_role(phone, "button", "Continue"))
        press(by_role(phone, "button", "Save entry"))
        by_role(phone, "heading", "Saved on this device")
        phone.axe(page="result offline")
        press(by_role(phone, "link", "See your entries"))
        by_role(phone, "heading", "Your entries")
        wait(phone, lambda d: d.find_elements(By.CSS_SELECTOR, ".entry--waiting"))
        waiting = phone.find_element(By.CSS_SELECTOR, ".entry--waiting")
        assert "Waiting to send" in waiting.text and "Big toe, Left" in waiting.text
        phone.axe(page="entries offline")
        assert PainLog.objects.count() == 0
    finally:
        offline(phone, False)
    # Back online: sent once, and the list is the server's.
    wait(phone, lambda d: not d.find_elements(By.CSS_SELECTOR, ".entry--waiting"))
    wait(phone, lambda d: d.find_elements(By.CSS_SELECTOR, ".entry-list > .entry"))
    entry = PainLog.objects.get(patient__user__email=patient_account.email)
    assert (entry.site, entry.side, entry.severity) == ("big_toe", "left", 4)
