"""Offline first, in Chromium with the network switched off through the DevTools protocol
(for the page and its service worker): the shell opens with no network once visited;
entries made offline wait on the device ("waiting to send") and are sent through
/api/v1/logs/sync/ when the network returns, also after the tab was closed offline and
reopened online. Entries made offline == entries stored, none twice; one the server
refuses stays visible with the server's message."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from journal.models import PainLog
from tests.browser import (
    Browser,
    PatientAccount,
    api_call,
    by_role,
    offline,
    page_can_fetch,
    screenshot,
    sign_in,
    wait,
)
from tests.webapp.journey import idb, on_page, says
from tests.webapp.test_log_journey import log_entry

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

OFFLINE_ENTRIES = 3


def controlled(driver: Browser) -> bool:
    """The page is controlled by the app's service worker and its shell is cached."""
    return driver.execute_async_script(
        """
        const done = arguments[0];
        if (!navigator.serviceWorker.controller) return done(false);
        caches.keys().then(async (names) => {
          for (const name of names.filter((n) => n.startsWith("shell-"))) {
            if (await (await caches.open(name)).match("/app/")) return done(true);
          }
          done(false);
        });
        """
    )


def queue_from_page(driver: Browser, entry: dict) -> dict:
    """Hand an entry to the outbox as the log form does when it is offline."""
    return driver.execute_async_script(
        """
        const [entry, done] = arguments;
        import("/static/webapp/js/core/outbox.js")
          .then((outbox) => outbox.queueLog(entry)).then(done, (e) => done({error: String(e)}));
        """,
        entry,
    )


def test_offline_entries_are_sent_once_when_the_network_returns(
    live_server, phone: Browser, patient_account: PatientAccount
):
    base = live_server.url
    sign_in(phone, base, patient_account)
    on_page(phone, "Your foot and ankle journal")
    wait(phone, controlled)
    # Visited once online: the log form (and its list of sites) and the entries page.
    phone.get(f"{base}/app/log")
    on_page(phone, "Log your pain")
    phone.get(f"{base}/app/entries")
    wait(phone, lambda d: d.execute_script("return !!document.querySelector('main h1')"))

    offline(phone, True)
    assert not page_can_fetch(phone, f"{base}/health/live/")
    # The shell opens with no network: a reload, and a page of the app never visited.
    phone.get(f"{base}/app/log")
    on_page(phone, "Log your pain")
    says(phone, "You are offline")
    phone.get(f"{base}/app/trends")
    wait(phone, lambda d: d.execute_script("return !!document.querySelector('main h1')"))
    phone.get(f"{base}/app/log")
    on_page(phone, "Log your pain")

    for number in range(OFFLINE_ENTRIES):
        if number:
            by_role(phone, "link", "Log").click()
            on_page(phone, "Log your pain")
        log_entry(phone, side="Left", site="Big toe", severity=number + 2, use_picture=False)
        on_page(phone, "Saved on this device")
    says(phone, f"{OFFLINE_ENTRIES} entries waiting to send")
    screenshot(phone, "patient-offline-saved")
    # A phone whose clock runs a day fast: the server will refuse this one.
    ahead = (timezone.now() + timedelta(days=1)).isoformat()
    refused_id = "6f0d1d0e-9b7e-4a7e-9a57-3a3c2f6b1d01"
    answer = queue_from_page(
        phone,
        {"id": refused_id, "recorded_at": ahead, "site": "arch", "side": "right", "severity": 3},
    )
    assert answer == {"status": "queued", "id": refused_id}
    waiting = idb(phone, "outbox")
    assert len(waiting) == OFFLINE_ENTRIES + 1
    assert {item["state"] for item in waiting} == {"waiting"}
    made_offline = {item["id"] for item in waiting} - {refused_id}
    assert PainLog.objects.count() == 0

    phone.get(f"{base}/app/entries")
    on_page(phone, "Your entries")
    says(phone, f"{OFFLINE_ENTRIES + 1} entries waiting to send")
    assert phone.find_element("tag name", "main").text.count("Waiting to send") == (
        OFFLINE_ENTRIES + 1
    )
    screenshot(phone, "patient-offline-entries")

    # The tab is closed while offline; the network comes back; the app is opened again.
    app_tab = phone.current_window_handle
    phone.switch_to.new_window("tab")
    blank = phone.current_window_handle
    phone.switch_to.window(app_tab)
    phone.close()
    phone.switch_to.window(blank)
    offline(phone, False)
    phone.get(f"{base}/app/entries")
    on_page(phone, "Your entries")
    wait(phone, lambda d: PainLog.objects.count() >= OFFLINE_ENTRIES)
    wait(phone, lambda d: len(idb(d, "outbox")) == 1)

    stored = list(PainLog.objects.values_list("id", flat=True))
    assert {str(i) for i in stored} == made_offline  # entries made offline == entries stored
    assert len(stored) == OFFLINE_ENTRIES  # none twice
    assert sorted(PainLog.objects.values_list("severity", flat=True)) == [2, 3, 4]

    # The refused one stays, visibly, with the server's own message.
    [left] = idb(phone, "outbox")
    assert (left["id"], left["state"]) == (refused_id, "refused")
    assert left["errors"] == {"recorded_at": ["Cannot be more than 5 minutes in the future."]}
    says(phone, "Cannot be more than 5 minutes in the future.")
    says(phone, "1 entry was not accepted")
    phone.axe(page="entries with a refused entry")
    screenshot(phone, "patient-offline-refused")

    # Sending again (another start, another tab) stores nothing twice.
    phone.refresh()
    on_page(phone, "Your entries")
    phone.execute_async_script(
        "const done = arguments[0];"
        "import('/static/webapp/js/core/outbox.js').then((o) => o.sendNow()).then(done, done);"
    )
    assert PainLog.objects.count() == OFFLINE_ENTRIES
    listed = api_call(base, "GET", "logs/", token=patient_account.token)
    assert listed["count"] == OFFLINE_ENTRIES


