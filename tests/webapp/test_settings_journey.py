"""Journey 6 in Chromium, phone and desktop: settings (reminders, channels, lock-screen
detail, health conditions, time zone) with the server's messages on a refusal; the care
team (invite code, list, remove); download my data; delete my account."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from django.utils import timezone
from selenium.webdriver.support.ui import Select

from accounts.models import User
from clinic.services import invite_code_create
from journal.models import Patient
from tests.browser import Browser, PatientAccount, by_label, by_role, screenshot, sign_in
from tests.clinic.conftest import make_clinician
from tests.webapp.journey import on_page, says, tap

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _set_time(driver: Browser, element, value: str) -> None:
    """A time input takes typed digits in the browser's own format; set it as a picker would."""
    driver.execute_script(
        "arguments[0].value = arguments[1];"
        "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));",
        element,
        value,
    )


def test_settings_care_team_export_and_delete(
    live_server, browser: Browser, patient_account: PatientAccount, tmp_path: Path
):
    base = live_server.url
    sign_in(browser, base, patient_account)
    browser.get(f"{base}/app/settings")
    on_page(browser, "Settings")
    screenshot(browser, f"patient-settings-{browser.kind}")

    # A refused value: the summary links to the field, the field says what is wrong.
    reminder_time = by_label(browser, "What time should we remind you?")
    _set_time(browser, reminder_time, "")
    tap(by_role(browser, "button", "Save settings"))
    summary = by_role(browser, "alert", "There is a problem")
    assert "What time should we remind you?" in summary.text
    browser.axe(page="settings with an error")
    tap(summary.find_element("css selector", "a"))
    assert browser.switch_to.active_element == reminder_time

    _set_time(browser, reminder_time, "07:30")
    tap(by_label(browser, "Remind me to log every day"))
    reminders = browser.find_element("id", "reminder-channels")
    tap(reminders.find_element("xpath", ".//label[normalize-space()='Email']"))
    tap(by_label(browser, "Show what a notification is about on the lock screen"))
    tap(by_label(browser, "I have diabetes"))
    tap(by_label(browser, "I have reduced feeling in my feet"))
    Select(by_label(browser, "Your time zone")).select_by_value("America/New_York")
    tap(by_role(browser, "button", "Save settings"))
    says(browser, "Your settings have been saved.")
    assert "There is a problem" not in browser.find_element("tag name", "main").text
    patient = Patient.objects.get(user__email=patient_account.email)
    assert patient.reminder_time.strftime("%H:%M") == "07:30"
    assert patient.timezone == "America/New_York"
    assert patient.has_diabetes and patient.has_reduced_sensation
    assert not patient.has_circulation_problems
    assert patient.lock_screen_detail is True
    assert patient.reminders_enabled is False
    assert "email" in patient.reminder_channels
    # What was saved is what the page shows after a reload.
    browser.refresh()
    on_page(browser, "Settings")
    assert by_label(browser, "I have diabetes").is_selected()
    assert not by_label(browser, "Remind me to log every day").is_selected()
    assert Select(by_label(browser, "Your time zone")).first_selected_option.text == (
        "America/New_York"
    )

    # Care team: a wrong code is refused on its field; the clinician's code adds them.
    doctor = make_clinician(email=f"dr-{browser.kind}@clinic.example")
    code = invite_code_create(clinician=doctor, now=timezone.now()).code
    code_box = by_label(browser, "Invite code from your clinician")
    code_box.send_keys("NOPE-NOPE")
    tap(by_role(browser, "button", "Add clinician"))
    by_role(browser, "alert", "There is a problem")
    browser.axe(page="care team with an error")
    code_box = by_label(browser, "Invite code from your clinician")
    code_box.clear()
    code_box.send_keys(f"{code[:4]}-{code[4:]}".lower())
    tap(by_role(browser, "button", "Add clinician"))
    says(browser, f"{doctor.email} can now see your journal.")
    assert list(patient.clinicians.all()) == [doctor]
    browser.axe(page="care team")
    tap(by_role(browser, "button", f"Remove {doctor.email}"))
    says(browser, f"{doctor.email} can no longer see your journal.")
    says(browser, "No clinicians can see your journal.")
    assert not patient.clinicians.exists()

    # Download my data: a JSON file of everything, saved by the browser.
    browser.execute_cdp_cmd(
        "Browser.setDownloadBehavior",
        {"behavior": "allow", "downloadPath": str(tmp_path), "eventsEnabled": False},
    )
    tap(by_role(browser, "button", "Download my data"))
    says(browser, "Your data has been downloaded.")
    target = tmp_path / "foot-journal-export.json"
    deadline = time.monotonic() + 30
    while not target.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    exported = json.loads(target.read_text())
    assert patient_account.email in json.dumps(exported)

    # Delete my account: a clear warning, the password confirms.
    tap(by_role(browser, "link", "Delete my account"))
    on_page(browser, "Delete your account")
    says(browser, "This cannot be undone.")
    screenshot(browser, f"patient-delete-{browser.kind}")
    by_label(browser, "Enter your password to confirm").send_keys("not the password")
    tap(by_role(browser, "button", "Delete my account"))
    by_role(browser, "alert", "There is a problem")
    browser.axe(page="delete with a wrong password")
    assert User.objects.filter(email=patient_account.email).exists()
    field = by_label(browser, "Enter your password to confirm")
    field.clear()
    field.send_keys(patient_account.password)
    tap(by_role(browser, "button", "Delete my account"))
    on_page(browser, "Sign in")
    says(browser, "Your account and everything in it have been deleted.")
    assert not User.objects.filter(email=patient_account.email).exists()
