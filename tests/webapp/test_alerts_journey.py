"""Alerts in the patient's web app: open, seen, closed; what each says and the passage it
rests on; acknowledging one; a clinician's acknowledgement or resolution (through the
workspace's own service) showing on the patient's page. Chromium against the live server."""

from __future__ import annotations

import uuid

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By

from clinic import services as clinic_services
from tests.browser import Browser, api_call, by_role, screenshot, sign_in, wait
from tests.clinic.conftest import make_clinician
from tests.webapp.test_log_journey import assert_clean_console, open_page, press
from triage.models import Alert, AlertStatus

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _log(base: str, token: str, **fields) -> dict:
    body = {"id": str(uuid.uuid4()), "recorded_at": timezone.now().isoformat(), **fields}
    return api_call(base, "POST", "logs/", body, token)


def _cards(driver: Browser) -> list:
    return driver.find_elements(By.CSS_SELECTOR, ".alert-list > .alert-card")


def test_alerts_acknowledge_and_the_clinicians_changes(
    live_server, browser: Browser, patient_account
):
    base, token = live_server.url, patient_account.token
    _log(base, token, site="heel_bottom", side="right", severity=5, can_bear_weight=False)
    _log(base, token, site="calf", side="left", severity=4, redness_or_warmth=True)
    alerts = Alert.objects.filter(patient__user__email=patient_account.email)
    assert alerts.count() == 2 and {a.level for a in alerts} == {"consult_24h"}

    sign_in(browser, base, patient_account)
    open_page(browser, base, "/app/alerts")
    by_role(browser, "heading", "Your alerts")
    main = browser.find_element(By.TAG_NAME, "main")
    # The urgent advice leads the page, before the list.
    first = main.find_element(By.CSS_SELECTOR, ".alerts > :nth-child(2)")
    assert first.get_attribute("role") == "alert"
    assert "See a doctor within 24 hours" in first.text
    wait(browser, lambda d: len(_cards(d)) == 2)
    weight = next(a for a in alerts if a.site == "heel_bottom")
    card = browser.find_element(By.CSS_SELECTOR, f".alert-card[data-id='{weight.id}']")
    assert weight.message in card.text
    assert "About the bottom of your right heel" in card.text
    assert "From the clinical text" in card.text and card.find_elements(By.TAG_NAME, "blockquote")
    assert "Open: not seen yet" in card.text
    browser.axe(page="alerts: open")
    if browser.kind == "phone":
        screenshot(browser, "patient-alerts")

    # The patient acknowledges one.
    press(card.find_element(By.XPATH, ".//button[normalize-space()='I have read this']"))
    wait(
        browser,
        lambda d: (
            d.find_element(By.CSS_SELECTOR, ".alerts [role=status]").text
            == "Thank you. The alert is marked as seen."
        ),
    )
    card = browser.find_element(By.CSS_SELECTOR, f".alert-card[data-id='{weight.id}']")
    assert "Seen " in card.text and "I have read this" not in card.text
    weight.refresh_from_db()
    assert weight.status == AlertStatus.ACKNOWLEDGED and weight.acknowledged_by.email == (
        patient_account.email
    )
    browser.axe(page="alerts: after acknowledging")

    # The clinician acknowledges the other, then resolves the first, in the workspace.
    clinician = make_clinician()
    other = next(a for a in alerts if a.site == "calf")
    clinic_services.alert_acknowledge(
        alert=other, by=clinician, note="Called her.", now=timezone.now()
    )
    clinic_services.alert_resolve(
        alert=weight, by=clinician, note="Seen in clinic.", now=timezone.now()
    )

    open_page(browser, base, "/app/alerts")
    wait(browser, lambda d: "You have no open alerts." in d.find_element(By.TAG_NAME, "main").text)
    # The calf is still red and warm: seen by the care team, but the advice stands.
    banner = browser.find_element(By.CSS_SELECTOR, ".alerts > [role=alert]")
    assert "See a doctor within 24 hours" in banner.text
    press(by_role(browser, "link", "Seen"))
    # The page changes after the address: wait for the tab's own content.
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".alert-card--acknowledged"))
    assert len(_cards(browser)) == 1
    seen = _cards(browser)[0]
    assert seen.get_attribute("data-id") == str(other.id)
    assert "(by you or your care team)" in seen.text
    browser.axe(page="alerts: seen")
    press(by_role(browser, "link", "Closed"))
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".alert-card--resolved"))
    assert len(_cards(browser)) == 1
    closed = _cards(browser)[0]
    assert closed.get_attribute("data-id") == str(weight.id)
    assert "Closed " in closed.text
    assert browser.find_elements(By.CSS_SELECTOR, ".alerts > [role=alert]")
    browser.axe(page="alerts: closed")
    assert_clean_console(browser)


def test_no_alerts(live_server, phone: Browser, patient_account):
    sign_in(phone, live_server.url, patient_account)
    open_page(phone, live_server.url, "/app/alerts")
    by_role(phone, "heading", "Your alerts")
    assert "You have no open alerts." in phone.find_element(By.TAG_NAME, "main").text
    phone.axe(page="alerts: none")