def test_signing_out_with_unsent_entries_asks_first(
    live_server, phone: Browser, patient_account: PatientAccount
):
    base = live_server.url
    sign_in(phone, base, patient_account)
    on_page(phone, "Your foot and ankle journal")
    wait(phone, controlled)
    offline(phone, True)
    phone.get(f"{base}/app/log")
    on_page(phone, "Log your pain")
    log_entry(phone, side="Right", site="Big toe", severity=5, use_picture=False)
    on_page(phone, "Saved on this device")
    phone.get(f"{base}/app/signout")
    on_page(phone, "Sign out")
    says(phone, "1 entry has not been sent yet")
    # Staying signed in keeps it; once online, signing out sends it first.
    by_role(phone, "link", "Stay signed in").click()
    on_page(phone, "Settings")
    offline(phone, False)
    phone.get(f"{base}/app/signout")
    on_page(phone, "Sign out")
    wait(phone, lambda d: PainLog.objects.count() == 1)
    assert "has not been sent" not in phone.find_element("tag name", "main").text
    by_role(phone, "button", "Sign out").click()
    on_page(phone, "Sign in")
    assert idb(phone, "outbox") == [] and idb(phone, "kv") == []
    # The worker's copies of API answers went with it.
    assert (
        phone.execute_async_script(
            "const done = arguments[0];"
            "caches.keys().then((names) => done(names.filter((n) => n.startsWith('api-'))));"
        )
        == []
    )


def queue_session(driver: Browser, session: dict) -> dict:
    return driver.execute_async_script(
        """
        const [session, done] = arguments;
        import("/static/webapp/js/core/outbox.js")
          .then((outbox) => outbox.queueTreatment(session))
          .then(done, (e) => done({error: String(e)}));
        """,
        session,
    )


def test_an_ice_session_made_offline_is_stored_once_with_its_minutes(
    live_server, phone: Browser, patient_account: PatientAccount
):
    from journal.models import Treatment

    base = live_server.url
    sign_in(phone, base, patient_account)
    on_page(phone, "Your foot and ankle journal")
    wait(phone, controlled)
    session_id = "0b7f6a3e-1f3c-4c56-9d2e-5d6f7a8b9c01"
    started = (timezone.now() - timedelta(minutes=20)).isoformat()
    start = {"id": session_id, "kind": "ice", "site": "arch", "side": "left"}
    offline(phone, True)
    answer = queue_session(phone, {**start, "started_at": started, "minutes": None})
    assert answer == {"status": "queued", "id": session_id}
    assert not Treatment.objects.exists()
    offline(phone, False)
    phone.refresh()  # the app starts again online and sends what waits
    on_page(phone, "Your foot and ankle journal")
    wait(phone, lambda d: Treatment.objects.count() == 1)
    wait(phone, lambda d: idb(d, "outbox") == [])
    # Stopped on a device that still had the start queued (its answer lost): the stored
    # session gets the minutes, and stays one session.
    finished = queue_session(phone, {**start, "started_at": started, "minutes": 15})
    assert finished["status"] == "sent"
    again = queue_session(phone, {**start, "started_at": started, "minutes": 15})
    assert again["status"] == "sent"
    [stored] = Treatment.objects.all()
    assert (str(stored.id), stored.minutes) == (session_id, 15)
