"""Fixtures for the patient's app in headless Chromium (see tests/browser.py).

Every test here drives the live server the way a patient does: a real browser at a phone
or desktop viewport, the real public API, and axe-core on each page it visits.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser import Browser, PatientAccount, make_browser, sign_in, sign_up_patient


@pytest.fixture
def phone() -> Iterator[Browser]:
    """Chromium at 390x844 with touch and mobile emulation."""
    driver = make_browser("phone")
    yield driver
    driver.quit()


@pytest.fixture
def desktop() -> Iterator[Browser]:
    """Chromium in a 1280x900 window."""
    driver = make_browser("desktop")
    yield driver
    driver.quit()


@pytest.fixture(params=["phone", "desktop"])
def browser(request: pytest.FixtureRequest) -> Iterator[Browser]:
    """Each test that asks for `browser` runs twice: at a phone and at a desktop viewport
    (`browser.kind` says which, e.g. to name screenshots)."""
    driver = make_browser(request.param)
    yield driver
    driver.quit()


@pytest.fixture
def patient_account(live_server) -> PatientAccount:
    """A patient registered through the live server's API (email, password, token)."""
    return sign_up_patient(live_server)


@pytest.fixture
def signed_in_phone(live_server, phone: Browser, patient_account: PatientAccount) -> Browser:
    """The phone, signed in to the app as `patient_account` through its sign-in page."""
    sign_in(phone, live_server.url, patient_account)
    return phone


@pytest.fixture
def signed_in_desktop(live_server, desktop: Browser, patient_account: PatientAccount) -> Browser:
    sign_in(desktop, live_server.url, patient_account)
    return desktop
