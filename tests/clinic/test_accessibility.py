"""axe-core on every page of the clinician workspace, as the demo clinician sees it.

Any violation fails, whatever its impact: the workspace is used all day, by keyboard and
with screen readers, and a finding ignored today is the next page's habit.
"""

from __future__ import annotations

import os

import pytest
from django.core.management import call_command
from selenium.webdriver.common.by import By

from api.management.commands.seed_demo import CLINICIAN, PATIENT
from journal.models import Patient
from tests.browser import Browser, axe_report, axe_violations, make_browser, wait
from triage.models import Alert

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser():
    driver = make_browser("desktop")
    yield driver
    driver.quit()


def _login(driver: Browser, base: str) -> None:
    driver.get(f"{base}/admin/login/?next=/admin/")
    driver.find_element(By.NAME, "username").send_keys(CLINICIAN[0])
    driver.find_element(By.NAME, "password").send_keys(CLINICIAN[1])
    driver.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    wait(driver, lambda d: d.find_elements(By.ID, "result_list"))


def _chart_drawn(driver: Browser) -> bool:
    return bool(driver.find_element(By.ID, "trend-chart").get_attribute("data-ready"))


def _pages() -> dict[str, str]:
    patient = Patient.objects.get(user__email=PATIENT[0])
    alert = Alert.objects.filter(patient=patient).order_by("-opened_at").first()
    return {
        "home": "/admin/",
        "my patients": "/admin/journal/patient/",
        "patients needing attention": "/admin/journal/patient/?attention=yes",
        "patient page": f"/admin/journal/patient/{patient.pk}/change/",
        "patient page, 90 days": f"/admin/journal/patient/{patient.pk}/change/?days=90",
        "print view": f"/admin/journal/patient/{patient.pk}/print/",
        "alert queue": "/admin/triage/alert/",
        "all alerts": "/admin/triage/alert/?state=all",
        "alert page": f"/admin/triage/alert/{alert.pk}/change/",
        "pain entries": "/admin/journal/painlog/",
        "ice and heat": "/admin/journal/treatment/",
        "clinical notes": "/admin/clinic/clinicalnote/",
        "new clinical note": "/admin/clinic/clinicalnote/add/",
        "invite codes": "/admin/clinic/invitecode/",
        "new invite code": "/admin/clinic/invitecode/add/",
        "my time zone": "/admin/clinic/clinicianprofile/",
        "password change": "/admin/password_change/",
    }


def test_every_workspace_page_passes_axe(live_server, browser: Browser) -> None:
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    base = live_server.url
    browser.get(f"{base}/admin/login/")
    found = {"login": axe_violations(browser)}
    _login(browser, base)
    for name, path in _pages().items():
        browser.get(f"{base}{path}")
        wait(browser, lambda d: d.execute_script("return document.readyState") == "complete")
        if "/change/" in path and "patient" in path:  # the chart is drawn by script
            wait(browser, _chart_drawn)
        assert "Page not found" not in browser.title, f"{name}: {path} is not a page"
        found[name] = axe_violations(browser)
    failures = {name: found[name] for name in found if found[name]}
    report = "\n".join(f"== {name}\n{axe_report(v)}" for name, v in failures.items())
    total = sum(len(v) for v in failures.values())
    assert not failures, f"{total} axe finding(s) over {len(failures)} page(s):\n{report}"


def test_the_front_page_passes_axe(live_server, browser: Browser) -> None:
    """Not the workspace, but where both clinicians and patients may land first."""
    browser.get(f"{live_server.url}/")
    assert axe_violations(browser) == [], axe_report(axe_violations(browser))
