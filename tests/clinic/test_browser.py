"""The workspace in real headless Chromium, as the demo clinician uses it."""

from __future__ import annotations

import os

import pytest
from django.core.management import call_command
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from api.management.commands.seed_demo import CLINICIAN, PATIENT
from clinic.models import AccessLog, ClinicalNote
from journal.models import PainLog, Patient
from journal.timezones import zone
from tests.browser import ARTIFACTS, csp_violations, make_browser
from tests.clinic.conftest import make_clinician, make_patient
from triage.models import Alert

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser():
    driver = make_browser("desktop", window=(1400, 1000))
    yield driver
    driver.quit()


def _wait(driver, condition, seconds: int = 30):  # generous: CI shares 2 cores
    return WebDriverWait(driver, seconds).until(condition)


def _login(driver, base: str, email: str, password: str) -> None:
    driver.get(f"{base}/admin/login/?next=/admin/")
    driver.find_element(By.NAME, "username").send_keys(email)
    driver.find_element(By.NAME, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    _wait(driver, ec.presence_of_element_located((By.ID, "result_list")))


def _list_emails(driver) -> list[str]:
    cells = driver.find_elements(
        By.CSS_SELECTOR, "#result_list tbody td.field-patient, #result_list tbody th.field-patient"
    )
    return [cell.text for cell in cells]


def test_demo_clinician_works_through_the_workspace(live_server, browser):
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    demo_patient = Patient.objects.get(user__email=PATIENT[0])
    demo_clinician = demo_patient.clinicians.get()
    calm = make_patient(clinician=demo_clinician, alert=False, days=0, email="calm@example.com")
    other = make_clinician("other.doctor@example.com")
    hidden = make_patient(clinician=other, alert=True, email="hidden@example.com")
    base = live_server.url

    _login(browser, base, *CLINICIAN)
    # Only linked patients, the one with the open alert first.
    # The demo clinician named the demo patient on the invite code they redeemed.
    assert _list_emails(browser) == [f"Alex Morgan ({PATIENT[0]})", calm.user.email]
    assert "hidden@example.com" not in browser.page_source
    assert "See a doctor within 24 hours" in browser.page_source
    browser.save_screenshot(str(ARTIFACTS / "clinic-patients.png"))

    browser.find_element(By.PARTIAL_LINK_TEXT, PATIENT[0]).click()
    _wait(browser, lambda d: d.find_element(By.ID, "trend-chart").get_attribute("data-ready"))
    # One point per local day and site/side with entries in the last 30 days.
    tz = zone(demo_patient.timezone)
    since = timezone.now() - timezone.timedelta(days=29)
    expected = len(
        {
            (log.recorded_at.astimezone(tz).date(), log.site, log.side)
            for log in PainLog.objects.filter(patient=demo_patient, recorded_at__gte=since)
        }
    )
    points = browser.execute_script(
        "return Chart.getChart('trend-chart').data.datasets"
        ".filter(d => d.clinicKind === 'worst')"
        ".reduce((n, d) => n + d.data.filter(v => v !== null).length, 0);"
    )
    assert points == expected > 0
    alert_points = browser.execute_script(
        "return Chart.getChart('trend-chart').data.datasets"
        ".find(d => d.clinicKind === 'alerts').data.filter(v => v !== null).length;"
    )
    assert alert_points == 1  # the demo's alerts opened today
    peg_points = browser.execute_script(
        "return Chart.getChart('trend-chart').data.datasets"
        ".find(d => d.clinicKind === 'peg').data.filter(v => v !== null).length;"
    )
    assert peg_points == 2  # the demo's two weekly PEGs, beside the severity lines
    assert csp_violations(browser) == []
    browser.save_screenshot(str(ARTIFACTS / "clinic-patient-page.png"))
    assert AccessLog.objects.filter(
        user_id=demo_clinician.pk, patient_id=demo_patient.pk, action="patient_page"
    ).exists()

    # Acknowledge the most urgent alert with a note, from the alert queue.
    browser.get(f"{base}/admin/triage/alert/")
    assert "hidden@example.com" not in browser.page_source
    browser.find_element(By.CSS_SELECTOR, "#result_list tbody tr:first-child a").click()
    _wait(browser, ec.presence_of_element_located((By.ID, "id_note")))
    browser.find_element(By.ID, "id_note").send_keys("Called the patient; seeing her today.")
    browser.save_screenshot(str(ARTIFACTS / "clinic-alert.png"))
    browser.find_element(By.ID, "acknowledge").click()
    _wait(browser, ec.presence_of_element_located((By.ID, "result_list")))
    acknowledged = Alert.objects.get(patient=demo_patient, level="consult_24h")
    assert acknowledged.status == "acknowledged"
    assert acknowledged.acknowledged_by_id == demo_clinician.pk
    note = ClinicalNote.objects.get(alert=acknowledged)
    assert note.text == "Called the patient; seeing her today."

    # Another clinician's patient is absent everywhere, and its page does not exist.
    for path in (
        "/admin/journal/patient/",
        "/admin/journal/painlog/",
        "/admin/triage/alert/?state=all",
    ):
        browser.get(f"{base}{path}")
        assert "hidden@example.com" not in browser.page_source
    browser.get(f"{base}/admin/journal/patient/{hidden.pk}/change/")
    assert "Not Found" in browser.page_source or "not found" in browser.page_source.lower()
    assert "hidden@example.com" not in browser.page_source
