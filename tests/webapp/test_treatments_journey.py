"""Ice and heat in the patient's web app: start a session, a 15-minute countdown computed
from the stored start (so it survives a reload), stop it, the safety advice and the
server's advice about the session; delete one. Chromium against the live server."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By

from journal.models import Treatment
from tests.browser import (
    Browser,
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


def _seconds_left(driver: Browser) -> int:
    text = by_role(driver, "timer", "Time left of 15 minutes").text
    match = re.search(r"(\d+):(\d\d) left", text)
    assert match, text
    return int(match[1]) * 60 + int(match[2])


def _start(driver: Browser, kind: str, site: str, side: str) -> None:
    press(by_label(driver, kind))
    select = by_label(driver, "Where?")
    select.find_element(By.XPATH, f".//option[normalize-space()='{site}']").click()
    press(driver.find_element(By.XPATH, f"//label[@for='treatment-side-{side}']"))
    press(by_role(driver, "button", "Start"))


def test_a_session_with_its_countdown_across_a_reload(
    live_server, browser: Browser, patient_account
):
    base = live_server.url
    sign_in(browser, base, patient_account)
    open_page(browser, base, "/app/treatments")
    by_role(browser, "heading", "Ice and heat")
    page = browser.find_element(By.TAG_NAME, "main").text
    assert "Use ice or heat for up to 15 minutes at a time." in page
    assert "Use a barrier, like a towel." in page
    browser.axe(page="treatments")

    _start(browser, "Ice", "Calf", "right")
    by_role(browser, "heading", "Ice on your right calf")
    assert 14 * 60 < _seconds_left(browser) <= 15 * 60
    session = Treatment.objects.get(patient__user__email=patient_account.email)
    assert (session.kind, session.site, session.side, session.minutes) == (
        "ice",
        "calf",
        "right",
        None,
    )
    browser.axe(page="treatments: running")
    if browser.kind == "phone":
        screenshot(browser, "patient-treatments")

    # The countdown is the stored start's: ten minutes in, a reload shows about five left.
    Treatment.objects.filter(pk=session.pk).update(
        started_at=timezone.now() - timedelta(minutes=10)
    )
    browser.refresh()
    by_role(browser, "heading", "Ice on your right calf")
    left = _seconds_left(browser)
    assert 4 * 60 + 40 <= left <= 5 * 60, left
    wait(browser, lambda d: _seconds_left(d) < left)  # and it counts down

    press(by_role(browser, "button", "Stop"))
    by_role(browser, "heading", "Session saved: 10 minutes.")
    session.refresh_from_db()
    assert session.minutes == 10
    browser.axe(page="treatments: stopped")
    assert "null" not in browser.find_element(By.TAG_NAME, "main").text
    assert_clean_console(browser)


def test_time_up_and_the_servers_advice(live_server, phone: Browser, patient_account):
    base = live_server.url
    sign_in(phone, base, patient_account)
    open_page(phone, base, "/app/treatments")
    _start(phone, "Heat", "Arch of foot", "left")
    by_role(phone, "heading", "Heat on the arch of your left foot")
    session = Treatment.objects.get(patient__user__email=patient_account.email)
    Treatment.objects.filter(pk=session.pk).update(
        started_at=timezone.now() - timedelta(minutes=17)
    )
    phone.refresh()
    by_role(phone, "timer", "Time left of 15 minutes")
    main = phone.find_element(By.TAG_NAME, "main")
    wait(phone, lambda d: "15 minutes are up. Take the heat off now." in main.text)
    assert "Time is up" in main.text
    phone.axe(page="treatments: time up")
    press(by_role(phone, "button", "Stop"))
    by_role(phone, "heading", "Session saved: 17 minutes.")
    # The server's own advice about this session (ice_heat_too_long), with its source.
    by_role(phone, "heading", "Advice about this session")
    advice = phone.find_element(By.CSS_SELECTOR, ".stopped").text
    assert "15 minutes" in advice and "From the clinical text" in advice
    phone.axe(page="treatments: advice")

    # Delete it (named for a screen reader), after a confirmation.
    delete = phone.find_element(By.CSS_SELECTOR, ".session .link-button")
    assert delete.get_attribute("aria-label").startswith("Delete the Heat session of ")
    press(delete)
    press(by_role(phone, "button", "Yes, delete it"))
    wait(phone, lambda d: "No sessions yet." in d.find_element(By.TAG_NAME, "main").text)
    assert not Treatment.objects.filter(pk=session.pk).exists()


def test_not_advised_with_diabetes(live_server, phone: Browser, patient_account):
    api_call(live_server.url, "PATCH", "me/", {"has_diabetes": True}, patient_account.token)
    sign_in(phone, live_server.url, patient_account)
    open_page(phone, live_server.url, "/app/treatments")
    by_role(phone, "heading", "Using ice or heat safely")
    assert (
        "You have told us you have diabetes. Ice and heat are not advised for you"
        in phone.find_element(By.TAG_NAME, "main").text
    )
    phone.axe(page="treatments with diabetes")


def test_a_session_started_and_stopped_offline(live_server, phone: Browser, patient_account):
    sign_in(phone, live_server.url, patient_account)
    open_page(phone, live_server.url, "/app/treatments")
    by_role(phone, "heading", "Start a session")
    offline(phone, True)
    try:
        _start(phone, "Ice", "Big toe", "left")
        by_role(phone, "heading", "Ice on your left big toe")
        running = phone.find_element(By.CSS_SELECTOR, ".running")
        assert "Waiting to send" in running.text
        assert 14 * 60 < _seconds_left(phone) <= 15 * 60  # from the copy on the device
        phone.refresh()  # the countdown is the device copy's start, across a reload too
        by_role(phone, "heading", "Ice on your left big toe")
        assert 14 * 60 < _seconds_left(phone) <= 15 * 60
        press(by_role(phone, "button", "Stop"))
        by_role(phone, "heading", "Session saved: 0 minutes.")
        phone.axe(page="treatments offline")
        assert not Treatment.objects.exists()
    finally:
        offline(phone, False)
    # Sent when the network is back, once, finished, with the device's start.
    wait(phone, lambda d: Treatment.objects.exists())
    session = Treatment.objects.get()
    assert (session.kind, session.site, session.side, session.minutes) == (
        "ice",
        "big_toe",
        "left",
        0,
    )
